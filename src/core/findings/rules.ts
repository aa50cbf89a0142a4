/**
 * Finding rules: pure functions from a workspace's record to the problems it shows. Each rule
 * has an id, a severity and the guide that fixes it; every finding has a stable key (rule +
 * subject + account) so its acknowledgement survives re-scans.
 */
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Every rule and its severity: the list the app's titles and explanations of findings follow. */
export const FINDING_RULES = {
  "departed-with-access": "critical",
  "shared-login-known-by-departed": "critical",
  "recovery-holder-departed": "critical",
  "no-admin": "critical",
  "single-admin": "high",
  "shared-login": "high",
  "owner-departed": "high",
  "system-user-creator-departed": "high",
  "personal-email-admin": "medium",
  "expired-access": "medium",
  "invite-expired": "medium",
  "no-owner": "medium",
  "backup-owner-departed": "medium",
  "external-individual-access": "medium",
  "stale-invite": "low",
  "too-many-admins": "low",
  "review-overdue": "low",
} as const satisfies Record<string, Severity>;
export type FindingRule = keyof typeof FINDING_RULES;

/**
 * How a name typed into a text field (an account's recovery or two-step holder, who set up a
 * system user) is compared with a person: trimmed and case-insensitive, against their name or one
 * of their emails.
 */
export const nameKey = (text: string) => text.trim().toLowerCase();
/** Every key a text field can name this person by. */
export const personNameKeys = (p: { name: string; emails: string[] }) => [
  nameKey(p.name),
  ...p.emails.map(nameKey),
];

export const PUBLIC_MAIL_DOMAINS = new Set([
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "msn.com",
  "icloud.com",
  "me.com",
  "aol.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "gmx.de",
  "mail.com",
  "yandex.com",
]);

export interface FPerson {
  id: string;
  name: string;
  emails: string[];
  organizationId: string | null;
  status: "active" | "departed";
  leftOn: string | null;
}
export interface FAccount {
  id: string;
  name: string;
  platform: string;
  platformId: string | null;
  organizationId: string;
  ownerPersonId: string | null;
  backupOwnerPersonId?: string | null;
  /** Who holds the recovery email and the two-step verification: names or emails, as typed. */
  recoveryEmailHolder?: string | null;
  twoFactorHolder?: string | null;
  reviewCadenceDays: number | null;
  lastReviewedOn: string | null;
  createdOn: string;
}
export interface FAsset {
  id: string;
  name: string;
  type: string;
  platformId: string | null;
  accountId: string;
}
export interface FSharedLogin {
  id: string;
  label: string;
  knownByPersonIds: string[];
}
export interface FGrant {
  id: string;
  subject:
    | { type: "person"; personId: string }
    | { type: "partner"; accountId: string }
    | { type: "system_user"; name: string }
    | { type: "shared_login"; sharedLoginId: string };
  target: { accountId: string; assetId: string | null };
  role: string;
  status: "pending" | "active" | "revoked";
  invitedOn: string | null;
  expiresOn: string | null;
  /** Who gave the access (a name or an email, as typed); for a system user, who set it up. */
  grantedBy?: string | null;
}

export interface FindingsInput {
  asOf: string;
  people: FPerson[];
  accounts: FAccount[];
  assets: FAsset[];
  sharedLogins: FSharedLogin[];
  grants: FGrant[];
}

/** What the rules need to know of the platform catalog. */
export interface FindingsCatalog {
  isAdminLevel(platform: string, role: string): boolean;
  invitationLifetimeDays(platform: string): number | null;
  hasPartnerMechanism(platform: string): boolean;
  platformName(platform: string): string;
  /**
   * The platform's system users (non-human accounts for API tools whose tokens keep working after
   * the person who set them up leaves) and the guide about them; null when it has none.
   */
  systemUsers(platform: string): { guide: string } | null;
  guide(
    platform: string,
    action:
      | "invite"
      | "remove"
      | "change-role"
      | "add-partner"
      | "remove-partner"
      | "transfer-ownership"
      | "request-access",
  ): string | null;
}

export interface Finding {
  key: string;
  rule: string;
  severity: Severity;
  accountId: string | null;
  assetId: string | null;
  subject: {
    type: "person" | "shared_login" | "partner" | "system_user";
    id: string;
    name: string;
    email: string | null;
  } | null;
  message: string;
  guide: string | null;
}

