/**
 * The access engine's questions as recursive CTEs over the Record's tables (SQLite), for
 * bench/access-cte.ts. Each query returns the set of reachable nodes as rows (type, id), with the
 * engine's semantics (src/core/access/index.ts):
 * - only live grants: status 'active' and not expired on the day asked about;
 * - an account-level role that reaches all assets (the catalog's reachesAllAssets, kept here in
 *   the helper table bench_all_assets_role) gives every asset held in the account and everything
 *   shared with the account as a partner, transitively through partner chains, cycle-safe;
 * - a person assigned to an asset inside a partner's account reaches it while the partner still
 *   holds a live grant on the asset (or any account-level grant on the asset's account);
 * - whoever knows a shared login reaches what the login's grants reach.
 * Named parameters: :ws (workspace), :day (YYYY-MM-DD), and :asset, :account or :person.
 * Checked against the engine by bench/access-cte.ts (random queries, and tangled workspaces).
 */
import type { DatabaseSync } from "node:sqlite";
import { Kysely, SqliteDialect } from "kysely";
import type { IndexSnapshot } from "../src/core/access/types.ts";
import { PLATFORMS } from "../src/core/catalog/index.ts";
import { migrateToLatest } from "../src/store/migrate.ts";
import { NodeSqliteDatabase } from "../src/store/sqlite.ts";

export const WS = "00000000-0000-7000-8000-00000000be0c";
const ORG = "00000000-0000-7000-8000-00000000000a";

/** Account-level roles that reach every asset: (platform, lower-cased role name or alias). */
export function createAllAssetsRoleTable(db: DatabaseSync): number {
  db.exec(`create table if not exists bench_all_assets_role (
    platform text not null, role text not null, primary key (platform, role)) without rowid`);
  const put = db.prepare("insert or ignore into bench_all_assets_role (platform, role) values (?, ?)");
  let n = 0;
  for (const p of PLATFORMS)
    for (const r of p.accountRoles) {
      if (!r.reachesAllAssets) continue;
      for (const name of [r.name, ...(r.aliases ?? [])])
        n += Number(put.run(p.key, name.trim().toLowerCase()).changes);
    }
  return n;
}

/** Live on :day. */
const live = (g: string) => `${g}.status = 'active' and (${g}.expires_on is null or ${g}.expires_on >= :day)`;

/** Grant `g` on an account of platform `platform` is an account role that reaches all its assets. */
const allAssets = (g: string, platform: string) =>
  `(${g}.target_asset_id is null and exists (select 1 from bench_all_assets_role r
     where r.platform = ${platform} and r.role = lower(trim(${g}.role))))`;

/** The node a grant's subject is: a person, a partner account, a shared login, a system user (the grant). */
const subjectId = (g: string) => `case ${g}.subject_type when 'person' then ${g}.subject_person_id
  when 'partner' then ${g}.subject_account_id when 'shared_login' then ${g}.subject_shared_login_id
  else ${g}.id end`;

/*
 * Join order is pinned with CROSS JOIN (SQLite keeps it as written): from the few rows a query
 * starts at, out through indexes. Left to itself on a schema without statistics, the planner
 * walked every grant of the workspace to get rows in id order for a UNION.
 */

/**
 * From `seed(gid, stype, sid, blocked)` — grants that reach the target on their own — follow
 * partner subjects to whoever reaches all of each partner account, transitively, then list the
 * subjects and the people who know a shared login among them. A chain never re-enters the
 * target's account (:holder) nor the row's `blocked` account (the partner an assignment was made
 * in): the engine's `seen` set. UNION (not UNION ALL) makes the recursion cycle-safe.
 */
const whoTail = `
  hop(gid, stype, sid, blocked) as (
    select gid, stype, sid, blocked from seed
    union
    select g.id, g.subject_type, ${subjectId("g")}, h.blocked
      from hop h
      cross join platform_account a on a.workspace_id = :ws and a.id = h.sid
      cross join access_grant g on g.workspace_id = :ws and g.target_account_id = h.sid
                               and g.target_asset_id is null
     where h.stype = 'partner' and h.sid <> (select holder from target) and h.sid is not h.blocked
       and ${live("g")} and ${allAssets("g", "a.platform")}
  )
select distinct type, id from (
  select case h.stype when 'partner' then 'account' else h.stype end as type, h.sid as id
    from hop h
   where h.stype <> 'partner' or (h.sid <> (select holder from target) and h.sid is not h.blocked)
  union all
  select 'person', k.person_id
    from hop h
    cross join shared_login_knower k on k.workspace_id = :ws and k.shared_login_id = h.sid
   where h.stype = 'shared_login'
)`;

