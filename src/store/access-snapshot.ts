import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type Kysely, sql } from "kysely";
import type { AccessIndex } from "../core/access/index.ts";
import type {
  EncodedGrants,
  IndexAccount,
  IndexAsset,
  IndexGrant,
  IndexPerson,
  IndexSharedLogin,
  StreamedSnapshot,
} from "../core/access/types.ts";
import { batchGrants, GRANT_BATCH_ENTITY } from "../core/history/refs.ts";
import { sqliteOf } from "./bulk-insert.ts";
import { compiledQuery } from "./compiled.ts";
import { grantSubject, subjectIdOf } from "./record/shared.ts";
import type { DB } from "./schema.ts";

/** The latest history sequence number of a workspace: it moves on every change. */
export async function historyHead(db: Kysely<DB>, workspaceId: string): Promise<number> {
  const [r] = await newestSeq(db, workspaceId);
  return r ? Number(r.seq) : 0;
}

/** Read by every request that uses the access index or the findings: compiled once. */
const newestSeq = compiledQuery<[workspaceId: string], { seq: number | string }>((db, workspaceId) =>
  db
    .selectFrom("history")
    .select("seq")
    .where("workspace_id", "=", workspaceId)
    .orderBy("seq", "desc")
    .limit(1),
);

/** The history entity types whose changes the access index follows (see `loadEntity`). */
export const INDEXED_ENTITY_TYPES = ["grant", "person", "account", "asset", "shared_login"];

/**
 * Entities the index follows that changed after `seq`, in order, so an index can catch up without
 * a full reload; at most `limit` (a batch of imported grants counts each grant). Events of other
 * kinds (findings, plans, requests, reviews…) move the history head but not the index.
 */
export async function changedSince(
  db: Kysely<DB>,
  workspaceId: string,
  seq: number,
  limit: number,
): Promise<{ entity_type: string; entity_id: string }[]> {
  const rows = await db
    .selectFrom("history")
    .select([
      "entity_type",
      "entity_id",
      sql<unknown>`case when entity_type = ${GRANT_BATCH_ENTITY} then after end`.as("batch"),
    ])
    .where("workspace_id", "=", workspaceId)
    .where("seq", ">", seq)
    .where("entity_type", "in", [...INDEXED_ENTITY_TYPES, GRANT_BATCH_ENTITY])
    .orderBy("seq")
    .limit(limit)
    .execute();
  const out: { entity_type: string; entity_id: string }[] = [];
  for (const r of rows) {
    if (r.entity_type !== GRANT_BATCH_ENTITY) out.push(r);
    else
      for (const g of batchGrants(typeof r.batch === "string" ? JSON.parse(r.batch) : r.batch))
        if (typeof g.id === "string") out.push({ entity_type: "grant", entity_id: g.id });
    if (out.length >= limit) break;
  }
  return out;
}

const GRANT_COLUMNS = [
  "id",
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
] as const;
type GrantColumns = Pick<DB["access_grant"], (typeof GRANT_COLUMNS)[number]>;

const grantRow = (r: GrantColumns): IndexGrant => ({
  id: r.id,
  subject: grantSubject(r.subject_type, subjectIdOf(r), r.subject_name),
  target: { accountId: r.target_account_id, assetId: r.target_asset_id },
  role: r.role,
  status: r.status as IndexGrant["status"],
  expiresOn: r.expires_on,
});

/** The same, from a row read as an array in GRANT_COLUMNS order. */
const grantArray = (r: (string | null)[]): IndexGrant => ({
  id: r[0]!,
  subject: grantSubject(r[1]!, r[2] ?? r[3] ?? r[4] ?? null, r[5] ?? null),
  target: { accountId: r[6]!, assetId: r[7] ?? null },
  role: r[8]!,
  status: r[9] as IndexGrant["status"],
  expiresOn: r[10] ?? null,
});

/** Rows per page when grants are read from PostgreSQL in keyset pages. */
const PAGE = 50_000;

/**
 * Everything the access index needs. Grants are not materialised as one big array: on SQLite
 * they stream from one statement, grouped by target account, as the index consumes them (row arrays, only the columns the
 * index uses), so a rebuild at a million grants makes short-lived garbage only; on PostgreSQL
 * they are read in keyset pages.
 */
export async function loadSnapshot(
  db: Kysely<DB>,
  workspaceId: string,
  pageSize = PAGE,
): Promise<StreamedSnapshot> {
  const entities = await loadEntities(db, workspaceId);
  return { ...entities, grants: await readGrants(db, workspaceId, pageSize) };
}

