/**
 * The access sheet: the spreadsheet people keep today, one grant per row. This module checks a
 * parsed sheet and turns it into normalised rows; it writes nothing. Any problem anywhere means
 * nothing is imported, and every problem is reported as row, column, value and reason.
 */
export const SHEET_COLUMNS = [
  "platform",
  "account",
  "account_id",
  "account_org",
  "account_owner",
  "asset",
  "asset_type",
  "asset_id",
  "subject",
  "subject_type",
  "email",
  "subject_org",
  "role",
  "status",
  "invited_on",
  "granted_on",
  "expires_on",
  "person_status",
  "left_on",
  "known_by",
  "notes",
] as const;
export type SheetColumn = (typeof SHEET_COLUMNS)[number];
const REQUIRED: SheetColumn[] = ["platform", "account", "account_org", "subject", "role"];
const SUBJECT_TYPES = ["person", "partner", "system_user", "shared_login"] as const;
const STATUSES = ["active", "pending", "revoked"] as const;

export interface SheetProblem {
  /** 1-based line in the file: the header is row 1. */
  row: number;
  column: string;
  value: string;
  reason: string;
}

/** What the import needs to know of the platform catalog. */
export interface SheetCatalog {
  isBuiltIn(platform: string): boolean;
  /** Canonical role, or the list of valid ones. `level` is "account" or an asset type. */
  resolveRole(platform: string, level: string, input: string): { role: string } | { valid: string[] };
  /** Asset types of a built-in platform. */
  assetTypes(platform: string): string[];
}

export interface SheetRow {
  row: number;
  platform: string;
  account: { name: string; platformId: string | null; org: string; ownerEmail: string | null };
  asset: { name: string; type: string; platformId: string | null } | null;
  subject:
    | {
        type: "person";
        name: string;
        email: string;
        org: string | null;
        status: "active" | "departed";
        leftOn: string | null;
      }
    | { type: "partner"; name: string; org: string | null }
    | { type: "system_user"; name: string }
    | { type: "shared_login"; name: string; knownBy: string[] };
  role: string;
  status: (typeof STATUSES)[number];
  invitedOn: string | null;
  grantedOn: string | null;
  expiresOn: string | null;
  notes: string | null;
}