/**
 * On a platform whose invitations do not run out, a pending invitation older than this many days
 * is worth checking (the stale-invite finding).
 */
export const STALE_INVITE_DAYS = 14;

const DAY = 86_400_000;
const parseDay = (iso: string) => Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY);
/** The same order as `String.prototype.localeCompare`, without its per-call set-up. */
const collator = new Intl.Collator();

/** Every finding in a workspace on `asOf`, worst first (then by rule, account, subject). */
export function scanFindings(input: FindingsInput, catalog: FindingsCatalog): Finding[] {
  return scanAccounts(input, catalog, null);
}

/**
 * What the account-level rules read of an account's grants (besides the account itself and its
 * owner): how many people who still work with you hold a live account-level admin role, who
 * when only one does, and the people of each outside organization with live access.
 */
export interface AccountFacts {
  adminCount: number;
  /** The only admin, when `adminCount` is 1. */
  soleAdmin: FPerson | null;
  /**
   * Per outside organization (on a platform with partner connections): its people with live
   * access to the account, in the order of their first live grant (by grant ID). May hold only
   * the organizations a re-check is about.
   */
  outsiders: ReadonlyMap<string, readonly { id: string; name: string }[]>;
}

/**
 * What a re-check of one account covers. The account-level rules (no-admin, single-admin,
 * too-many-admins, no-owner, owner-departed, backup-owner-departed, recovery-holder-departed,
 * review-overdue) are always re-checked.
 */
export interface AccountScope {
  /**
   * Subjects whose own findings on the account are re-checked (every rule keyed on a grant's
   * subject: a person's, shared login's or partner account's ID, or a system user's grant ID);
   * "all" for every subject.
   */
  subjects: ReadonlySet<string> | "all";
  /** Outside organizations whose external-individual-access finding is re-checked. */
  organizations: ReadonlySet<string> | "all";
}

/** The whole account: every finding it can have. */
export const WHOLE_ACCOUNT: AccountScope = Object.freeze({ subjects: "all", organizations: "all" });

/** Rules whose findings depend on the account as a whole, re-checked with every scope. */
export const ACCOUNT_RULES: ReadonlySet<string> = new Set([
  "no-admin",
  "single-admin",
  "too-many-admins",
  "no-owner",
  "owner-departed",
  "backup-owner-departed",
  "recovery-holder-departed",
  "review-overdue",
]);

/** The subject a grant's own findings are keyed on (see `AccountScope.subjects`). */
export function grantSubjectId(g: Pick<FGrant, "id" | "subject">): string {
  const s = g.subject;
  if (s.type === "person") return s.personId;
  if (s.type === "shared_login") return s.sharedLoginId;
  if (s.type === "partner") return s.accountId;
  return g.id;
}

/**
 * Whether a finding (by its key, rule and account) belongs to `scope`: what a re-check of that
 * scope finds replaces exactly these. A rule no longer known is in scope (a re-check resolves it,
 * as a full scan would).
 */
export function findingInScope(
  f: { key: string; rule: string; accountId: string | null },
  scope: ReadonlyMap<string, AccountScope>,
): boolean {
  const s = f.accountId === null ? undefined : scope.get(f.accountId);
  if (!s) return false;
  if (ACCOUNT_RULES.has(f.rule)) return true;
  const parts = f.key.split(":");
  if (f.rule === "external-individual-access")
    return s.organizations === "all" || s.organizations.has(parts[1] ?? "");
  if (!PER_SUBJECT_RULES.has(f.rule)) return true;
  if (s.subjects === "all") return true;
  // shared-login-known-by-departed:<person>:<login>:<account> is about the login's grants.
  return s.subjects.has((f.rule === "shared-login-known-by-departed" ? parts[2] : parts[1]) ?? "");
}

/** Rules keyed on one grant subject of the account. */
export const PER_SUBJECT_RULES: ReadonlySet<string> = new Set([
  "departed-with-access",
  "personal-email-admin",
  "shared-login",
  "shared-login-known-by-departed",
  "expired-access",
  "invite-expired",
  "stale-invite",
  "system-user-creator-departed",
]);

