import { createHmac, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "./schema.ts";
import { toIso } from "./schema.ts";

/** The key that signs history heads: derived from the instance secret, never stored in the database. */
export function sealKey(secret: string): Buffer {
  return createHmac("sha256", secret).update("delvia history seal v1").digest();
}

const macOf = (key: Buffer, ws: string, seq: number, hash: string, at: string) =>
  createHmac("sha256", key).update(`${ws}\n${seq}\n${hash}\n${at}`).digest("hex");

/** Re-seal a workspace whose head moved, and every workspace at least this often. */
export const SEAL_EVERY_MS = 60 * 60_000;

/**
 * Sign the head (last sequence number and hash) of each workspace's chain that moved since its
 * last seal, or whose seal is older than `SEAL_EVERY_MS`. Returns how many seals were written.
 */
export async function sealHeads(db: Kysely<DB>, key: Buffer, now: Date): Promise<number> {
  // One index seek per workspace for its head: a correlated max() over the whole history table
  // reads every event ever written.
  const workspaces = await db.selectFrom("organization").select("id").execute();
  const heads: { workspace_id: string; seq: string | number | bigint; hash: string }[] = [];
  for (const w of workspaces) {
    const head = await db
      .selectFrom("history")
      .select(["workspace_id", "seq", "hash"])
      .where("workspace_id", "=", w.id)
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    if (head) heads.push(head);
  }
  let written = 0;
  for (const h of heads) {
    const last = await latestSeal(db, h.workspace_id);
    const seq = Number(h.seq);
    const fresh = last && now.getTime() - Date.parse(last.sealedAt) < SEAL_EVERY_MS;
    if (last && last.seq === seq && last.hash === h.hash && fresh) continue;
    const at = now.toISOString();
    if (last && Date.parse(last.sealedAt) >= now.getTime()) continue; // one seal per instant
    await db
      .insertInto("history_seal")
      .values({
        workspace_id: h.workspace_id,
        sealed_at: at,
        seq,
        hash: h.hash,
        mac: macOf(key, h.workspace_id, seq, h.hash, at),
      })
      .onConflict((oc) => oc.columns(["workspace_id", "sealed_at"]).doNothing())
      .execute();
    written++;
  }
  return written;
}

export interface Seal {
  seq: number;
  hash: string;
  sealedAt: string;
  mac: string;
}

export async function latestSeal(db: Kysely<DB>, workspaceId: string): Promise<Seal | undefined> {
  const r = await db
    .selectFrom("history_seal")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("sealed_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return r ? { seq: Number(r.seq), hash: r.hash, sealedAt: toIso(r.sealed_at), mac: r.mac } : undefined;
}

export type SealCheck =
  | { status: "none" }
  | { status: "ok"; seal: Seal; ageMs: number }
  | { status: "forged"; seal: Seal }
  | { status: "truncated"; seal: Seal; chainEvents: number }
  | { status: "mismatch"; seal: Seal };

/**
 * Check the chain against its latest seal: the seal's MAC must hold, and the chain must still hold
 * the sealed event with the sealed hash. `hashAt(seq)` reads the chain's hash at a sequence number.
 */
export async function checkSeal(
  db: Kysely<DB>,
  key: Buffer,
  workspaceId: string,
  chainEvents: number,
  hashAt: (seq: number) => string | undefined,
  now: Date,
): Promise<SealCheck> {
  const seal = await latestSeal(db, workspaceId);
  if (!seal) return { status: "none" };
  const expected = Buffer.from(macOf(key, workspaceId, seal.seq, seal.hash, seal.sealedAt), "hex");
  const got = Buffer.from(seal.mac, "hex");
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return { status: "forged", seal };
  if (chainEvents < seal.seq) return { status: "truncated", seal, chainEvents };
  if (hashAt(seal.seq) !== seal.hash) return { status: "mismatch", seal };
  return { status: "ok", seal, ageMs: now.getTime() - Date.parse(seal.sealedAt) };
}