/** Who can reach one asset (:asset). */
export const WHO_ASSET = `with recursive
  target(asset_id, holder, platform) as (
    select x.id, x.account_id, a.platform
      from platform_asset x
      cross join platform_account a on a.workspace_id = :ws and a.id = x.account_id
     where x.workspace_id = :ws and x.id = :asset
  ),
  -- Live grants on the asset, in its own account or assigned inside a partner's account.
  on_asset as materialized (
    select g.id, g.subject_type, g.subject_account_id, g.subject_person_id, g.subject_shared_login_id,
           g.target_account_id
      from target t
      cross join access_grant g on g.workspace_id = :ws and g.target_asset_id = t.asset_id
     where ${live("g")}
  ),
  -- Partner accounts that hold the asset, or any account-level role on its account.
  holding(partner) as materialized (
    select subject_account_id from on_asset where subject_type = 'partner'
    union
    select g.subject_account_id
      from target t
      cross join access_grant g on g.workspace_id = :ws and g.target_account_id = t.holder
                               and g.target_asset_id is null
     where g.subject_type = 'partner' and ${live("g")}
       -- an account-level partner role shares the account's assets only if it reaches them all
       and ${allAssets("g", "(select pa.platform from platform_account pa where pa.id = g.target_account_id)")}
  ),
  seed(gid, stype, sid, blocked) as (
    -- a role on the asset held in its own account, or an assignment inside a partner's account
    -- while the partner still holds the asset
    select g.id, g.subject_type, ${subjectId("g")},
           case when g.target_account_id = t.holder then null else g.target_account_id end
      from target t
      cross join on_asset g
     where g.target_account_id = t.holder or g.target_account_id in (select partner from holding)
    union all
    -- an account role on the asset's account that reaches all of its assets
    select g.id, g.subject_type, ${subjectId("g")}, null
      from target t
      cross join access_grant g on g.workspace_id = :ws and g.target_account_id = t.holder
                               and g.target_asset_id is null
     where ${live("g")} and ${allAssets("g", "t.platform")}
  ),${whoTail}`;

/** Who can reach one account (:account): its account-level grants, whatever the role. */
export const WHO_ACCOUNT = `with recursive
  target(holder) as (
    select id from platform_account where workspace_id = :ws and id = :account
  ),
  seed(gid, stype, sid, blocked) as (
    select g.id, g.subject_type, ${subjectId("g")}, null
      from target t
      cross join access_grant g on g.workspace_id = :ws and g.target_account_id = t.holder
                               and g.target_asset_id is null
     where ${live("g")}
  ),${whoTail}`;

const reachHead = `with recursive
  start(gid, account_id, asset_id, role) as (
    select g.id, g.target_account_id, g.target_asset_id, g.role
      from access_grant g
     where g.workspace_id = :ws and g.subject_person_id = :person and g.subject_type = 'person'
       and ${live("g")}
    union all
    select g.id, g.target_account_id, g.target_asset_id, g.role
      from shared_login_knower k
      cross join access_grant g on g.workspace_id = :ws and g.subject_shared_login_id = k.shared_login_id
     where k.workspace_id = :ws and k.person_id = :person and g.subject_type = 'shared_login'
       and ${live("g")}
  ),
  -- Every grant followed, and whether it opens its whole account: then the grants that account
  -- holds as a partner are followed too. UNION keeps partner cycles finite.
  walk(gid, account_id, asset_id, opens) as (
    select s.gid, s.account_id, s.asset_id,
           s.asset_id is null and exists (select 1 from platform_account a
             cross join bench_all_assets_role r on r.platform = a.platform and r.role = lower(trim(s.role))
             where a.workspace_id = :ws and a.id = s.account_id)
      from start s
    union
    select p.id, p.target_account_id, p.target_asset_id,
           (select ${allAssets("p", "a.platform")} from platform_account a
             where a.workspace_id = :ws and a.id = p.target_account_id)
      from walk w
      cross join access_grant p on p.workspace_id = :ws and p.subject_account_id = w.account_id
     where w.opens and p.subject_type = 'partner' and ${live("p")}
  )`;

