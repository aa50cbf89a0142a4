import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError, notFound } from "../../core/errors.ts";
import { AccountView, GrantView, PersonView } from "../../core/record/schemas.ts";
import { decodeCursor, type GrantScope, grantPages, timelineOf } from "../../store/account-page.ts";
import { getAccount, getAsset, getPerson } from "../../store/record.ts";
import { defineRoute } from "../access.ts";
import type { PageService } from "../pages-service.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, problemResponses, WorkspaceParams, workspaceOf } from "./schemas.ts";

const AccountParams = WorkspaceParams.extend({
  accountId: z.string().openapi({ param: { name: "accountId", in: "path" } }),
});
const PersonParams = WorkspaceParams.extend({
  personId: z.string().openapi({ param: { name: "personId", in: "path" } }),
});

const StatusCounts = z
  .object({ pending: z.number().int(), active: z.number().int(), revoked: z.number().int() })
  .openapi("StatusCounts");
const Ref = z.object({ id: z.string(), name: z.string() });
const PersonRef = Ref.extend({ status: z.enum(["active", "departed"]) });

const PageGrant = GrantView.extend({
  subjectLabel: z
    .string()
    .openapi({ description: "who holds it, in words: a person's name, “Agency BC (partner)”…" }),
  subjectEmail: z.string().nullable().openapi({ description: "a person's first email" }),
  subjectDeparted: z.boolean().openapi({ description: "the subject is a person who has left" }),
  accountName: z.string().openapi({ description: "the account the grant is recorded in" }),
  asset: Ref.extend({ type: z.string(), holder: Ref }).nullable(),
}).openapi("PageGrant");

const GrantGroup = z
  .object({
    role: z.string(),
    admin: z.boolean().openapi({ description: "an admin-level role on this platform" }),
    total: z.number().int(),
    counts: StatusCounts,
    grants: z.array(PageGrant).openapi({ description: "the first ones: active, then pending, then revoked" }),
    nextCursor: z.string().nullable().openapi({ description: "for …/grants?cursor= when more follow" }),
  })
  .openapi("GrantGroup");

const PartnerLink = z
  .object({
    grantId: z.string(),
    partner: Ref,
    account: Ref,
    asset: Ref.nullable(),
    role: z.string(),
    status: z.enum(["pending", "active", "revoked"]),
  })
  .openapi("PartnerLink");
const Listed = <T extends z.ZodType>(item: T) => z.object({ total: z.number().int(), items: z.array(item) });

const TimelineEvent = z
  .object({
    seq: z.number(),
    id: z.string(),
    at: z.string(),
    actorLabel: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    action: z.string(),
    summary: z.string().nullable().openapi({
      description: "what changed, in a few words: a grant's holder, role and asset; a record's name",
    }),
  })
  .openapi("TimelineEvent");
const Timeline = z
  .object({
    events: z.array(TimelineEvent),
    nextBefore: z
      .number()
      .nullable()
      .openapi({ description: "for …/history?before= when older events remain" }),
  })
  .openapi("Timeline");

