import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import { AppError, notFound } from "../core/errors.ts";
import { GRANT_BATCH_ENTITY } from "../core/history/refs.ts";
import type { GrantView } from "../core/record/schemas.ts";
import { compiledQuery } from "./compiled.ts";
import { findingsRef, type StoredFinding, toStored } from "./findings.ts";
import { accountView, grantView, personView } from "./record/shared.ts";
import type { AccessGrantTable, DB } from "./schema.ts";
import { isPostgres, toIso } from "./schema.ts";

/**
 * The reads behind the account and person pages. Every list is bounded (a limit and a cursor),
 * and every query walks an index range of the account, asset or person asked about — never the
 * workspace's whole record, and never one query per grant.
 */

// ── grants, one group at a time ──────────────────────────────────────────────

/** Where the grants of a group are: on the account itself, on assets shared with it, or on one asset. */
export type GrantScope =
  | { on: "account"; accountId: string }
  | { on: "shared"; accountId: string }
  | { on: "asset"; assetId: string }
  | { on: "person"; personId: string };

/** The position after the last grant of a page, in the order pages are read. */
export interface GrantCursor {
  role: string;
  assetId: string | null;
  status: string;
  id: string;
  /** For a person's grants: the account the last grant was recorded in. */
  accountId?: string;
}

export interface GrantQuery {
  scope: GrantScope;
  /** Only grants of this role (a page's groups), or every role. */
  role?: string;
  limit: number;
  after?: GrantCursor | null;
}

/** A grant with what a page shows of its subject and target, resolved in the same query. */
export interface LabelledGrant extends GrantView {
  subjectLabel: string;
  subjectEmail: string | null;
  /** The subject is a person who has left. */
  subjectDeparted: boolean;
  accountName: string;
  asset: { id: string; name: string; type: string; holder: { id: string; name: string } } | null;
}

export interface GrantPage {
  grants: LabelledGrant[];
  nextCursor: string | null;
}

const STATUSES = new Set(["active", "pending", "revoked"]);

/** Cursors travel as opaque text: base64url of the last row's sort key. */
export function encodeCursor(c: GrantCursor): string {
  return Buffer.from(
    JSON.stringify([c.role, c.assetId, c.status, c.id, ...(c.accountId ? [c.accountId] : [])]),
  ).toString("base64url");
}

export function decodeCursor(text: string): GrantCursor {
  const bad = () =>
    new AppError("VALIDATION_FAILED", "The cursor is not one this API gave out.", {
      problems: [{ path: "cursor", message: "use the nextCursor of the previous answer, or leave it out" }],
    });
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  const str = (x: unknown) => typeof x === "string" && x.length > 0 && x.length <= 200;
  if (
    !Array.isArray(v) ||
    (v.length !== 4 && v.length !== 5) ||
    !str(v[0]) ||
    !(v[1] === null || str(v[1])) ||
    !STATUSES.has(v[2]) ||
    !str(v[3]) ||
    (v.length === 5 && !str(v[4]))
  )
    throw bad();
  return {
    role: v[0],
    assetId: v[1],
    status: v[2],
    id: v[3],
    ...(v.length === 5 ? { accountId: v[4] } : {}),
  };
}

type GrantIds = SelectQueryBuilder<DB & { g: AccessGrantTable }, "g", { id: string }>;

/**
 * The IDs of one page of one group, in page order, as a query to combine with others. The order
 * (role, then asset for shared ones, status — active, pending, revoked — then ID) is the order of
 * the indexes on (account, role, asset, status, id) and (asset, role, status, id), so each page is
 * one index range from the cursor on.
 */
