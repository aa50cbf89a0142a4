import { hash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import {
  canonicalJson,
  chainFrame,
  chainInput,
  chainText,
  GENESIS_HASH,
  type HistoryEventBody,
} from "../core/history/canonical.ts";
import { namedRefs } from "../core/history/refs.ts";
import { uuidv7 } from "../core/ids.ts";
import { rowWriter } from "./bulk-insert.ts";
import { checkSeal, latestSeal } from "./history-seal.ts";
import type { DB } from "./schema.ts";
import { isPostgres, toIso } from "./schema.ts";

export interface Actor {
  userId: string | null;
  /** What people see: the user's email, or "import", "system". */
  label: string;
}

export interface HistoryEntry extends HistoryEventBody {
  prevHash: string;
  hash: string;
}

const sha256 = (text: string) => hash("sha256", text, "hex");

function parseJson(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? JSON.parse(v) : v;
}

/** One event to append: what happened to which entity, with its before and after images. */
export interface HistoryDraft {
  entityType: string;
  entityId: string;
  action: string;
  before?: unknown;
  after?: unknown;
  /**
   * The after image already written as canonical JSON (`canonicalWriter`), in place of `after`.
   * It is stored and hashed as given: anything but canonical JSON would fail verification.
   */
  afterJson?: string;
  /**
   * Accounts or people the event concerns besides those its images name (`namedRefs`): e.g. the
   * account that holds a grant's asset, or, with `afterJson`, what the after image names. The
   * event is listed under each in `history_ref`.
   */
  refs?: readonly (string | null | undefined)[];
}

/**
 * Append one event to the workspace's chain, inside the caller's transaction, so the change and
 * its history commit together or not at all. Appends to one workspace are serialised (row lock
 * on PostgreSQL; SQLite has a single writer) so sequence numbers never collide.
 */
export async function appendHistory(
  trx: Kysely<DB>,
  e: HistoryDraft & { workspaceId: string; actor: Actor; at: Date },
): Promise<HistoryEntry> {
  const entries: HistoryEntry[] = [];
  await append(trx, e.workspaceId, e.actor, e.at, [e], trx, entries);
  return entries[0]!;
}

/**
 * Append many events at once (imports), inside the caller's transaction: hashes are chained in
 * memory as the rows are written. Each event is also listed under the accounts and people it
 * concerns (`history_ref`), in the same transaction. Returns the number of events and the new head of the chain.
 */
export function appendHistoryBatch(
  trx: Kysely<DB>,
  workspaceId: string,
  actor: Actor,
  at: Date,
  events: Iterable<HistoryDraft>,
  /** The database the transaction belongs to: lets SQLite insert through one prepared statement. */
  root?: Kysely<DB>,
): Promise<{ events: number; head: string }> {
  return append(trx, workspaceId, actor, at, events, root ?? trx);
}

const HISTORY_COLUMNS = [
  "workspace_id",
  "seq",
  "id",
  "at",
  "actor_user_id",
  "actor_label",
  "entity_type",
  "entity_id",
  "action",
  "before",
  "after",
  "prev_hash",
  "hash",
] as const satisfies readonly (keyof DB["history"])[];

const REF_COLUMNS = ["workspace_id", "ref_id", "seq"] as const satisfies readonly (keyof DB["history_ref"])[];

async function append(
  trx: Kysely<DB>,
  workspaceId: string,
  actor: Actor,
  at: Date,
  events: Iterable<HistoryDraft>,
  root: Kysely<DB>,
  entries?: HistoryEntry[],
): Promise<{ events: number; head: string }> {
  if (!trx.isTransaction)
    throw new Error("appendHistoryBatch must run inside the transaction of the changes it records");
  if (isPostgres(trx)) {
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
  const first = last ? Number(last.seq) : 0;
  let seq = first;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const iso = at.toISOString();
  const ms = at.getTime();
  const writer = rowWriter(root, trx, "history", HISTORY_COLUMNS);
  const refWriter = rowWriter(root, trx, "history_ref", REF_COLUMNS);
  const refRow: unknown[] = [workspaceId, "", 0];
  const named = new Set<string>();
  const row: unknown[] = new Array(HISTORY_COLUMNS.length);
  row[0] = workspaceId;
  row[3] = iso;
  row[4] = actor.userId;
  row[5] = actor.label;
  const frame = chainFrame({ workspaceId, at: iso, actorUserId: actor.userId, actorLabel: actor.label });
  const body = { seq, id: "", entityType: "", entityId: "", action: "" };
  for (const e of events) {
    body.seq = ++seq;
    body.id = uuidv7(ms);
    body.entityType = e.entityType;
    body.entityId = e.entityId;
    body.action = e.action;
    // The images are stored as the same canonical text the hash covers.
    const before = e.before === undefined || e.before === null ? null : canonicalJson(e.before);
    const after = e.afterJson ?? (e.after === undefined || e.after === null ? null : canonicalJson(e.after));
    const hash = sha256(chainText(prevHash, frame, body, before ?? "null", after ?? "null"));
    row[1] = seq;
    row[2] = body.id;
    row[6] = e.entityType;
    row[7] = e.entityId;
    row[8] = e.action;
    row[9] = before;
    row[10] = after;
    row[11] = prevHash;
    row[12] = hash;
    writer.add(row);
    // afterJson is not parsed: its caller names what it concerns in `refs`.
    for (const r of namedRefs(e.entityType, e.before, e.afterJson === undefined ? e.after : undefined))
      named.add(r);
    if (e.refs) for (const r of e.refs) if (r) named.add(r);
    named.delete(e.entityId);
    refRow[2] = seq;
    for (const r of named) {
      refRow[1] = r;
      refWriter.add(refRow);
    }
    named.clear();
    entries?.push({
      workspaceId,
      at: iso,
      actorUserId: actor.userId,
      actorLabel: actor.label,
      ...body,
      before: e.before ?? null,
      after: e.after ?? null,
      prevHash,
      hash,
    });
    prevHash = hash;
  }
  await writer.end();
  await refWriter.end();
  return { events: seq - first, head: prevHash };
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