/** The grants: streamed from one SQLite statement, grouped by target account, or PostgreSQL pages. */
async function readGrants(
  db: Kysely<DB>,
  workspaceId: string,
  pageSize = PAGE,
): Promise<Iterable<IndexGrant>> {
  const sqlite = sqliteOf(db);
  if (sqlite) {
    const stmt = sqlite.raw.prepare(
      `select ${GRANT_COLUMNS.join(", ")} from access_grant where workspace_id = ? order by target_account_id`,
    );
    stmt.setReturnArrays(true);
    return (function* () {
      for (const row of stmt.iterate(workspaceId)) yield grantArray(row as unknown as (string | null)[]);
    })();
  }
  const pages: IndexGrant[][] = [];
  for await (const page of grantPages(db, workspaceId, pageSize)) pages.push(page);
  return pages.flat();
}

/** A workspace's grants from PostgreSQL, a page at a time in ID order. */
async function* grantPages(
  db: Kysely<DB>,
  workspaceId: string,
  pageSize = PAGE,
): AsyncGenerator<IndexGrant[]> {
  let after: string | null = null;
  for (;;) {
    const rows: GrantColumns[] = await db
      .selectFrom("access_grant")
      .select([...GRANT_COLUMNS])
      .where("workspace_id", "=", workspaceId)
      .$if(after !== null, (q) => q.where("id", ">", after!))
      .orderBy("id")
      .limit(pageSize)
      .execute();
    yield rows.map(grantRow);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** How a workspace's index is loaded when it has many grants. */
export interface ParallelLoad {
  /**
   * From this many grants on (default 100,000), worker threads read and encode them from a SQLite
   * file, and PostgreSQL's come page by page into the index.
   */
  minGrants?: number;
  /** How many (default: the CPUs, at least 2, at most 4). */
  workers?: number;
  /** PostgreSQL: grants per page (default 50,000). */
  pageSize?: number;
}

/**
 * Load a workspace's access index from the store. From a SQLite file with many grants, worker
 * threads each read a range of target accounts from the file and send the grants encoded as
 * numbers, while this thread adds them to the index as they arrive; otherwise grants stream from
 * one statement (or PostgreSQL pages) into `AccessIndex.load`. Every read starts after the caller
 * noted the history head, so whatever a concurrent write adds is applied again on catch-up.
 */
export async function loadIndex(
  index: AccessIndex,
  db: Kysely<DB>,
  workspaceId: string,
  parallel: ParallelLoad = {},
): Promise<void> {
  const entities = await loadEntities(db, workspaceId);
  const { grantCount } = entities;
  const path = sqliteOf(db)?.path;
  const many = grantCount >= (parallel.minGrants ?? 100_000);
  if (many && !path) {
    // PostgreSQL: each page of grants goes into the index as it comes, so no more than one page of
    // grant objects is held at once (a million of them took 1.5 GB of heap while the index loaded).
    index.beginLoad(entities);
    for await (const page of grantPages(db, workspaceId, parallel.pageSize)) index.addGrants(page);
    index.endLoad();
    return;
  }
  if (!path || path === ":memory:" || !many)
    return index.load({ ...entities, grants: await readGrants(db, workspaceId) });
  const workers = Math.max(1, parallel.workers ?? Math.min(4, Math.max(2, availableParallelism())));
  // Ranges of target accounts with about as many accounts each.
  const ids = entities.accounts.map((a) => a.id).sort();
  const bounds: (string | null)[] = [null];
  for (let k = 1; k < workers; k++) bounds.push(ids[Math.floor((k * ids.length) / workers)] ?? null);
  bounds.push(null);
  index.beginLoad(entities);
  const running = new Set<Worker>();
  try {
    await new Promise<void>((resolve, reject) => {
      let left = workers;
      for (let k = 0; k < workers; k++) {
        const worker = new Worker(new URL("./access-snapshot-worker.ts", import.meta.url), {
          workerData: {
            path,
            workspaceId,
            from: bounds[k],
            to: bounds[k + 1],
            stream: k,
            batchSize: 32_768,
          },
        });
        running.add(worker);
        worker.on("message", (m: EncodedGrants | "done") => {
          if (m !== "done") {
            try {
              index.addEncoded(m);
            } catch (err) {
              reject(err);
            }
            return;
          }
          running.delete(worker);
          if (--left === 0) resolve();
        });
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (running.has(worker)) reject(new Error(`An index loading thread stopped (exit code ${code}).`));
        });
      }
    });
  } finally {
    for (const w of running) await w.terminate();
  }
  index.endLoad();
}