function pageIds(db: Kysely<DB>, workspaceId: string, q: GrantQuery, extra: number): GrantIds {
  const s = q.scope;
  let b = db
    .selectFrom("access_grant as g")
    .select("g.id")
    .where("g.workspace_id", "=", workspaceId) as unknown as GrantIds;
  if (s.on === "account")
    b = b.where("g.target_account_id", "=", s.accountId).where("g.target_asset_id", "is", null);
  else if (s.on === "shared")
    b = b
      .where("g.target_account_id", "=", s.accountId)
      .where("g.target_asset_id", "is not", null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("platform_asset as h")
              .select("h.id")
              .whereRef("h.workspace_id", "=", "g.workspace_id")
              .whereRef("h.id", "=", "g.target_asset_id")
              .whereRef("h.account_id", "=", "g.target_account_id"),
          ),
        ),
      );
  else if (s.on === "asset") b = b.where("g.target_asset_id", "=", s.assetId);
  else b = b.where("g.subject_person_id", "=", s.personId);
  if (q.role !== undefined) b = b.where("g.role", "=", q.role);
  const a = q.after;
  if (a) {
    if (s.on === "person")
      b = b.where(({ eb, refTuple, tuple }) =>
        eb(refTuple("g.target_account_id", "g.id"), ">", tuple(a.accountId ?? "", a.id)),
      );
    else if (s.on === "shared")
      b = b.where(({ eb, refTuple, tuple }) =>
        eb(
          refTuple("g.role", "g.target_asset_id", "g.status", "g.id"),
          ">",
          tuple(a.role, a.assetId ?? "", a.status, a.id),
        ),
      );
    else
      b = b.where(({ eb, refTuple, tuple }) =>
        eb(refTuple("g.role", "g.status", "g.id"), ">", tuple(a.role, a.status, a.id)),
      );
  }
  b =
    s.on === "person"
      ? b.orderBy("g.target_account_id").orderBy("g.id")
      : s.on === "shared"
        ? b.orderBy("g.role").orderBy("g.target_asset_id").orderBy("g.status").orderBy("g.id")
        : b.orderBy("g.role").orderBy("g.status").orderBy("g.id");
  return b.limit(q.limit + extra);
}

/**
 * Grants (alias `g`) joined to what names them: their account (`ta`), asset (`x`), person (`p`),
 * partner account (`pa`) and shared login (`sl`), each by its key within the workspace.
 */
export function withGrantNames(q: SelectQueryBuilder<DB & { g: AccessGrantTable }, "g", object>) {
  return q
    .innerJoin("platform_account as ta", (j) =>
      j.onRef("ta.workspace_id", "=", "g.workspace_id").onRef("ta.id", "=", "g.target_account_id"),
    )
    .leftJoin("platform_asset as x", (j) =>
      j.onRef("x.workspace_id", "=", "g.workspace_id").onRef("x.id", "=", "g.target_asset_id"),
    )
    .leftJoin("person as p", (j) =>
      j.onRef("p.workspace_id", "=", "g.workspace_id").onRef("p.id", "=", "g.subject_person_id"),
    )
    .leftJoin("platform_account as pa", (j) =>
      j.onRef("pa.workspace_id", "=", "g.workspace_id").onRef("pa.id", "=", "g.subject_account_id"),
    )
    .leftJoin("shared_login as sl", (j) =>
      j.onRef("sl.workspace_id", "=", "g.workspace_id").onRef("sl.id", "=", "g.subject_shared_login_id"),
    );
}

/**
 * Pages of several groups in two queries: the IDs of every group (each an index range, combined
 * with UNION ALL), then those grants with their labels. `limit + 1` IDs are read per group to know
 * whether another page follows.
 */
