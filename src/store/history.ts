import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { chainInput, GENESIS_HASH, type HistoryEventBody } from "../core/history/canonical.ts";
import { uuidv7 } from "../core/ids.ts";
import { bulkInsert } from "./bulk-insert.ts";
import { checkSeal, latestSeal } from "./history-seal.ts";
import type { DB } from "./schema.ts";
import { toIso } from "./schema.ts";

export interface Actor {
  userId: string | null;
  /** What people see: the user's email, or "import", "system". */
  label: string;
}

export interface HistoryEntry extends HistoryEventBody {
  prevHash: string;
  hash: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function parseJson(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? JSON.parse(v) : v;
}

/**
 * Append one event to the workspace's chain, inside the caller's transaction, so the change and
 * its history commit together or not at all. Appends to one workspace are serialised (row lock
 * on PostgreSQL; SQLite has a single writer) so sequence numbers never collide.
 */
export async function appendHistory(
  trx: Kysely<DB>,
  e: {
    workspaceId: string;
    actor: Actor;
    at: Date;
    entityType: string;
    entityId: string;
    action: string;
    before?: unknown;
    after?: unknown;
  },
): Promise<HistoryEntry> {
  const [entry] = await appendHistoryBatch(trx, e.workspaceId, e.actor, e.at, [e]);
  return entry!;
}

/**
 * Append many events at once (imports): hashes are chained in memory and rows inserted in
 * multi-row batches, inside the caller's transaction.
 */
export async function appendHistoryBatch(
  trx: Kysely<DB>,
  workspaceId: string,
  actor: Actor,
  at: Date,
  events: { entityType: string; entityId: string; action: string; before?: unknown; after?: unknown }[],
  /** The database the transaction belongs to: lets SQLite insert through one prepared statement. */
  root?: Kysely<DB>,
): Promise<HistoryEntry[]> {
  if (!trx.isTransaction)
    throw new Error("appendHistoryBatch must run inside the transaction of the changes it records");
  if (events.length === 0) return [];
  if (trx.getExecutor().adapter.constructor.name === "PostgresAdapter") {
    // NO KEY UPDATE, not UPDATE: the change being recorded already holds a KEY SHARE lock on this
    // row through its foreign key, and two writers upgrading to FOR UPDATE would deadlock.
    await sql`select id from organization where id = ${workspaceId} for no key update`.execute(trx);
  }
  const last = await trx
    .selectFrom("history")
    .select(["seq", "hash"])
    .where("workspace_id", "=", workspaceId)
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  let seq = last ? Number(last.seq) : 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const iso = at.toISOString();
  const rows: DB["history"][] = [];
  const entries: HistoryEntry[] = [];
  for (const e of events) {
    seq++;
    const body: HistoryEventBody = {
      workspaceId,
      seq,
      id: uuidv7(at.getTime()),
      at: iso,
      actorUserId: actor.userId,
      actorLabel: actor.label,
      entityType: e.entityType,
      entityId: e.entityId,
      action: e.action,
      before: e.before ?? null,
      after: e.after ?? null,
    };
    const hash = sha256(chainInput(prevHash, body));
    rows.push({
      workspace_id: workspaceId,
      seq,
      id: body.id,
      at: iso,
      actor_user_id: body.actorUserId,
      actor_label: body.actorLabel,
      entity_type: body.entityType,
      entity_id: body.entityId,
      action: body.action,
      before: body.before === null ? null : JSON.stringify(body.before),
      after: body.after === null ? null : JSON.stringify(body.after),
      prev_hash: prevHash,
      hash,
    });
    entries.push({ ...body, prevHash, hash });
    prevHash = hash;
  }
  await bulkInsert(root ?? trx, trx, "history", rows as unknown as Record<string, unknown>[], 2000);
  return entries;
}

function toEntry(r: DB["history"]): HistoryEntry {
  return {
    workspaceId: r.workspace_id,
    seq: Number(r.seq),
    id: r.id,
    at: toIso(r.at),
    actorUserId: r.actor_user_id,
    actorLabel: r.actor_label,
    entityType: r.entity_type,
    entityId: r.entity_id,
    action: r.action,
    before: parseJson(r.before),
    after: parseJson(r.after),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Events about one entity (or several), newest first. */
export async function historyOf(
  db: Kysely<DB>,
  workspaceId: string,
  entityIds: string[],
  limit = 200,
): Promise<HistoryEntry[]> {
  if (entityIds.length === 0) return [];
  const rows = await db
    .selectFrom("history")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("entity_id", "in", entityIds)
    .orderBy("seq", "desc")
    .limit(limit)
    .execute();
  return rows.map(toEntry);
}

export type VerifyResult =
  | {
      ok: true;
      events: number;
      head: string;
      /** With a seal key: when the head was last signed ("none" when it never was). */
      seal?: { sealedAt: string; seq: number } | "none";
    }
  | { ok: false; events: number; brokenAt: number; reason: string };

/**
 * Walk a workspace's chain from the start and recompute every hash. Reports the first event
 * whose stored hash, link to its predecessor or sequence number does not hold.
 */
export async function verifyHistory(
  db: Kysely<DB>,
  workspaceId: string,
  opts: { sealKey?: Buffer; now?: Date } = {},
): Promise<VerifyResult> {
  const sealed = opts.sealKey ? await latestSeal(db, workspaceId) : undefined;
  let hashAtSeal: string | undefined;
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  const pageSize = 5000;
  for (;;) {
    const rows = await db
      .selectFrom("history")
      .selectAll()
      .where("workspace_id", "=", workspaceId)
      .where("seq", ">=", expectedSeq)
      .orderBy("seq")
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      const e = toEntry(r);
      if (e.seq !== expectedSeq)
        return {
          ok: false,
          events: count,
          brokenAt: expectedSeq,
          reason: `event ${expectedSeq} is missing (next stored is ${e.seq})`,
        };
      if (e.prevHash !== prev)
        return {
          ok: false,
          events: count,
          brokenAt: e.seq,
          reason: `event ${e.seq} does not link to event ${e.seq - 1}`,
        };
      const { prevHash: _p, hash: _h, ...body } = e;
      if (sha256(chainInput(prev, body)) !== e.hash)
        return {
          ok: false,
          events: count,
          brokenAt: e.seq,
          reason: `event ${e.seq} was changed after it was written`,
        };
      prev = e.hash;
      if (sealed && e.seq === sealed.seq) hashAtSeal = e.hash;
      expectedSeq++;
      count++;
    }
    if (rows.length < pageSize) break;
  }
  if (!opts.sealKey) return { ok: true, events: count, head: prev };
  const check = await checkSeal(
    db,
    opts.sealKey,
    workspaceId,
    count,
    () => hashAtSeal,
    opts.now ?? new Date(),
  );
  switch (check.status) {
    case "none":
      return { ok: true, events: count, head: prev, seal: "none" };
    case "ok":
      return {
        ok: true,
        events: count,
        head: prev,
        seal: { sealedAt: check.seal.sealedAt, seq: check.seal.seq },
      };
    case "forged":
      return {
        ok: false,
        events: count,
        brokenAt: check.seal.seq,
        reason: `the seal of ${check.seal.sealedAt} was not signed with this instance's key`,
      };
    case "truncated":
      return {
        ok: false,
        events: count,
        brokenAt: count + 1,
        reason: `the history ends at event ${count}, but event ${check.seal.seq} was sealed on ${check.seal.sealedAt}: events were removed from the end`,
      };
    case "mismatch":
      return {
        ok: false,
        events: count,
        brokenAt: check.seal.seq,
        reason: `event ${check.seal.seq} differs from the one sealed on ${check.seal.sealedAt}`,
      };
  }
}