/**
 * Everything one person (:person) can reach. An asset assigned inside a partner's account counts
 * while the partner holds it: `lookup` checks each such grant through an index on the partner's
 * grants (as CTE_INDEXES adds); `scan`, for the schema as migrated, which has no such index,
 * reads each assigning partner's grants once (one scan of the grants, not one per assignment).
 */
export function reachSql(partnerCheck: "lookup" | "scan"): string {
  const onAsset = `
  -- Asset grants, with the account holding the asset.
  on_asset as materialized (
    select w.account_id, w.asset_id, x.account_id as holder
      from walk w
      cross join platform_asset x on x.workspace_id = :ws and x.id = w.asset_id
  )`;
  const common = `
  select 'account' as type, w.account_id as id from walk w where w.asset_id is null
  union all
  select 'asset', x.id
    from walk w
    cross join platform_asset x on x.workspace_id = :ws and x.account_id = w.account_id
   where w.opens
  union all`;
  if (partnerCheck === "lookup")
    return `${reachHead},${onAsset}
select distinct type, id from (${common}
  select 'asset', o.asset_id
    from on_asset o
   where o.account_id = o.holder
      or exists (select 1 from access_grant v
                  where v.workspace_id = :ws and v.subject_account_id = o.account_id
                    and v.target_asset_id = o.asset_id and v.subject_type = 'partner' and ${live("v")})
      or exists (select 1 from access_grant v
                  where v.workspace_id = :ws and v.subject_account_id = o.account_id
                    and v.target_asset_id is null and v.target_account_id = o.holder
                    and v.subject_type = 'partner' and ${live("v")}
                    and ${allAssets("v", "(select pa.platform from platform_account pa where pa.id = v.target_account_id)")})
)`;
  return `${reachHead},${onAsset},
  -- What the partner accounts assigning those assets hold, read once.
  partner_holds as materialized (
    select v.subject_account_id as partner, v.target_account_id, v.target_asset_id
      from (select distinct account_id from on_asset where account_id <> holder) p
      cross join access_grant v on v.workspace_id = :ws and v.subject_account_id = p.account_id
     where v.subject_type = 'partner' and ${live("v")}
       and (v.target_asset_id is not null
            or ${allAssets("v", "(select pa.platform from platform_account pa where pa.id = v.target_account_id)")})
  )
select distinct type, id from (${common}
  select 'asset', o.asset_id from on_asset o where o.account_id = o.holder
  union all
  -- a join, not a correlated EXISTS: SQLite would fill partner_holds again for every row
  select 'asset', o.asset_id
    from on_asset o
    cross join partner_holds v on v.partner = o.account_id
   where o.account_id <> o.holder
     and (v.target_asset_id = o.asset_id or (v.target_asset_id is null and v.target_account_id = o.holder))
)`;
}

/**
 * Not in the schema: indexes for every lookup these CTEs make — grants on an asset, account-level
 * grants on an account (the migrated grant_account_role_idx leads with the account and then the
 * asset, but does not cover the columns read), grants held by a partner account, a shared login or
 * a person, the logins a person knows, the assets of an account — each covering the columns the
 * query reads (the live check, the subject, the role), so no lookup has to visit the table's rows.
 */
export const CTE_INDEXES = [
  `create index if not exists bench_grant_asset_idx on access_grant (workspace_id, target_asset_id,
     status, expires_on, subject_type, subject_person_id, subject_account_id, subject_shared_login_id,
     target_account_id, id)`,
  `create index if not exists bench_grant_account_asset_idx on access_grant (workspace_id,
     target_account_id, target_asset_id, status, expires_on, subject_type, subject_person_id,
     subject_account_id, subject_shared_login_id, role, id)`,
  `create index if not exists bench_grant_partner_idx on access_grant (workspace_id, subject_account_id,
     target_asset_id, subject_type, status, expires_on, target_account_id, role, id)`,
  `create index if not exists bench_grant_login_idx on access_grant (workspace_id, subject_shared_login_id,
     subject_type, status, expires_on, target_account_id, target_asset_id, role, id)`,
  `create index if not exists bench_grant_person_idx on access_grant (workspace_id, subject_person_id,
     subject_type, status, expires_on, target_account_id, target_asset_id, role, id)`,
  "create index if not exists bench_knower_person_idx on shared_login_knower (workspace_id, person_id, shared_login_id)",
  "create index if not exists bench_asset_account_idx on platform_asset (workspace_id, account_id, id)",
];