export async function grantPages(
  db: Kysely<DB>,
  workspaceId: string,
  queries: GrantQuery[],
): Promise<GrantPage[]> {
  if (queries.length === 0) return [];
  // biome-ignore lint/suspicious/noExplicitAny: a UNION ALL of subqueries with one column each
  let union: any = null;
  queries.forEach((q, i) => {
    const part = db
      .selectFrom(pageIds(db, workspaceId, q, 1).as(`q${i}`))
      .select([sql<number>`${i}`.as("grp"), "id"]);
    union = union ? union.unionAll(part) : part;
  });
  // The IDs drive the query: the subquery stays first, ahead of the left joins, or SQLite would
  // read the workspace's grants to find them.
  const fromIds = db
    .selectFrom(union.as("u"))
    .innerJoin("access_grant as g", (j) =>
      j.onRef("g.id", "=", "u.id" as never).on("g.workspace_id", "=", workspaceId),
    ) as unknown as SelectQueryBuilder<DB & { g: AccessGrantTable }, "g", object>;
  const rows = await withGrantNames(fromIds)
    .leftJoin("platform_account as xa", (j) =>
      j.onRef("xa.workspace_id", "=", "x.workspace_id").onRef("xa.id", "=", "x.account_id"),
    )
    .selectAll("g")
    .select((eb) => [
      sql<number>`u.grp`.as("grp"),
      "ta.name as account_name",
      "p.name as person_name",
      "p.status as person_status",
      "pa.name as partner_name",
      "sl.label as login_label",
      "x.name as asset_name",
      "x.type as asset_type",
      "x.account_id as asset_holder_id",
      "xa.name as asset_holder_name",
      eb
        .selectFrom("person_email as e")
        // An expression, so SQLite reads this person's emails by person (one index range) rather
        // than walk the workspace's emails in order to find the smallest.
        .select(sql<string>`min(e.email || '')`.as("email"))
        .whereRef("e.workspace_id", "=", "g.workspace_id")
        .whereRef("e.person_id", "=", "g.subject_person_id")
        .as("person_email"),
    ])
    .execute();
  const pages: LabelledGrant[][] = queries.map(() => []);
  for (const r of rows) {
    const view = grantView(r as unknown as AccessGrantTable);
    const s = view.subject;
    const label =
      s.type === "person"
        ? (r.person_name ?? "Unknown person")
        : s.type === "partner"
          ? `${r.partner_name ?? "Unknown account"} (partner)`
          : s.type === "shared_login"
            ? `${r.login_label ?? "Shared login"} (shared login)`
            : `${s.name} (system user)`;
    pages[Number(r.grp)]!.push({
      ...view,
      subjectLabel: label,
      subjectEmail: (r.person_email as string | null) ?? null,
      subjectDeparted: r.person_status === "departed",
      accountName: r.account_name,
      asset:
        r.asset_name === null
          ? null
          : {
              id: view.target.assetId!,
              name: r.asset_name,
              type: r.asset_type ?? "",
              holder: { id: r.asset_holder_id ?? "", name: r.asset_holder_name ?? "" },
            },
    });
  }
  return pages.map((list, i) => {
    const q = queries[i]!;
    list.sort(pageOrder(q.scope));
    const more = list.length > q.limit;
    const page = list.slice(0, q.limit);
    const last = page.at(-1);
    return {
      grants: page,
      nextCursor:
        more && last
          ? encodeCursor({
              role: last.role,
              assetId: last.target.assetId,
              status: last.status,
              id: last.id,
              ...(q.scope.on === "person" ? { accountId: last.target.accountId } : {}),
            })
          : null,
    };
  });
}

/** The same order as the SQL above, for rows that came back through the join in any order. */
function pageOrder(scope: GrantScope) {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (x: LabelledGrant, y: LabelledGrant) =>
    scope.on === "person"
      ? cmp(x.target.accountId, y.target.accountId) || cmp(x.id, y.id)
      : cmp(x.role, y.role) ||
        (scope.on === "shared" ? cmp(x.target.assetId ?? "", y.target.assetId ?? "") : 0) ||
        cmp(x.status, y.status) ||
        cmp(x.id, y.id);
}

// ── the account ─────────────────────────────────────────────────────────────

export interface PersonRef {
  id: string;
  name: string;
  status: "active" | "departed";
}

