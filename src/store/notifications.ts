import type { Kysely } from "kysely";
import { uuidv7 } from "../core/ids.ts";
import type { DB } from "./schema.ts";
import { isPostgres, toIso } from "./schema.ts";

export const NOTIFICATION_TOPICS = ["requests", "plans", "reviews", "access"] as const;
export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];

export interface NotificationView {
  id: string;
  topic: NotificationTopic;
  title: string;
  body: string;
  link: string;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationSettings {
  email: boolean;
  mutedTopics: NotificationTopic[];
}

export async function listNotifications(
  db: Kysely<DB>,
  workspaceId: string,
  userId: string,
  limit = 100,
): Promise<{ unread: number; notifications: NotificationView[] }> {
  const rows = await db
    .selectFrom("notification")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  const unread = await db
    .selectFrom("notification")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return {
    unread: Number(unread.n),
    notifications: rows.map((r) => ({
      id: r.id,
      topic: r.topic as NotificationTopic,
      title: r.title,
      body: r.body,
      link: r.link,
      createdAt: toIso(r.created_at),
      readAt: r.read_at ? toIso(r.read_at) : null,
    })),
  };
}

export async function markRead(
  db: Kysely<DB>,
  workspaceId: string,
  userId: string,
  ids: string[] | "all",
  now: Date,
): Promise<number> {
  let q = db
    .updateTable("notification")
    .set({ read_at: now.toISOString() })
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .where("read_at", "is", null);
  if (ids !== "all") {
    if (ids.length === 0) return 0;
    q = q.where("id", "in", ids);
  }
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function getSettings(
  db: Kysely<DB>,
  workspaceId: string,
  userId: string,
): Promise<NotificationSettings> {
  const r = await db
    .selectFrom("notification_setting")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!r) return { email: true, mutedTopics: [] };
  const muted = typeof r.muted_topics === "string" ? JSON.parse(r.muted_topics) : r.muted_topics;
  return { email: Boolean(r.email), mutedTopics: muted as NotificationTopic[] };
}

export async function setSettings(
  db: Kysely<DB>,
  workspaceId: string,
  userId: string,
  s: NotificationSettings,
  now: Date,
): Promise<NotificationSettings> {
  const row = {
    workspace_id: workspaceId,
    user_id: userId,
    email: isPostgres(db) ? s.email : s.email ? 1 : 0,
    muted_topics: JSON.stringify([...new Set(s.mutedTopics)]),
    updated_at: now.toISOString(),
  };
  await db
    .insertInto("notification_setting")
    .values(row)
    .onConflict((oc) =>
      oc.columns(["workspace_id", "user_id"]).doUpdateSet({
        email: row.email,
        muted_topics: row.muted_topics,
        updated_at: row.updated_at,
      }),
    )
    .execute();
  return getSettings(db, workspaceId, userId);
}

/**
 * Put a notification in a user's inbox once: the key makes a repeat (another server, a retry)
 * a no-op. Returns whether it was new, so the caller emails only new ones.
 */
export async function addNotification(
  db: Kysely<DB>,
  n: {
    workspaceId: string;
    userId: string;
    topic: NotificationTopic;
    key: string;
    title: string;
    body: string;
    link: string;
  },
  now: Date,
): Promise<string | null> {
  const id = uuidv7(now.getTime());
  const r = await db
    .insertInto("notification")
    .values({
      id,
      workspace_id: n.workspaceId,
      user_id: n.userId,
      topic: n.topic,
      key: n.key,
      title: n.title,
      body: n.body,
      link: n.link,
      created_at: now.toISOString(),
      read_at: null,
      emailed_at: null,
    })
    .onConflict((oc) => oc.columns(["user_id", "key"]).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0 ? id : null;
}

export async function markEmailed(db: Kysely<DB>, id: string, now: Date): Promise<void> {
  await db.updateTable("notification").set({ emailed_at: now.toISOString() }).where("id", "=", id).execute();
}

// ── the scheduler's jobs: claimed by inserting their key, exactly once across servers ──
export async function claimJob(
  db: Kysely<DB>,
  job: { key: string; workspaceId: string; kind: string; payload: unknown },
  instanceId: string,
  now: Date,
): Promise<boolean> {
  const r = await db
    .insertInto("scheduled_job")
    .values({
      key: job.key,
      workspace_id: job.workspaceId,
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      created_at: now.toISOString(),
      claimed_by: instanceId,
      claimed_at: now.toISOString(),
      done_at: null,
      error: null,
    })
    .onConflict((oc) => oc.column("key").doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Take over a job whose claimer stopped before finishing it (its lease ran out). */
export async function reclaimStaleJobs(db: Kysely<DB>, instanceId: string, now: Date, leaseMs: number) {
  const cutoff = new Date(now.getTime() - leaseMs).toISOString();
  const stale = await db
    .selectFrom("scheduled_job")
    .select(["key", "workspace_id", "kind", "payload", "claimed_at"])
    .where("done_at", "is", null)
    .where("claimed_at", "<", cutoff)
    .limit(100)
    .execute();
  const mine: typeof stale = [];
  for (const j of stale) {
    const r = await db
      .updateTable("scheduled_job")
      .set({ claimed_by: instanceId, claimed_at: now.toISOString() })
      .where("key", "=", j.key)
      .where("done_at", "is", null)
      .where("claimed_at", "=", j.claimed_at)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) mine.push(j);
  }
  return mine.map((j) => ({
    key: j.key,
    workspaceId: j.workspace_id,
    kind: j.kind,
    payload: typeof j.payload === "string" ? JSON.parse(j.payload) : j.payload,
  }));
}

export async function finishJob(db: Kysely<DB>, key: string, now: Date, error: string | null): Promise<void> {
  await db
    .updateTable("scheduled_job")
    .set(
      error ? { error, claimed_at: new Date(0).toISOString() } : { done_at: now.toISOString(), error: null },
    )
    .where("key", "=", key)
    .execute();
}