/**
 * SQLite's page cache is 2 MiB by default, while the engine holds its whole index in memory: the
 * tuned CTEs read the database file through a memory map instead (the file is in the OS cache).
 */
export const CTE_MMAP = "pragma mmap_size = 8589934592";

// ---------------------------------------------------------------------------------------------
// The bench database: the real schema (all migrations), the workspace written row by row.

export async function createDatabase(path: string): Promise<NodeSqliteDatabase> {
  const sqlite = new NodeSqliteDatabase(path);
  const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateToLatest(db);
  return sqlite;
}

export function loadWorkspace(db: DatabaseSync, s: IndexSnapshot): void {
  const at = "2026-11-24T09:00:00.000Z";
  const insert = (table: string, columns: string[]) => {
    const stmt = db.prepare(
      `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
    );
    return (...values: (string | null)[]) => stmt.run(...values);
  };
  db.exec("begin");
  try {
    insert("organization", ["id", "name", "slug", "createdAt"])(WS, "CTE bench", "cte-bench", at);
    insert("record_organization", [
      "id",
      "workspace_id",
      "created_at",
      "updated_at",
      "name",
      "name_key",
      "kind",
    ])(ORG, WS, at, at, "Bench", "bench", "client");
    const person = insert("person", [
      "id",
      "workspace_id",
      "created_at",
      "updated_at",
      "name",
      "status",
      "left_on",
    ]);
    for (const p of s.people) person(p.id, WS, at, at, p.name, p.status, p.leftOn);
    const account = insert("platform_account", [
      "id",
      "workspace_id",
      "created_at",
      "updated_at",
      "platform",
      "name",
      "name_key",
      "organization_id",
    ]);
    for (const a of s.accounts) account(a.id, WS, at, at, a.platform, a.name, a.name.toLowerCase(), ORG);
    const asset = insert("platform_asset", [
      "id",
      "workspace_id",
      "created_at",
      "updated_at",
      "account_id",
      "organization_id",
      "type",
      "name",
    ]);
    for (const x of s.assets) asset(x.id, WS, at, at, x.accountId, ORG, "ad_account", x.name);
    const login = insert("shared_login", [
      "id",
      "workspace_id",
      "created_at",
      "updated_at",
      "label",
      "label_key",
    ]);
    const knower = db.prepare(
      "insert or ignore into shared_login_knower (workspace_id, shared_login_id, person_id) values (?, ?, ?)",
    );
    for (const l of s.sharedLogins) {
      login(l.id, WS, at, at, l.label, l.label.toLowerCase());
      for (const p of l.knownByPersonIds) knower.run(WS, l.id, p);
    }
    const grant = insert("access_grant", [
      "id",
      "workspace_id",
      "created_at",
      "updated_at",
      "subject_type",
      "subject_person_id",
      "subject_account_id",
      "subject_shared_login_id",
      "subject_name",
      "target_account_id",
      "target_asset_id",
      "role",
      "status",
      "expires_on",
      "source",
    ]);
    for (const g of s.grants) {
      const x = g.subject;
      grant(
        g.id,
        WS,
        at,
        at,
        x.type,
        x.type === "person" ? x.personId : null,
        x.type === "partner" ? x.accountId : null,
        x.type === "shared_login" ? x.sharedLoginId : null,
        x.type === "system_user" ? x.name : null,
        g.target.accountId,
        g.target.assetId,
        g.role,
        g.status,
        g.expiresOn,
        "imported",
      );
    }
    db.exec("commit");
  } catch (err) {
    db.exec("rollback");
    throw err;
  }
}