/** Everything but the grants, and how many grants there are. */
async function loadEntities(db: Kysely<DB>, workspaceId: string) {
  const [people, accounts, assets, logins, knowers] = await Promise.all([
    db
      .selectFrom("person")
      .select(["id", "name", "status", "left_on", "organization_id"])
      .where("workspace_id", "=", workspaceId)
      .execute(),
    db
      .selectFrom("platform_account")
      .select(["id", "name", "platform"])
      .where("workspace_id", "=", workspaceId)
      .execute(),
    db
      .selectFrom("platform_asset")
      .select(["id", "name", "account_id"])
      .where("workspace_id", "=", workspaceId)
      .execute(),
    db.selectFrom("shared_login").select(["id", "label"]).where("workspace_id", "=", workspaceId).execute(),
    db
      .selectFrom("shared_login_knower")
      .select(["shared_login_id", "person_id"])
      .where("workspace_id", "=", workspaceId)
      .execute(),
  ]);
  const count = await db
    .selectFrom("access_grant")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirstOrThrow();
  const known = new Map<string, string[]>();
  for (const k of knowers) {
    const list = known.get(k.shared_login_id);
    if (list) list.push(k.person_id);
    else known.set(k.shared_login_id, [k.person_id]);
  }
  return {
    people: people.map(
      (p): IndexPerson => ({
        id: p.id,
        name: p.name,
        status: p.status as IndexPerson["status"],
        leftOn: p.left_on,
        organizationId: p.organization_id,
      }),
    ),
    accounts: accounts.map((a): IndexAccount => ({ id: a.id, name: a.name, platform: a.platform })),
    assets: assets.map((a): IndexAsset => ({ id: a.id, name: a.name, accountId: a.account_id })),
    sharedLogins: logins.map(
      (l): IndexSharedLogin => ({ id: l.id, label: l.label, knownByPersonIds: known.get(l.id) ?? [] }),
    ),
    grantCount: Number(count.n),
  };
}

/** The current state of one changed entity, as index changes (a deleted grant becomes a removal). */
export async function loadEntity(db: Kysely<DB>, workspaceId: string, type: string, id: string) {
  const ws = workspaceId;
  if (type === "grant") {
    const r = await db
      .selectFrom("access_grant")
      .selectAll()
      .where("workspace_id", "=", ws)
      .where("id", "=", id)
      .executeTakeFirst();
    return r ? ({ kind: "grant", value: grantRow(r) } as const) : ({ kind: "remove-grant", id } as const);
  }
  if (type === "person") {
    const p = await db
      .selectFrom("person")
      .select(["id", "name", "status", "left_on", "organization_id"])
      .where("workspace_id", "=", ws)
      .where("id", "=", id)
      .executeTakeFirst();
    return p
      ? ({
          kind: "person",
          value: {
            id: p.id,
            name: p.name,
            status: p.status as IndexPerson["status"],
            leftOn: p.left_on,
            organizationId: p.organization_id,
          },
        } as const)
      : null;
  }
  if (type === "account") {
    const a = await db
      .selectFrom("platform_account")
      .select(["id", "name", "platform"])
      .where("workspace_id", "=", ws)
      .where("id", "=", id)
      .executeTakeFirst();
    return a ? ({ kind: "account", value: a } as const) : null;
  }
  if (type === "asset") {
    const a = await db
      .selectFrom("platform_asset")
      .select(["id", "name", "account_id"])
      .where("workspace_id", "=", ws)
      .where("id", "=", id)
      .executeTakeFirst();
    return a
      ? ({ kind: "asset", value: { id: a.id, name: a.name, accountId: a.account_id } } as const)
      : null;
  }
  if (type === "shared_login") {
    const l = await db
      .selectFrom("shared_login")
      .select(["id", "label"])
      .where("workspace_id", "=", ws)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!l) return null;
    const k = await db
      .selectFrom("shared_login_knower")
      .select("person_id")
      .where("workspace_id", "=", ws)
      .where("shared_login_id", "=", id)
      .execute();
    return {
      kind: "shared_login",
      value: { id: l.id, label: l.label, knownByPersonIds: k.map((x) => x.person_id) },
    } as const;
  }
  return null;
}