/** The account with its organization's, owners' and open review's names, in one query. */
export async function accountHeader(db: Kysely<DB>, workspaceId: string, accountId: string) {
  const r = await db
    .selectFrom("platform_account as a")
    .innerJoin("record_organization as o", (j) =>
      j.onRef("o.workspace_id", "=", "a.workspace_id").onRef("o.id", "=", "a.organization_id"),
    )
    .leftJoin("person as op", (j) =>
      j.onRef("op.workspace_id", "=", "a.workspace_id").onRef("op.id", "=", "a.owner_person_id"),
    )
    .leftJoin("person as bp", (j) =>
      j.onRef("bp.workspace_id", "=", "a.workspace_id").onRef("bp.id", "=", "a.backup_owner_person_id"),
    )
    .selectAll("a")
    .select((eb) => [
      "o.name as org_name",
      "o.kind as org_kind",
      "op.name as owner_name",
      "op.status as owner_status",
      "bp.name as backup_name",
      "bp.status as backup_status",
      eb
        .selectFrom("access_review as r")
        .select("r.id")
        .whereRef("r.workspace_id", "=", "a.workspace_id")
        .whereRef("r.account_id", "=", "a.id")
        .where("r.status", "=", "open")
        .limit(1)
        .as("open_review_id"),
    ])
    .where("a.workspace_id", "=", workspaceId)
    .where("a.id", "=", accountId)
    .executeTakeFirst();
  if (!r) throw notFound("Account");
  const person = (id: string | null, name: string | null, status: string | null): PersonRef | null =>
    id && name ? { id, name, status: status === "departed" ? "departed" : "active" } : null;
  return {
    account: accountView(r),
    organization: { id: r.organization_id, name: r.org_name, kind: r.org_kind },
    owner: person(r.owner_person_id, r.owner_name, r.owner_status),
    backupOwner: person(r.backup_owner_person_id, r.backup_name, r.backup_status),
    openReviewId: (r.open_review_id as string | null) ?? null,
  };
}

/** Type and platform ID of some assets (a page's held and shared ones), by ID. */
export async function assetDetails(
  db: Kysely<DB>,
  workspaceId: string,
  ids: string[],
): Promise<Map<string, { type: string; platformId: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("platform_asset")
    .select(["id", "type", "platform_id"])
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { type: r.type, platformId: r.platform_id }]));
}

/** Open findings of one account (a snooze that ran out counts as open): counts by severity, the worst few. */
export async function openFindingsOf(
  db: Kysely<DB>,
  workspaceId: string,
  accountId: string,
  today: string,
  limit: number,
): Promise<{ counts: Record<string, number>; items: StoredFinding[] }> {
  const open = db
    .selectFrom("finding")
    .where("workspace_id", "=", workspaceId)
    .where("account_id", "=", accountId)
    .where((eb) =>
      eb.or([
        eb("status", "=", "open"),
        eb.and([eb("status", "=", "snoozed"), eb("snoozed_until", "<=", today)]),
      ]),
    );
  const severityRank = sql<number>`case severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end`;
  const items = await open
    .selectAll()
    .orderBy(severityRank)
    .orderBy("rule")
    .orderBy("key")
    .limit(limit)
    .execute();
  let counts: [string, number][];
  if (items.length < limit) {
    // Fewer than a page: these are all of them, so they are the counts too (most accounts).
    const n = new Map<string, number>();
    for (const r of items) n.set(r.severity, (n.get(r.severity) ?? 0) + 1);
    counts = [...n];
  } else {
    // Grouped by an expression, not the column: by the column, SQLite walks the workspace's
    // findings in severity order (finding_list_idx) to skip a sort, instead of reading this
    // account's few by account (finding_account_rule_idx).
    const rows = await open
      .select((eb) => [sql<string>`severity || ''`.as("severity"), eb.fn.countAll<number | string>().as("n")])
      .groupBy(sql`severity || ''`)
      .execute();
    counts = rows.map((c) => [c.severity, Number(c.n)]);
  }
  counts.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return { counts: Object.fromEntries(counts), items: items.map((r) => toStored(r, today)) };
}

// ── timelines ───────────────────────────────────────────────────────────────

export interface TimelineEvent {
  seq: number;
  id: string;
  at: string;
  actorLabel: string;
  entityType: string;
  entityId: string;
  action: string;
  /** What changed, in a few words: a grant's holder, role and asset; a record's name. */
  summary: string | null;
}

const parse = (v: unknown): Record<string, unknown> | null => {
  const o = typeof v === "string" ? JSON.parse(v) : v;
  return o && typeof o === "object" && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
};
const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);

type Named = "person" | "platform_account" | "shared_login" | "platform_asset";

