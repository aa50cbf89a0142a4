import type { Kysely } from "kysely";
import type { DB } from "./schema.ts";

export interface ProgressKey {
  workspaceId: string;
  userId: string;
  guideRef: string;
  /** What the guide was opened for (an account, a finding…), or "" for the guide on its own. */
  context: string;
}

export async function getProgress(db: Kysely<DB>, k: ProgressKey): Promise<number[]> {
  const row = await db
    .selectFrom("guide_progress")
    .select("done_steps")
    .where("workspace_id", "=", k.workspaceId)
    .where("user_id", "=", k.userId)
    .where("guide_ref", "=", k.guideRef)
    .where("context", "=", k.context)
    .executeTakeFirst();
  if (!row) return [];
  const v = typeof row.done_steps === "string" ? JSON.parse(row.done_steps) : row.done_steps;
  return Array.isArray(v) ? v.filter((n): n is number => Number.isInteger(n)) : [];
}

/** Replace the set of ticked steps (idempotent: the same request twice leaves the same state). */
export async function setProgress(db: Kysely<DB>, k: ProgressKey, done: number[], now: Date): Promise<void> {
  const steps = JSON.stringify([...new Set(done)].sort((a, b) => a - b));
  await db
    .insertInto("guide_progress")
    .values({
      workspace_id: k.workspaceId,
      user_id: k.userId,
      guide_ref: k.guideRef,
      context: k.context,
      done_steps: steps,
      updated_at: now.toISOString(),
    })
    .onConflict((oc) =>
      oc
        .columns(["workspace_id", "user_id", "guide_ref", "context"])
        .doUpdateSet({ done_steps: steps, updated_at: now.toISOString() }),
    )
    .execute();
}