const AccountPage = z
  .object({
    asOf: z.string(),
    account: AccountView,
    organization: Ref.extend({ kind: z.string() }),
    owner: PersonRef.nullable(),
    backupOwner: PersonRef.nullable(),
    review: z.object({
      cadenceDays: z.number().nullable(),
      lastReviewedOn: z.string().nullable(),
      dueOn: z.string().nullable(),
      overdue: z.boolean(),
      openReviewId: z.string().nullable(),
    }),
    counts: z.object({
      grants: StatusCounts.openapi({
        description: "grants recorded in this account (on it or on its assets)",
      }),
      people: z.number().int().openapi({ description: "people holding a grant here that is not revoked" }),
      partners: z.number().int(),
      partnerOf: z.number().int(),
      assets: z.number().int(),
      sharedAssets: z.number().int(),
    }),
    grants: z
      .array(GrantGroup)
      .openapi({ description: "access to the account itself, by role, most powerful first" }),
    shared: z.array(GrantGroup).openapi({
      description: "grants recorded here on assets another account shared with this one, by role",
    }),
    assets: Listed(
      Ref.extend({
        type: z.string(),
        platformId: z.string().nullable(),
        grants: StatusCounts,
        roles: z.array(z.object({ role: z.string(), total: z.number().int() })),
      }),
    ),
    sharedAssets: Listed(Ref.extend({ type: z.string(), holder: Ref, grants: StatusCounts })),
    partners: Listed(PartnerLink).openapi({
      description: "partner accounts connected to this account or its assets",
    }),
    partnerOf: Listed(PartnerLink).openapi({
      description: "accounts (or their assets) this account is a partner of",
    }),
    findings: z.object({
      total: z.number().int(),
      counts: z.record(z.string(), z.number().int()),
      items: z.array(
        z.object({
          key: z.string(),
          rule: z.string(),
          severity: z.string(),
          assetId: z.string().nullable(),
          subject: z
            .object({ type: z.string(), id: z.string(), name: z.string(), email: z.string().nullable() })
            .nullable(),
          message: z.string(),
          guide: z.string().nullable(),
        }),
      ),
    }),
    timeline: Timeline,
  })
  .openapi("AccountPage");

const PersonPage = z
  .object({
    asOf: z.string(),
    person: PersonView,
    organization: Ref.extend({ kind: z.string() }).nullable(),
    counts: z.object({ grants: StatusCounts }),
    grants: z.object({
      total: z.number().int(),
      grants: z.array(PageGrant),
      nextCursor: z.string().nullable(),
    }),
    sharedLogins: z.array(z.object({ id: z.string(), label: z.string() })),
    owns: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        platform: z.string(),
        as: z.enum(["owner", "backup owner"]),
      }),
    ),
    timeline: Timeline,
  })
  .openapi("PersonPage");

const GrantList = z
  .object({ grants: z.array(PageGrant), nextCursor: z.string().nullable() })
  .openapi("GrantPage");

const limit = (max: number, dflt: number, what: string) =>
  z.coerce
    .number({ error: `limit must be a whole number from 1 to ${max}` })
    .int(`limit must be a whole number from 1 to ${max}`)
    .min(1, `limit must be a whole number from 1 to ${max}`)
    .max(max, `limit must be a whole number from 1 to ${max}`)
    .default(dflt)
    .openapi({ description: what });
const cursor = z
  .string()
  .max(2000)
  .optional()
  .openapi({ description: "the nextCursor of the previous page; leave out for the first" });
const before = z.coerce
  .number({ error: "before must be a history sequence number (the nextBefore of the previous answer)" })
  .int("before must be a history sequence number (the nextBefore of the previous answer)")
  .min(1, "before must be a history sequence number (the nextBefore of the previous answer)")
  .optional();

/** A page kept as JSON text (see PageService) goes out as it is: its shape is the route's schema. */
const jsonText = (c: Context, text: string) =>
  c.body(text, 200, { "content-type": "application/json; charset=UTF-8" }) as never;