/**
 * The findings of the accounts in `only` (every account when null). Every rule is per account:
 * a finding's key ends with its account, and a rule for account A reads only A, the grants that
 * target A and the people, shared logins and partner accounts those grants name.
 */
export function scanAccounts(
  input: FindingsInput,
  catalog: FindingsCatalog,
  only: ReadonlySet<string> | null,
): Finding[] {
  const accounts = only ? input.accounts.filter((a) => only.has(a.id)) : input.accounts;
  return scan(input, catalog, accounts, null, null).findings;
}

/**
 * The findings of a scope: for each account in it, the findings of the subjects and outside
 * organizations it names plus its account-level findings, exactly as a full scan gives them.
 *
 * `input` needs the scoped accounts, the grants of their scoped subjects (every grant of an
 * account whose subjects are "all"), and the people, shared logins (with their knowers) and
 * partner accounts those grants and accounts name. `facts` gives each account's `AccountFacts`
 * (read from the whole record); an account whose subjects are "all" may leave them out, they are
 * then counted from its grants.
 */
export function scanScope(
  input: FindingsInput,
  catalog: FindingsCatalog,
  scope: ReadonlyMap<string, AccountScope>,
  facts: ReadonlyMap<string, AccountFacts>,
): Finding[] {
  const accounts = input.accounts.filter((a) => scope.has(a.id));
  return scan(input, catalog, accounts, scope, facts).findings;
}

/** An account's `AccountFacts`, counted from all its grants in `input` (the reference the store's queries match). */
export function accountFacts(
  input: FindingsInput,
  catalog: FindingsCatalog,
  accountId: string,
): AccountFacts {
  const accounts = input.accounts.filter((a) => a.id === accountId);
  const facts = scan(input, catalog, accounts, null, null).facts.get(accountId);
  if (!facts) throw new Error(`No account ${accountId} in the input.`);
  return facts;
}

/** Live on `asOf`: active, and not past its end date (the rules' own test, for the store's counts). */
export function isLiveGrant(g: Pick<FGrant, "status" | "expiresOn">, asOf: string): boolean {
  return g.status === "active" && !(g.expiresOn && parseDay(g.expiresOn) < parseDay(asOf));
}