/** The IDs a grant image names (and the table each is in), in the view's shape or an import's column names. */
function grantNames(image: Record<string, unknown>) {
  const subject = (image.subject ?? {}) as Record<string, unknown>;
  const target = (image.target ?? {}) as Record<string, unknown>;
  const candidates: [unknown, Named][] = [
    [subject.personId, "person"],
    [subject.accountId, "platform_account"],
    [subject.sharedLoginId, "shared_login"],
    [image.subject_person_id, "person"],
    [image.subject_account_id, "platform_account"],
    [image.subject_shared_login_id, "shared_login"],
  ];
  let who: { id: string; in: Named } | null = null;
  for (const [v, table] of candidates) {
    const id = text(v);
    if (id) {
      who = { id, in: table };
      break;
    }
  }
  return {
    subject: who,
    systemUser: text(subject.name) ?? text(image.subject_name),
    asset: text(target.assetId),
    role: text(image.role),
  };
}

/**
 * A few words for each event from its images, with the names of the people, accounts, assets and
 * shared logins they name read in one query (the images hold IDs), each ID looked up in its own
 * table only.
 */
async function summaries(
  db: Kysely<DB>,
  workspaceId: string,
  rows: { entity_type: string; entity_id: string; action: string; before: unknown; after: unknown }[],
): Promise<(string | null)[]> {
  const images = rows.map((r) => ({ before: parse(r.before), after: parse(r.after) }));
  const wanted: Record<Named, Set<string>> = {
    person: new Set(),
    platform_account: new Set(),
    shared_login: new Set(),
    platform_asset: new Set(),
  };
  for (const [i, r] of rows.entries()) {
    if (r.entity_type === GRANT_BATCH_ENTITY) wanted.platform_account.add(r.entity_id);
    if (r.entity_type !== "grant") continue;
    for (const image of [images[i]!.before, images[i]!.after]) {
      if (!image) continue;
      const n = grantNames(image);
      if (n.subject) wanted[n.subject.in].add(n.subject.id);
      if (n.asset) wanted.platform_asset.add(n.asset);
    }
  }
  const names: Record<Named, Map<string, string>> = {
    person: new Map(),
    platform_account: new Map(),
    shared_login: new Map(),
    platform_asset: new Map(),
  };
  const parts = (Object.keys(wanted) as Named[])
    .filter((table) => wanted[table].size > 0)
    .map((table) =>
      db
        .selectFrom(table)
        .select([sql.lit(table).as("t"), "id", table === "shared_login" ? "label as name" : "name"])
        .where("workspace_id", "=", workspaceId)
        .where("id", "in", [...wanted[table]]),
    );
  if (parts.length) {
    // biome-ignore lint/suspicious/noExplicitAny: a UNION ALL of the same three columns from different tables
    const union = parts.reduce((u: any, p) => u.unionAll(p));
    const found = (await union.execute()) as { t: Named; id: string; name: string }[];
    for (const f of found) names[f.t].set(f.id, f.name);
  }
  return rows.map((r, i) => {
    const { before, after } = images[i]!;
    const image = after ?? before;
    if (!image) return null;
    if (r.entity_type === "grant") {
      const now = grantNames({ ...(before ?? {}), ...(after ?? {}) });
      const who = (now.subject && names[now.subject.in].get(now.subject.id)) ?? now.systemUser;
      const was = before ? text(before.role) : null;
      const role =
        r.action === "change-role" && was && now.role && was !== now.role ? `${was} → ${now.role}` : now.role;
      const on = now.asset ? names.platform_asset.get(now.asset) : null;
      return [who, role, on ? `on ${on}` : null].filter(Boolean).join(" · ") || null;
    }
    if (r.entity_type === GRANT_BATCH_ENTITY) {
      const count = Number(image.count);
      const on = names.platform_account.get(r.entity_id);
      return `${count} ${count === 1 ? "grant" : "grants"}${on ? ` on ${on}` : ""}`;
    }
    if (["account", "asset", "person", "organization"].includes(r.entity_type)) return text(image.name);
    if (r.entity_type === "shared_login") return text(image.label);
    return null;
  });
}