/** Linear on any input: the domain's labels and dots cannot overlap, and length is capped first. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const EMAIL = { test: (s: string) => s.length <= 254 && EMAIL_SHAPE.test(s) };
const PLATFORM_WORD = /^[a-z0-9][a-z0-9-]{0,39}$/;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar day written YYYY-MM-DD (proleptic Gregorian, as `Date` reads it). */
export function validDay(v: string): boolean {
  const m = DAY.exec(v);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** The catalog's answers, asked once per distinct question: a sheet repeats them on every row. */
function memoCatalog(catalog: SheetCatalog): SheetCatalog {
  const builtIn = new Map<string, boolean>();
  const types = new Map<string, string[]>();
  const roles = new Map<string, ReturnType<SheetCatalog["resolveRole"]>>();
  return {
    isBuiltIn: (p) => {
      const known = builtIn.get(p);
      if (known !== undefined) return known;
      const answer = catalog.isBuiltIn(p);
      builtIn.set(p, answer);
      return answer;
    },
    assetTypes: (p) => {
      const known = types.get(p);
      if (known) return known;
      const answer = catalog.assetTypes(p);
      types.set(p, answer);
      return answer;
    },
    resolveRole: (p, level, input) => {
      const k = `${p}\u0000${level}\u0000${input}`;
      const known = roles.get(k);
      if (known) return known;
      const answer = catalog.resolveRole(p, level, input);
      roles.set(k, answer);
      return answer;
    },
  };
}

/**
 * Check a sheet given as its header and data rows (strings). Returns normalised rows when there
 * is no problem at all, and the full list of problems otherwise.
 */
export function checkAccessSheet(
  header: string[],
  data: string[][],
  sheetCatalog: SheetCatalog,
): { rows: SheetRow[]; problems: SheetProblem[] } {
  const catalog = memoCatalog(sheetCatalog);
  const problems: SheetProblem[] = [];
  const columns = header.map((h) => h.trim().toLowerCase());
  const index = new Map<string, number>();
  columns.forEach((c, i) => {
    if (!(SHEET_COLUMNS as readonly string[]).includes(c)) {
      problems.push({
        row: 1,
        column: c || `(column ${i + 1})`,
        value: header[i] ?? "",
        reason: `unknown column; the columns are: ${SHEET_COLUMNS.join(", ")}`,
      });
    } else if (index.has(c)) {
      problems.push({ row: 1, column: c, value: header[i] ?? "", reason: "this column appears twice" });
    } else index.set(c, i);
  });
  for (const c of REQUIRED)
    if (!index.has(c)) problems.push({ row: 1, column: c, value: "", reason: "required column is missing" });
  if (problems.length) return { rows: [], problems };

  const at = Object.fromEntries(SHEET_COLUMNS.map((c) => [c, index.get(c) ?? -1])) as Record<
    SheetColumn,
    number
  >;
  const rows: SheetRow[] = [];
  data.forEach((cells, i) => {
    const row = i + 2;
    const get = (c: SheetColumn) => {
      const a = at[c];
      return a < 0 ? "" : (cells[a] ?? "").trim();
    };
    const problem = (column: SheetColumn, reason: string) =>
      problems.push({ row, column, value: get(column), reason });
    if (cells.every((c) => c.trim() === "")) return; // blank lines are allowed
    if (cells.length > columns.length)
      problems.push({
        row,
        column: `(column ${columns.length + 1})`,
        value: cells[columns.length] ?? "",
        reason: "this row has more cells than the header",
      });

    for (const c of REQUIRED) if (!get(c)) problem(c, "required value is empty");
    const platform = get("platform").toLowerCase();
    if (platform && !PLATFORM_WORD.test(platform))
      problem(
        "platform",
        "use a catalog platform (tiktok, meta, youtube, google-ads, …) or one word for a custom platform",
      );
    const builtIn = catalog.isBuiltIn(platform);

    const day = (c: SheetColumn): string | null => {
      const v = get(c);
      if (!v) return null;
      if (!validDay(v)) {
        problem(c, "not a date: use YYYY-MM-DD");
        return null;
      }
      return v;
    };
    const invitedOn = day("invited_on");
    const grantedOn = day("granted_on");
    const expiresOn = day("expires_on");
    const leftOn = day("left_on");

    const statusRaw = get("status").toLowerCase() || "active";
    if (!(STATUSES as readonly string[]).includes(statusRaw))
      problem("status", `use one of: ${STATUSES.join(", ")}`);

    const ownerEmail = get("account_owner").toLowerCase() || null;
    if (ownerEmail && !EMAIL.test(ownerEmail)) problem("account_owner", "not an email address");

    let asset: SheetRow["asset"] = null;
    if (get("asset") || get("asset_id") || get("asset_type")) {
      const type = get("asset_type").toLowerCase();
      if (!get("asset"))
        problem(
          "asset",
          "name the asset (or leave asset, asset_type and asset_id all empty for the account itself)",
        );
      if (!type) problem("asset_type", "say what kind of asset it is");
      else if (builtIn && !catalog.assetTypes(platform).includes(type))
        problem(
          "asset_type",
          `not an asset type of ${platform}; use one of: ${catalog.assetTypes(platform).join(", ")}`,
        );
      asset = { name: get("asset"), type, platformId: get("asset_id") || null };
    }

    const subjectType = get("subject_type").toLowerCase() || "person";
    let subject: SheetRow["subject"] | null = null;
    if (!(SUBJECT_TYPES as readonly string[]).includes(subjectType))
      problem("subject_type", `use one of: ${SUBJECT_TYPES.join(", ")}`);
    else if (subjectType === "person") {
      const email = get("email").toLowerCase();
      if (!email) problem("email", "a person needs an email: it identifies them across rows");
      else if (!EMAIL.test(email)) problem("email", "not an email address");
      const ps = get("person_status").toLowerCase() || (leftOn ? "departed" : "active");
      if (ps !== "active" && ps !== "departed") problem("person_status", "use active or departed");
      subject = {
        type: "person",
        name: get("subject"),
        email,
        org: get("subject_org") || null,
        status: ps === "departed" ? "departed" : "active",
        leftOn,
      };
    } else if (subjectType === "partner")
      subject = { type: "partner", name: get("subject"), org: get("subject_org") || null };
    else if (subjectType === "system_user") subject = { type: "system_user", name: get("subject") };
    else {
      const knownBy = get("known_by")
        .split(";")
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean);
      for (const e of knownBy) if (!EMAIL.test(e)) problem("known_by", `"${e}" is not an email address`);
      subject = { type: "shared_login", name: get("subject"), knownBy };
    }
    if (subjectType !== "shared_login" && get("known_by"))
      problem("known_by", "only shared logins have people who know them");

    let role = get("role");
    if (role && builtIn) {
      const level = asset?.type || "account";
      const resolved = catalog.resolveRole(platform, level, role);
      if ("role" in resolved) role = resolved.role;
      else
        problem(
          "role",
          `unknown role for ${level === "account" ? `a ${platform} account` : `a ${platform} ${level}`}; valid roles: ${resolved.valid.join(", ")}`,
        );
    }
    if (subject && platform && get("account") && get("account_org") && role) {
      rows.push({
        row,
        platform,
        account: {
          name: get("account"),
          platformId: get("account_id") || null,
          org: get("account_org"),
          ownerEmail,
        },
        asset,
        subject,
        role,
        status: statusRaw as SheetRow["status"],
        invitedOn,
        grantedOn,
        expiresOn,
        notes: get("notes") || null,
      });
    }
  });
  return { rows: problems.length ? [] : rows, problems };
}