/** The first three names, and how many more there are: a message stays short on a large account. */
function namesInShort(people: readonly { name: string }[]): string {
  const shown = people.slice(0, 3).map((p) => p.name);
  const more = people.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

/** Has left by `asOf`: marked departed, or their leaving day has come. */
export function hasDeparted(p: Pick<FPerson, "status" | "leftOn">, asOf: string): boolean {
  return p.status === "departed" || (p.leftOn !== null && parseDay(p.leftOn) <= parseDay(asOf));
}

function scan(
  input: FindingsInput,
  catalog: FindingsCatalog,
  inputAccounts: readonly FAccount[],
  scope: ReadonlyMap<string, AccountScope> | null,
  givenFacts: ReadonlyMap<string, AccountFacts> | null,
): { findings: Finding[]; facts: Map<string, AccountFacts> } {
  // Per-scan memos: a workspace has few distinct days and (platform, role) pairs; parsing or
  // resolving them again for every grant is wasted work in a large scan.
  const dayMemo = new Map<string, number>();
  const days = (iso: string) => {
    let d = dayMemo.get(iso);
    if (d === undefined) {
      d = parseDay(iso);
      dayMemo.set(iso, d);
    }
    return d;
  };
  const adminMemo = new Map<string, Map<string, boolean>>();
  const isAdminLevel = (platform: string, role: string) => {
    let byRole = adminMemo.get(platform);
    if (!byRole) {
      byRole = new Map();
      adminMemo.set(platform, byRole);
    }
    let admin = byRole.get(role);
    if (admin === undefined) {
      admin = catalog.isAdminLevel(platform, role);
      byRole.set(role, admin);
    }
    return admin;
  };
  const today = days(input.asOf);
  const people = new Map(input.people.map((p) => [p.id, p]));
  const accounts = new Map(input.accounts.map((a) => [a.id, a]));
  const logins = new Map(input.sharedLogins.map((l) => [l.id, l]));
  const departed = (p: FPerson | undefined) =>
    !!p && (p.status === "departed" || (p.leftOn !== null && days(p.leftOn) <= today));
  const out: Finding[] = [];
  const keys = new Set<string>();
  const push = (f: Finding) => {
    if (keys.has(f.key)) return;
    keys.add(f.key);
    out.push(f);
  };
  const add = (f: Omit<Finding, "key">) =>
    push({ ...f, key: `${f.rule}:${f.subject?.id ?? "-"}:${f.accountId ?? "-"}` });
  const personSubject = (p: FPerson) => ({
    type: "person" as const,
    id: p.id,
    name: p.name,
    email: p.emails[0] ?? null,
  });
  const live = (g: FGrant) => g.status === "active" && !(g.expiresOn && days(g.expiresOn) < today);
  // The departed people a text field names (see `nameKey`), indexed on first use. Each list is in
  // ID order, so a text names the same people first in a slice of the workspace as in all of it.
  let departedByKey: Map<string, FPerson[]> | null = null;
  const departedNamed = (text: string | null | undefined): FPerson[] => {
    if (!text) return [];
    if (!departedByKey) {
      const index = new Map<string, FPerson[]>();
      for (const p of input.people) {
        if (!departed(p)) continue;
        for (const k of new Set(personNameKeys(p))) {
          const list = index.get(k);
          if (list) list.push(p);
          else index.set(k, [p]);
        }
      }
      for (const list of index.values()) list.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      departedByKey = index;
    }
    return departedByKey.get(nameKey(text)) ?? [];
  };

  const wanted = new Set(inputAccounts.map((a) => a.id));
  const grantsByAccount = new Map<string, FGrant[]>();
  for (const g of input.grants) {
    const target = g.target.accountId;
    if (!wanted.has(target)) continue;
    if (scope) {
      const subjects = scope.get(target)!.subjects;
      if (subjects !== "all" && !subjects.has(grantSubjectId(g))) continue;
    }
    const list = grantsByAccount.get(target);
    if (list) list.push(g);
    else grantsByAccount.set(target, [g]);
  }
  const factsOut = new Map<string, AccountFacts>();

  // One pass over each account's grants (a large scan is bound by reading grants, people and
  // subjects from memory): first the rules grant by grant, then the account's own rules.
  for (const a of inputAccounts) {
    const name = `${a.name} (${catalog.platformName(a.platform)})`;
    const grants = grantsByAccount.get(a.id) ?? [];
    const accountScope = scope?.get(a.id);
    const admins = new Set<string>();
    const partnerMechanism = catalog.hasPartnerMechanism(a.platform);
    const systemUsers = catalog.systemUsers(a.platform);
    const byOrg = new Map<string, Set<FPerson>>();
    const departedSeen = new Set<string>();
    const loginSeen = new Set<string>();
    // Subjects already named by this account's per-grant rules: later grants add nothing.
    const expiredSeen = new Set<string>();
    const inviteSeen = new Set<string>();
    const subjectKey = (g: FGrant) => {
      const s = g.subject;
      if (s.type === "person") return s.personId;
      if (s.type === "shared_login") return logins.has(s.sharedLoginId) ? s.sharedLoginId : "-";
      if (s.type === "partner") return accounts.has(s.accountId) ? s.accountId : "-";
      return g.id;
    };
    for (const g of grants) {
      const isLive = live(g);
      const s = g.subject;
      if (s.type === "person") {
        const p = people.get(s.personId);
        if (!p) continue;
        const gone = departed(p);
        const admin = isLive && !g.target.assetId && isAdminLevel(a.platform, g.role);
        if (admin && !gone) admins.add(p.id);
        // Several individuals from one outside organization: a partner connection is the right pattern.
        if (partnerMechanism && isLive && p.organizationId && p.organizationId !== a.organizationId) {
          const set = byOrg.get(p.organizationId);
          if (set) set.add(p);
          else byOrg.set(p.organizationId, new Set([p]));
        }
        if (gone && (g.status === "active" || g.status === "pending") && !departedSeen.has(p.id)) {
          departedSeen.add(p.id);
          add({
            rule: "departed-with-access",
            severity: "critical",
            accountId: a.id,
            assetId: g.target.assetId,
            subject: personSubject(p),
            message: `${p.name} has left but still has ${g.status === "pending" ? "a pending invitation to" : "access to"} ${name}. Remove it now.`,
            guide: catalog.guide(a.platform, "remove") ?? "general/leaver-checklist",
          });
        }
        if (admin) {
          const domain = (p.emails[0] ?? "").split("@")[1]?.toLowerCase();
          if (domain && PUBLIC_MAIL_DOMAINS.has(domain)) {
            add({
              rule: "personal-email-admin",
              severity: "medium",
              accountId: a.id,
              assetId: null,
              subject: personSubject(p),
              message: `${p.name} is an admin of ${name} through a personal mailbox (${p.emails[0]}). Use a work address the business controls.`,
              guide: catalog.guide(a.platform, "invite"),
            });
          }
        }
      }
      if (s.type === "shared_login" && isLive) {
        const l = logins.get(s.sharedLoginId);
        if (!l) continue;
        if (!loginSeen.has(l.id)) {
          loginSeen.add(l.id);
          push({
            key: `shared-login:${l.id}:${a.id}`,
            rule: "shared-login",
            severity: "high",
            accountId: a.id,
            assetId: g.target.assetId,
            subject: { type: "shared_login", id: l.id, name: l.label, email: null },
            message: `"${l.label}" is a login several people share on ${name}. Give each person their own access and change the password.`,
            guide: a.platform === "tiktok" ? "tiktok/stop-sharing-login" : "general/never-share-a-login",
          });
        }
        for (const pid of l.knownByPersonIds) {
          const p = people.get(pid);
          if (!p || !departed(p)) continue;
          // One finding per account the login opens (the key names the account, like every other
          // rule's), so re-checking one account never depends on another account's grants.
          push({
            key: `shared-login-known-by-departed:${p.id}:${l.id}:${a.id}`,
            rule: "shared-login-known-by-departed",
            severity: "critical",
            accountId: a.id,
            assetId: g.target.assetId,
            subject: personSubject(p),
            message: `${p.name} has left but knows the password of "${l.label}", which still opens ${name}. Change it now.`,
            guide: a.platform === "tiktok" ? "tiktok/login-was-shared" : "general/leaver-checklist",
          });
        }
      }
      if (s.type === "system_user" && systemUsers && (g.status === "active" || g.status === "pending")) {
        const creator = departedNamed(g.grantedBy)[0];
        if (creator)
          add({
            rule: "system-user-creator-departed",
            severity: "high",
            accountId: a.id,
            assetId: g.target.assetId,
            subject: subjectOf(g, people, logins, accounts),
            message: `The system user "${s.name}" on ${name} was set up by ${creator.name}, who has left. Its token keeps working until someone revokes it: revoke it, or confirm the tool still needs it and give it an owner who is still here.`,
            guide: systemUsers.guide,
          });
      }
      if (
        g.status === "active" &&
        g.expiresOn &&
        days(g.expiresOn) < today &&
        !expiredSeen.has(subjectKey(g))
      ) {
        expiredSeen.add(subjectKey(g));
        add({
          rule: "expired-access",
          severity: "medium",
          accountId: a.id,
          assetId: g.target.assetId,
          subject: subjectOf(g, people, logins, accounts),
          message: `Access on ${name} was meant to end on ${g.expiresOn} but is still recorded as active. Remove it, or extend it on purpose.`,
          guide: catalog.guide(a.platform, "remove"),
        });
      }
      if (g.status === "pending" && g.invitedOn && !inviteSeen.has(subjectKey(g))) {
        const lifetime = catalog.invitationLifetimeDays(a.platform);
        const age = today - days(g.invitedOn);
        if (lifetime !== null && age > lifetime) {
          inviteSeen.add(subjectKey(g));
          add({
            rule: "invite-expired",
            severity: "medium",
            accountId: a.id,
            assetId: g.target.assetId,
            subject: subjectOf(g, people, logins, accounts),
            message: `The invitation on ${name} sent ${g.invitedOn} has expired (${catalog.platformName(a.platform)} invitations last ${lifetime} days). Send a new one.`,
            guide: catalog.guide(a.platform, "invite"),
          });
        } else if (lifetime === null && age > STALE_INVITE_DAYS) {
          inviteSeen.add(subjectKey(g));
          add({
            rule: "stale-invite",
            severity: "low",
            accountId: a.id,
            assetId: g.target.assetId,
            subject: subjectOf(g, people, logins, accounts),
            message: `The invitation on ${name} sent ${g.invitedOn} has waited ${age} days. Check it was accepted, or resend it.`,
            guide: catalog.guide(a.platform, "invite"),
          });
        }
      }
    }

    // The account-level rules read the facts of the whole account: counted above from every grant,
    // or, when only some subjects were read, given by the caller.
    let facts: AccountFacts;
    if (!accountScope || accountScope.subjects === "all") {
      const first = admins.values().next().value;
      facts = {
        adminCount: admins.size,
        soleAdmin: admins.size === 1 && first !== undefined ? people.get(first)! : null,
        outsiders: new Map(
          [...byOrg].map(([org, set]) => [org, [...set].map((p) => ({ id: p.id, name: p.name }))]),
        ),
      };
      factsOut.set(a.id, facts);
    } else {
      const given = givenFacts?.get(a.id);
      if (!given) throw new Error(`A re-check of some subjects of account ${a.id} needs its account facts.`);
      facts = given;
    }

    if (facts.adminCount === 0) {
      add({
        rule: "no-admin",
        severity: "critical",
        accountId: a.id,
        assetId: null,
        subject: null,
        message: `Nobody who still works with you is an admin of ${name}. If the platform account is locked or someone leaves, nobody can manage it.`,
        guide: catalog.guide(a.platform, "invite"),
      });
    } else if (facts.adminCount === 1 && facts.soleAdmin) {
      const p = facts.soleAdmin;
      add({
        rule: "single-admin",
        severity: "high",
        accountId: a.id,
        assetId: null,
        subject: personSubject(p),
        message: `${p.name} is the only admin of ${name}. Add a second admin from your business so one departure or lost phone cannot lock you out.`,
        guide: catalog.guide(a.platform, "invite"),
      });
    } else if (facts.adminCount > 10) {
      add({
        rule: "too-many-admins",
        severity: "low",
        accountId: a.id,
        assetId: null,
        subject: null,
        message: `${facts.adminCount} people are admins of ${name}. Keep admin roles to about ten people or fewer; most need a narrower role.`,
        guide: catalog.guide(a.platform, "change-role"),
      });
    }

    const owner = a.ownerPersonId ? people.get(a.ownerPersonId) : undefined;
    if (!owner)
      add({
        rule: "no-owner",
        severity: "medium",
        accountId: a.id,
        assetId: null,
        subject: null,
        message: `${name} has no accountable owner: name the person who answers for its access.`,
        guide: "general/owner-and-backup-owner",
      });
    else if (departed(owner))
      add({
        rule: "owner-departed",
        severity: "high",
        accountId: a.id,
        assetId: null,
        subject: personSubject(owner),
        message: `${owner.name}, the accountable owner of ${name}, has left. Hand ownership to someone who is still here.`,
        guide: catalog.guide(a.platform, "transfer-ownership") ?? "general/owner-and-backup-owner",
      });

    const backup = a.backupOwnerPersonId ? people.get(a.backupOwnerPersonId) : undefined;
    if (backup && departed(backup))
      add({
        rule: "backup-owner-departed",
        severity: "medium",
        accountId: a.id,
        assetId: null,
        subject: personSubject(backup),
        message: `${backup.name}, the backup owner of ${name}, has left. Name a backup owner who is still here, so someone can step in when the owner cannot.`,
        guide: "general/owner-and-backup-owner",
      });

    // Critical, like access kept by someone who left: whoever holds the recovery email or the
    // second factor can reset the password and take the account back, or lock the business out,
    // whatever roles the record shows. Removing their roles does not end it.
    const recovery = departedNamed(a.recoveryEmailHolder);
    const twoFactor = departedNamed(a.twoFactorHolder);
    for (const p of new Set([...recovery, ...twoFactor])) {
      const held = [
        recovery.includes(p) ? "the recovery email" : "",
        twoFactor.includes(p) ? "the two-step verification" : "",
      ].filter(Boolean);
      add({
        rule: "recovery-holder-departed",
        severity: "critical",
        accountId: a.id,
        assetId: null,
        subject: personSubject(p),
        message: `${p.name} has left but still holds ${held.join(" and ")} of ${name}. Whoever holds ${held.length > 1 ? "them" : "it"} can take the account back or lock the business out: move ${held.length > 1 ? "them" : "it"} to an address and a device the business controls.`,
        guide: "general/move-recovery-to-the-business",
      });
    }

    if (a.reviewCadenceDays) {
      const last = days(a.lastReviewedOn ?? a.createdOn);
      if (today - last > a.reviewCadenceDays) {
        add({
          rule: "review-overdue",
          severity: "low",
          accountId: a.id,
          assetId: null,
          subject: null,
          message: `${name} is due for its access review (every ${a.reviewCadenceDays} days; last ${a.lastReviewedOn ? `reviewed ${a.lastReviewedOn}` : `recorded ${a.createdOn}`}).`,
          guide: "general/quarterly-access-review",
        });
      }
    }

    const orgs = accountScope?.organizations ?? "all";
    for (const [org, list] of facts.outsiders) {
      if (list.length < 2 || (orgs !== "all" && !orgs.has(org))) continue;
      push({
        key: `external-individual-access:${org}:${a.id}`,
        rule: "external-individual-access",
        severity: "medium",
        accountId: a.id,
        assetId: null,
        subject: null,
        message: `${list.length} people from the same outside organization (${namesInShort(list)}) have individual access to ${name}. Connect their organization as a partner instead, so it manages its own staff.`,
        guide: catalog.guide(a.platform, "add-partner"),
      });
    }
  }
  // Sort by severity, rule, account name and subject name in the collator's order, comparing each
  // string's rank among the distinct values rather than the strings themselves.
  const accountName = (id: string | null) => (id ? (accounts.get(id)?.name ?? "") : "");
  const rule = ranks(out.map((f) => f.rule));
  const account = ranks(out.map((f) => accountName(f.accountId)));
  const subject = ranks(out.map((f) => f.subject?.name ?? ""));
  const findings = out
    .map((f) => ({
      f,
      k: [
        SEVERITIES.indexOf(f.severity),
        rule.get(f.rule)!,
        account.get(accountName(f.accountId))!,
        subject.get(f.subject?.name ?? "")!,
      ],
    }))
    .sort(
      (x, y) =>
        x.k[0]! - y.k[0]! ||
        x.k[1]! - y.k[1]! ||
        x.k[2]! - y.k[2]! ||
        x.k[3]! - y.k[3]! ||
        // Ties (two accounts of the same name, say) in a fixed order, whatever order the rules ran in.
        collator.compare(x.f.message, y.f.message) ||
        (x.f.key < y.f.key ? -1 : x.f.key > y.f.key ? 1 : 0),
    )
    .map((x) => x.f);
  return { findings, facts: factsOut };
}

/** Each distinct value's rank in the collator's order (values the collator holds equal share one). */
function ranks(values: string[]): Map<string, number> {
  const sorted = [...new Set(values)].sort(collator.compare);
  const out = new Map<string, number>();
  let rank = 0;
  sorted.forEach((v, i) => {
    if (i > 0 && collator.compare(sorted[i - 1]!, v) !== 0) rank = i;
    out.set(v, rank);
  });
  return out;
}

function subjectOf(
  g: FGrant,
  people: Map<string, FPerson>,
  logins: Map<string, FSharedLogin>,
  accounts: Map<string, FAccount>,
): Finding["subject"] {
  const s = g.subject;
  if (s.type === "person") {
    const p = people.get(s.personId);
    return p ? { type: "person", id: p.id, name: p.name, email: p.emails[0] ?? null } : null;
  }
  if (s.type === "shared_login") {
    const l = logins.get(s.sharedLoginId);
    return l ? { type: "shared_login", id: l.id, name: l.label, email: null } : null;
  }
  if (s.type === "partner") {
    const a = accounts.get(s.accountId);
    return a ? { type: "partner", id: a.id, name: a.name, email: null } : null;
  }
  return { type: "system_user", id: `${g.id}`, name: s.name, email: null };
}