/**
 * A version of one account's page: the newest history event listed under the account (its grants,
 * the grants on its assets, those it holds as a partner, its assets, requests and reviews), the
 * newest event about anything else that a page shows by name (people, organizations, accounts,
 * assets, shared logins, and batches of imported grants; not single grants, findings or plans),
 * the newest event of the account's own
 * findings (listed apart under `findingsRef`) and the day of the last full findings scan
 * (which re-words findings, such as an invitation's age, without an event). A page built
 * after reading a version shows at least what the version covers; while none of the three moves,
 * nothing on the page can have changed, whatever was written to other accounts. A few index
 * lookups in one round trip.
 */
export async function accountPageVersion(
  db: Kysely<DB>,
  workspaceId: string,
  accountId: string,
): Promise<string> {
  const [v] = await accountVersionQuery(db, workspaceId, accountId, findingsRef(accountId));
  return `${v?.listed ?? 0}:${v?.other ?? 0}:${v?.finding ?? 0}:${v?.day ?? ""}`;
}

/**
 * A version of one person's page, as `accountPageVersion` for an account: the newest event listed
 * under the person (their grants) and the newest event about anything a page shows by name (the
 * person themselves, their organization, the accounts they own, the logins they know). The page
 * shows no findings.
 */
export async function personPageVersion(
  db: Kysely<DB>,
  workspaceId: string,
  personId: string,
): Promise<string> {
  const [v] = await personVersionQuery(db, workspaceId, personId);
  return `${v?.listed ?? 0}:${v?.other ?? 0}`;
}

/** The newest event not about a grant, a finding or a plan: one entry of a partial index (migration 0018). */
const newestOutside = (workspaceId: string) =>
  sql`select seq from history where workspace_id = ${workspaceId}
    and entity_type not in ('grant', 'finding', 'plan') order by seq desc limit 1`;

// Asked at every view of a page, kept or not: compiled once.
const accountVersionQuery = compiledQuery<
  [workspaceId: string, accountId: string, findings: string | null],
  { listed: unknown; other: unknown; finding: unknown; day: unknown }
>(
  (_db, workspaceId, accountId, findings) => sql`select
      (select max(seq) from history_ref where workspace_id = ${workspaceId} and ref_id = ${accountId}) as listed,
      (${newestOutside(workspaceId)}) as other,
      (select max(seq) from history_ref where workspace_id = ${workspaceId} and ref_id = ${findings}) as finding,
      (select as_of from finding_scan where workspace_id = ${workspaceId}) as day`,
);
const personVersionQuery = compiledQuery<
  [workspaceId: string, personId: string],
  { listed: unknown; other: unknown }
>(
  (_db, workspaceId, personId) => sql`select
      (select max(seq) from history_ref where workspace_id = ${workspaceId} and ref_id = ${personId}) as listed,
      (${newestOutside(workspaceId)}) as other`,
);

/**
 * The latest changes of an account or a person and of everything listed under it (its assets and
 * grants, `history_ref`): two index ranges read backwards from `before`, merged. `nextBefore` is
 * set when older events remain.
 */