/** Routes behind the account and person pages: each page in one request, and its long lists in pages. */
export function pageRoutes({ db }: RouteDeps, pages: PageService) {
  const app = createRouter();
  const ws = workspaceOf;

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/accounts/{accountId}/page",
      summary:
        "Everything the account page shows, bounded: the account, counts, grants by role (the first of each), assets, partners, open findings, latest changes",
      tags: ["Pages"],
      request: {
        params: AccountParams,
        query: z.object({ limit: limit(100, 10, "grants shown per role group") }),
      },
      responses: { 200: json(AccountPage, "The account page"), ...problemResponses },
    }),
    async (c) => {
      const text = await pages.accountPage(ws(c), c.req.valid("param").accountId, c.req.valid("query").limit);
      return jsonText(c, text);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/accounts/{accountId}/grants",
      summary:
        "Grants of an account, a page at a time: on the account itself, on assets shared with it, or on one of its assets; optionally of one role",
      tags: ["Pages"],
      request: {
        params: AccountParams,
        query: z.object({
          on: z
            .enum(["account", "shared", "asset"], { error: "on must be account, shared or asset" })
            .default("account")
            .openapi({
              description:
                "account: access to the account itself; shared: grants recorded here on assets another account shared with this one; asset: grants on the asset named by assetId (held in this account)",
            }),
          assetId: z.string().max(64).optional(),
          role: z.string().max(80).optional(),
          limit: limit(200, 50, "grants per page"),
          cursor,
        }),
      },
      responses: { 200: json(GrantList, "One page of grants"), ...problemResponses },
    }),
    async (c) => {
      const { accountId } = c.req.valid("param");
      const q = c.req.valid("query");
      const account = await getAccount(db, ws(c), accountId);
      let scope: GrantScope;
      if (q.on === "asset") {
        if (!q.assetId)
          throw new AppError("VALIDATION_FAILED", "Name the asset: on=asset needs assetId.", {
            problems: [{ path: "assetId", message: "required when on is asset" }],
          });
        const asset = await getAsset(db, ws(c), q.assetId);
        if (asset.accountId !== account.id) throw notFound("Asset");
        scope = { on: "asset", assetId: asset.id };
      } else {
        if (q.assetId)
          throw new AppError("VALIDATION_FAILED", "assetId goes with on=asset only.", {
            problems: [{ path: "assetId", message: "leave it out, or set on=asset" }],
          });
        scope = { on: q.on, accountId };
      }
      const [page] = await grantPages(db, ws(c), [
        { scope, role: q.role, limit: q.limit, after: q.cursor ? decodeCursor(q.cursor) : null },
      ]);
      return c.json(page!, 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/accounts/{accountId}/history",
      summary:
        "Changes of an account, its assets and the grants recorded in it, newest first, a page at a time",
      tags: ["Pages"],
      request: {
        params: AccountParams,
        query: z.object({ before, limit: limit(100, 20, "events per page") }),
      },
      responses: { 200: json(Timeline, "Events"), ...problemResponses },
    }),
    async (c) => {
      const { accountId } = c.req.valid("param");
      await getAccount(db, ws(c), accountId);
      const q = c.req.valid("query");
      return c.json(await timelineOf(db, ws(c), accountId, { limit: q.limit, before: q.before }), 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/people/{personId}/page",
      summary:
        "Everything the person page shows, bounded: the person, their first grants, shared logins, accounts they own, latest changes",
      tags: ["Pages"],
      request: {
        params: PersonParams,
        query: z.object({ limit: limit(100, 20, "grants shown") }),
      },
      responses: { 200: json(PersonPage, "The person page"), ...problemResponses },
    }),
    async (c) => {
      const text = await pages.personPage(ws(c), c.req.valid("param").personId, c.req.valid("query").limit);
      return jsonText(c, text);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/people/{personId}/grants",
      summary: "A person's grants, a page at a time, by the account they are recorded in",
      tags: ["Pages"],
      request: {
        params: PersonParams,
        query: z.object({ limit: limit(200, 50, "grants per page"), cursor }),
      },
      responses: { 200: json(GrantList, "One page of grants"), ...problemResponses },
    }),
    async (c) => {
      const { personId } = c.req.valid("param");
      await getPerson(db, ws(c), personId);
      const q = c.req.valid("query");
      const after = q.cursor ? decodeCursor(q.cursor) : null;
      const [page] = await grantPages(db, ws(c), [
        { scope: { on: "person", personId }, limit: q.limit, after },
      ]);
      return c.json(page!, 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/people/{personId}/history",
      summary: "Changes of a person and of their grants, newest first, a page at a time",
      tags: ["Pages"],
      request: {
        params: PersonParams,
        query: z.object({ before, limit: limit(100, 20, "events per page") }),
      },
      responses: { 200: json(Timeline, "Events"), ...problemResponses },
    }),
    async (c) => {
      const { personId } = c.req.valid("param");
      await getPerson(db, ws(c), personId);
      const q = c.req.valid("query");
      return c.json(await timelineOf(db, ws(c), personId, { limit: q.limit, before: q.before }), 200);
    },
  );

  return app;
}
