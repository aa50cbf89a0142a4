import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../../core/errors.ts";
import {
  getSettings,
  listNotifications,
  markRead,
  NOTIFICATION_TOPICS,
  setSettings,
} from "../../store/notifications.ts";
import { defineRoute } from "../access.ts";
import { calendarItems, createFeed, feedFor, feedStatus, renderCalendar, revokeFeed } from "../calendar.ts";
import type { AppEnv } from "../env.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, jsonBody, problemResponses, WorkspaceParams } from "./schemas.ts";

const Notification = z
  .object({
    id: z.string(),
    topic: z.enum(NOTIFICATION_TOPICS),
    title: z.string(),
    body: z.string(),
    link: z.string(),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .openapi("Notification");
const Settings = z
  .strictObject({
    email: z.boolean().describe("also send notifications by email"),
    mutedTopics: z
      .array(z.enum(NOTIFICATION_TOPICS, { error: `Topics are: ${NOTIFICATION_TOPICS.join(", ")}` }))
      .max(NOTIFICATION_TOPICS.length)
      .describe("topics you do not want to hear about"),
  })
  .openapi("NotificationSettings");
const Feed = z
  .object({
    active: z.boolean(),
    createdAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    url: z.string().optional().describe("shown once, when the feed is made: keep it secret"),
  })
  .openapi("CalendarFeed");

/** The in-app inbox, what each person wants to receive, and their personal calendar feed. */
export function notificationRoutes(deps: RouteDeps) {
  const { db, clock, config } = deps;
  const app = createRouter();
  const me = (c: Context<AppEnv>) => ({ ws: c.get("workspace").workspaceId, user: c.get("caller")!.userId });

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/notifications",
      summary: "Your inbox in this workspace, newest first, with the number unread",
      tags: ["Notifications"],
      request: { params: WorkspaceParams },
      responses: {
        200: json(z.object({ unread: z.number(), notifications: z.array(Notification) }), "Inbox"),
        ...problemResponses,
      },
    }),
    async (c) => c.json(await listNotifications(db, me(c).ws, me(c).user), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "post",
      path: "/workspaces/{workspaceId}/notifications/read",
      summary: "Mark notifications read: some by ID, or all",
      tags: ["Notifications"],
      request: {
        params: WorkspaceParams,
        body: jsonBody(
          z.union([
            z.strictObject({ ids: z.array(z.string().max(64)).min(1).max(500) }),
            z.strictObject({ all: z.literal(true) }),
          ]),
        ),
      },
      responses: { 200: json(z.object({ marked: z.number() }), "Marked"), ...problemResponses },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const marked = await markRead(db, me(c).ws, me(c).user, "all" in body ? "all" : body.ids, clock.now());
      return c.json({ marked }, 200);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/notification-settings",
      summary: "What you receive from this workspace",
      tags: ["Notifications"],
      request: { params: WorkspaceParams },
      responses: { 200: json(Settings, "Your settings"), ...problemResponses },
    }),
    async (c) => c.json(await getSettings(db, me(c).ws, me(c).user), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "put",
      path: "/workspaces/{workspaceId}/notification-settings",
      summary: "Choose what you receive: email or not, and topics to mute",
      tags: ["Notifications"],
      request: { params: WorkspaceParams, body: jsonBody(Settings) },
      responses: { 200: json(Settings, "Saved"), ...problemResponses },
    }),
    async (c) => c.json(await setSettings(db, me(c).ws, me(c).user, c.req.valid("json"), clock.now()), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/calendar-feed",
      summary: "Whether you have a calendar feed for this workspace",
      tags: ["Notifications"],
      request: { params: WorkspaceParams },
      responses: { 200: json(Feed, "Feed"), ...problemResponses },
    }),
    async (c) => c.json(await feedStatus(db, me(c).ws, me(c).user), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "post",
      path: "/workspaces/{workspaceId}/calendar-feed",
      summary: "Make a new secret calendar address (any earlier one stops working)",
      tags: ["Notifications"],
      request: { params: WorkspaceParams },
      responses: { 201: json(Feed, "Made; the address is shown once"), ...problemResponses },
    }),
    async (c) => {
      const token = await createFeed(db, me(c).ws, me(c).user, clock.now());
      return c.json(
        {
          ...(await feedStatus(db, me(c).ws, me(c).user)),
          url: `${config.publicUrl}/api/v1/calendar/${token}/delvia.ics`,
        },
        201,
      );
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "delete",
      path: "/workspaces/{workspaceId}/calendar-feed",
      summary: "Revoke your calendar address",
      tags: ["Notifications"],
      request: { params: WorkspaceParams },
      responses: { 204: { description: "Revoked" }, ...problemResponses },
    }),
    async (c) => {
      await revokeFeed(db, me(c).ws, me(c).user);
      return c.body(null, 204);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "public" },
      method: "get",
      path: "/calendar/{feedToken}/delvia.ics",
      summary:
        "A personal calendar (iCalendar): due dates of requests, plans and tasks, access reviews and access that runs out. The secret address is the key.",
      tags: ["Notifications"],
      request: {
        params: z.object({
          feedToken: z
            .string()
            .max(100)
            .openapi({ param: { name: "feedToken", in: "path" } }),
        }),
      },
      responses: {
        200: { description: "iCalendar", content: { "text/calendar": { schema: z.string() } } },
        404: problemResponses[404],
      },
    }),
    async (c) => {
      const feed = await feedFor(db, c.req.valid("param").feedToken);
      if (!feed)
        throw new AppError("NOT_FOUND", "This calendar address is not valid (it may have been revoked).");
      const now = clock.now();
      await db
        .updateTable("calendar_feed")
        .set({ last_used_at: now.toISOString() })
        .where("token_hash", "=", feed.tokenHash)
        .execute();
      const ws = await db
        .selectFrom("organization")
        .select("name")
        .where("id", "=", feed.workspaceId)
        .executeTakeFirstOrThrow();
      const body = renderCalendar(
        ws.name,
        await calendarItems(db, feed.workspaceId, feed.userId, now),
        config.publicUrl,
        now,
      );
      return c.body(body, 200, {
        "content-type": "text/calendar; charset=utf-8",
        "cache-control": "private, no-store",
      });
    },
  );
  return app;
}