export async function timelineOf(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  opts: { limit: number; before?: number | null },
): Promise<{ events: TimelineEvent[]; nextBefore: number | null }> {
  const n = opts.limit + 1;
  const before = opts.before ?? null;
  const own = db
    .selectFrom("history")
    .select("seq")
    .where("workspace_id", "=", workspaceId)
    .where("entity_id", "=", id)
    .$if(before !== null, (q) => q.where("seq", "<", before!))
    .orderBy("seq", "desc")
    .limit(n);
  const listed = db
    .selectFrom("history_ref")
    .select("seq")
    .where("workspace_id", "=", workspaceId)
    .where("ref_id", "=", id)
    .$if(before !== null, (q) => q.where("seq", "<", before!))
    .orderBy("seq", "desc")
    .limit(n);
  // The newest `n` of both ranges (UNION: an event in both counts once), so only the events
  // shown are read from history, not twice as many.
  const seqs = db
    .selectFrom(
      db
        .selectFrom(own.as("o"))
        .select("o.seq")
        .union(db.selectFrom(listed.as("l")).select("l.seq"))
        .as("s"),
    )
    .select("s.seq")
    .orderBy("s.seq", "desc")
    .limit(n);
  // A batch of imported grants is shown by its size: its image, which lists up to 200
  // grants, is counted by the database rather than read here.
  const after = isPostgres(db)
    ? sql<unknown>`case when entity_type = ${GRANT_BATCH_ENTITY} then jsonb_build_object('count', jsonb_array_length(after->'grants')) else after end`
    : sql<unknown>`case when entity_type = ${GRANT_BATCH_ENTITY} then json_object('count', json_array_length(after, '$.grants')) else after end`;
  const rows = await db
    .selectFrom("history")
    .select([
      "seq",
      "id",
      "at",
      "actor_label",
      "entity_type",
      "entity_id",
      "action",
      "before",
      after.as("after"),
    ])
    .where("workspace_id", "=", workspaceId)
    .where("seq", "in", seqs)
    .orderBy("seq", "desc")
    .limit(n)
    .execute();
  const page = rows.slice(0, opts.limit);
  const summary = await summaries(db, workspaceId, page);
  const events = page.map((r, i) => ({
    seq: Number(r.seq),
    id: r.id,
    at: toIso(r.at),
    actorLabel: r.actor_label,
    entityType: r.entity_type,
    entityId: r.entity_id,
    action: r.action,
    summary: summary[i] ?? null,
  }));
  return { events, nextBefore: rows.length > opts.limit ? (events.at(-1)?.seq ?? null) : null };
}

// ── the person ──────────────────────────────────────────────────────────────

/** A person with their organization, grant counts, shared logins and the accounts they own. */
export async function personHeader(db: Kysely<DB>, workspaceId: string, personId: string) {
  const ws = workspaceId;
  const p = await db
    .selectFrom("person as p")
    .leftJoin("record_organization as o", (j) =>
      j.onRef("o.workspace_id", "=", "p.workspace_id").onRef("o.id", "=", "p.organization_id"),
    )
    .selectAll("p")
    .select(["o.name as org_name", "o.kind as org_kind"])
    .where("p.workspace_id", "=", ws)
    .where("p.id", "=", personId)
    .executeTakeFirst();
  if (!p) throw notFound("Person");
  const [emails, counts, logins, owned] = await Promise.all([
    db
      .selectFrom("person_email")
      .select("email")
      .where("workspace_id", "=", ws)
      .where("person_id", "=", personId)
      .orderBy("email")
      .execute(),
    db
      .selectFrom("access_grant")
      .select((eb) => ["status", eb.fn.countAll<number | string>().as("n")])
      .where("workspace_id", "=", ws)
      .where("subject_person_id", "=", personId)
      .groupBy("status")
      .execute(),
    db
      .selectFrom("shared_login_knower as k")
      .innerJoin("shared_login as l", (j) =>
        j.onRef("l.workspace_id", "=", "k.workspace_id").onRef("l.id", "=", "k.shared_login_id"),
      )
      .select(["l.id", "l.label"])
      .where("k.workspace_id", "=", ws)
      .where("k.person_id", "=", personId)
      .orderBy("l.label")
      .limit(100)
      .execute(),
    db
      .selectFrom("platform_account")
      .select(["id", "name", "platform", "owner_person_id"])
      .where("workspace_id", "=", ws)
      .where((eb) =>
        eb.or([eb("owner_person_id", "=", personId), eb("backup_owner_person_id", "=", personId)]),
      )
      .orderBy("name")
      .limit(100)
      .execute(),
  ]);
  const grants = { pending: 0, active: 0, revoked: 0 };
  for (const c of counts) if (c.status in grants) grants[c.status as keyof typeof grants] = Number(c.n);
  return {
    person: personView(
      p,
      emails.map((e) => e.email),
    ),
    organization:
      p.organization_id && p.org_name
        ? { id: p.organization_id, name: p.org_name, kind: p.org_kind ?? "" }
        : null,
    counts: { grants },
    sharedLogins: logins,
    owns: owned.map((a) => ({
      id: a.id,
      name: a.name,
      platform: a.platform,
      as: a.owner_person_id === personId ? ("owner" as const) : ("backup owner" as const),
    })),
  };
}
