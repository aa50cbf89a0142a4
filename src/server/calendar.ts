import { createHash, randomBytes } from "node:crypto";
import ical, { ICalCalendarMethod } from "ical-generator";
import type { Kysely } from "kysely";
import { addDays, isoDay } from "../core/clock.ts";
import { FINAL } from "../core/requests/state.ts";
import { listPlans } from "../store/plans.ts";
import * as record from "../store/record.ts";
import { listRequests } from "../store/requests.ts";
import type { DB } from "../store/schema.ts";
import { lifetimeOf } from "./requests-service.ts";

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Make a new secret feed address for a user in a workspace; any earlier one stops working. */
export async function createFeed(
  db: Kysely<DB>,
  workspaceId: string,
  userId: string,
  now: Date,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom("calendar_feed")
      .where("workspace_id", "=", workspaceId)
      .where("user_id", "=", userId)
      .execute();
    await trx
      .insertInto("calendar_feed")
      .values({
        token_hash: hashToken(token),
        workspace_id: workspaceId,
        user_id: userId,
        created_at: now.toISOString(),
        last_used_at: null,
      })
      .execute();
  });
  return token;
}

export async function revokeFeed(db: Kysely<DB>, workspaceId: string, userId: string): Promise<boolean> {
  const r = await db
    .deleteFrom("calendar_feed")
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function feedStatus(db: Kysely<DB>, workspaceId: string, userId: string) {
  const r = await db
    .selectFrom("calendar_feed")
    .select(["created_at", "last_used_at"])
    .where("workspace_id", "=", workspaceId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return r
    ? {
        active: true,
        createdAt: new Date(r.created_at).toISOString(),
        lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
      }
    : { active: false, createdAt: null, lastUsedAt: null };
}

/** The feed a token opens, if the token is current and its user is still a member. */
export async function feedFor(db: Kysely<DB>, token: string) {
  const feed = await db
    .selectFrom("calendar_feed")
    .selectAll()
    .where("token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!feed) return null;
  const member = await db
    .selectFrom("member")
    .select("id")
    .where("organizationId", "=", feed.workspace_id)
    .where("userId", "=", feed.user_id)
    .executeTakeFirst();
  return member ? { workspaceId: feed.workspace_id, userId: feed.user_id, tokenHash: feed.token_hash } : null;
}

export interface CalendarItem {
  uid: string;
  day: string;
  summary: string;
  description: string;
  path: string;
}

/** Due dates of requests, plans and their tasks, access reviews and access that runs out. */
export async function calendarItems(
  db: Kysely<DB>,
  workspaceId: string,
  userId: string,
  now: Date,
): Promise<CalendarItem[]> {
  const ws = await db
    .selectFrom("organization")
    .select(["slug"])
    .where("id", "=", workspaceId)
    .executeTakeFirstOrThrow();
  const base = `/app/w/${ws.slug}`;
  const today = isoDay(now);
  const items: CalendarItem[] = [];
  for (const r of await listRequests(db, workspaceId, lifetimeOf, today)) {
    if (FINAL.includes(r.status)) continue;
    const path = `${base}/requests/${r.id}`;
    if (r.dueOn)
      items.push({
        uid: `request-due-${r.id}`,
        day: r.dueOn,
        summary: `Request due: ${r.title}`,
        description: `Waiting on ${r.contactName}. Status: ${r.status}.`,
        path,
      });
    if (r.invitationExpiresOn)
      items.push({
        uid: `request-expires-${r.id}`,
        day: r.invitationExpiresOn,
        summary: `Invitation runs out: ${r.title}`,
        description: "Accept the platform invitation before this day.",
        path,
      });
    if (r.nextReminderOn)
      items.push({
        uid: `request-chase-${r.id}`,
        day: r.nextReminderOn,
        summary: `Chase: ${r.title}`,
        description: `Remind ${r.contactName} if there is still no answer.`,
        path,
      });
  }
  for (const p of await listPlans(db, workspaceId)) {
    if (p.status !== "open") continue;
    const path = `${base}/plans/${p.id}`;
    if (p.dueOn)
      items.push({
        uid: `plan-due-${p.id}`,
        day: p.dueOn,
        summary: `Plan due: ${p.title}`,
        description: `${p.progress.done} of ${p.progress.total} tasks done.`,
        path,
      });
    if (p.recheckOn)
      items.push({
        uid: `plan-recheck-${p.id}`,
        day: p.recheckOn,
        summary: `Re-check: ${p.title}`,
        description: "Delvia re-checks the record for anything left.",
        path,
      });
    for (const t of p.tasks)
      if (t.status === "todo" && t.dueOn && (!t.assigneeUserId || t.assigneeUserId === userId))
        items.push({
          uid: `task-${t.id}`,
          day: t.dueOn,
          summary: `Task: ${t.title}`,
          description: `Part of "${p.title}".`,
          path,
        });
  }
  for (const a of await record.listAccounts(db, workspaceId)) {
    if (!a.reviewCadenceDays) continue;
    const from = a.lastReviewedOn ?? a.createdAt.slice(0, 10);
    items.push({
      uid: `review-${a.id}-${from}`,
      day: addDays(from, a.reviewCadenceDays),
      summary: `Access review: ${a.name}`,
      description: `Confirm who can get into ${a.name}.`,
      path: `${base}/accounts/${a.id}`,
    });
  }
  const people = new Map((await record.listPeople(db, workspaceId)).map((p) => [p.id, p.name]));
  const accounts = new Map((await record.listAccounts(db, workspaceId)).map((a) => [a.id, a.name]));
  for (const g of await record.listGrants(db, workspaceId)) {
    if (g.status !== "active" || !g.expiresOn) continue;
    const who = g.subject.type === "person" ? (people.get(g.subject.personId) ?? "Someone") : "Access";
    items.push({
      uid: `grant-expires-${g.id}`,
      day: g.expiresOn,
      summary: `Access ends: ${who} on ${accounts.get(g.target.accountId) ?? "an account"}`,
      description: `${g.role}. Remove it on the platform on this day if it was temporary.`,
      path: `${base}/accounts/${g.target.accountId}`,
    });
  }
  return items.sort((x, y) => x.day.localeCompare(y.day) || x.uid.localeCompare(y.uid));
}

/** An iCalendar document of all-day events, one per item. */
export function renderCalendar(name: string, items: CalendarItem[], publicUrl: string, now: Date): string {
  const host = new URL(publicUrl).host;
  const cal = ical({
    name: `Delvia: ${name}`,
    prodId: { company: "Delvia", product: "Delvia", language: "EN" },
    method: ICalCalendarMethod.PUBLISH,
    ttl: 3600,
  });
  for (const item of items) {
    const start = new Date(`${item.day}T00:00:00Z`);
    cal.createEvent({
      id: `${item.uid}@${host}`,
      start,
      end: new Date(start.getTime() + 86_400_000),
      allDay: true,
      stamp: now,
      summary: item.summary,
      description: `${item.description}\n${publicUrl}${item.path}`,
      url: `${publicUrl}${item.path}`,
    });
  }
  return cal.toString();
}
