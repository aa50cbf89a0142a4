/**
 * Delvia never stores a third-party password or token. This recognises values that look like
 * one was pasted into a field, and says why, so the write can be refused with a reason.
 * It errs towards letting ordinary text through: names, emails, notes, platform IDs.
 */
const TOKEN_PREFIXES: [RegExp, string][] = [
  [/^EAA[A-Za-z0-9]{20,}/, "a Meta access token"],
  [/^ya29\.[\w-]{20,}/, "a Google OAuth token"],
  [/^1\/\/[\w-]{20,}/, "a Google refresh token"],
  [/^(sk|rk|pk)_(live|test)_[A-Za-z0-9]{10,}/, "an API secret key"],
  [/^(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/, "a GitHub token"],
  [/^xox[abprs]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/^shpat_[a-f0-9]{20,}|^shpss_[a-f0-9]{20,}/, "a Shopify access token"],
  [/^AKIA[0-9A-Z]{16}$/, "a cloud access key"],
  [/^AIza[0-9A-Za-z_-]{30,}/, "a Google API key"],
];

const JWT = /^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/;
const LABELLED =
  /\b(pass(word|wd|code)?|pwd|mot de passe|contraseña|passwort|secret|api[ _-]?key|token)\s*[:=]\s*\S{4,}/i;
const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const OTP_SEED = /^otpauth:\/\//i;

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function looksRandom(word: string): boolean {
  if (word.length < 20 || word.includes("@") || /^https?:\/\//i.test(word)) return false;
  if (/^[\d_-]+$/.test(word)) return false; // numeric platform IDs, e.g. 7012345678901234567
  if (/^[0-9a-f-]{32,36}$/i.test(word) && word.includes("-")) return false; // UUIDs are identifiers
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(word)).length;
  return classes >= 3 && entropy(word) >= 3.5;
}

/**
 * A reason when `value` looks like a pasted secret, otherwise null.
 * @example looksLikeSecret("password: hunter22") // "it is labelled as a password"
 */
export function looksLikeSecret(value: string): string | null {
  const v = value.trim();
  if (v.length < 8) return null;
  if (PEM.test(v)) return "it contains a private key";
  if (OTP_SEED.test(v)) return "it is a two-factor seed";
  if (LABELLED.test(v)) return "it is labelled as a password, key or token";
  for (const word of v.split(/\s+/)) {
    for (const [re, what] of TOKEN_PREFIXES) if (re.test(word)) return `it looks like ${what}`;
    if (JWT.test(word)) return "it looks like a signed token (JWT)";
    if (looksRandom(word)) return "it looks like a random password or key";
  }
  return null;
}
