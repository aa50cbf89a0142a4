import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  AccountInput,
  AccountView,
  AssetInput,
  AssetView,
  GrantInput,
  GrantView,
  OrganizationInput,
  OrganizationView,
  PersonInput,
  PersonView,
  patchOf,
  SharedLoginInput,
  SharedLoginView,
} from "../../core/record/schemas.ts";
import { historyOf } from "../../store/history.ts";
import * as record from "../../store/record.ts";
import { defineRoute } from "../access.ts";
import type { AppEnv } from "../env.ts";
import { canonicalGrant, checkAssetType, checkPlatform, checkRecordInput } from "../record-policy.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, jsonBody, problemResponses, WorkspaceParams, workspaceOf, writeContext } from "./schemas.ts";

const idParam = (name: string) =>
  WorkspaceParams.extend({ [name]: z.string().openapi({ param: { name, in: "path" } }) });
const list = <T extends z.ZodType>(key: string, schema: T) => z.object({ [key]: z.array(schema) });
const errors = { ...problemResponses, 409: problemResponses[400] };

const HistoryEntry = z
  .object({
    seq: z.number(),
    id: z.string(),
    at: z.string(),
    actorLabel: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    action: z.string(),
    before: z.unknown(),
    after: z.unknown(),
  })
  .openapi("HistoryEntry");

/** Routes of the Record: organizations, people, accounts, assets, shared logins, grants, history. */
export function recordRoutes(deps: RouteDeps) {
  const { db, clock } = deps;
  const app = createRouter();
  const ctx = (c: Context<AppEnv>) => writeContext(c, clock);
  const ws = workspaceOf;

  // organizations
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/organizations",
      summary: "Organizations in the record",
      tags: ["Record"],
      request: { params: WorkspaceParams },
      responses: { 200: json(list("organizations", OrganizationView), "Organizations"), ...problemResponses },
    }),
    async (c) => c.json({ organizations: await record.listOrganizations(db, ws(c)) }, 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/organizations",
      summary: "Add an organization (your business, a client, an agency…)",
      tags: ["Record"],
      request: { params: WorkspaceParams, body: jsonBody(OrganizationInput) },
      responses: { 201: json(OrganizationView, "Created"), ...errors },
    }),
    async (c) =>
      c.json(await record.createOrganization(db, ctx(c), checkRecordInput(c.req.valid("json"))), 201),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/organizations/{organizationId}",
      summary: "One organization",
      tags: ["Record"],
      request: { params: idParam("organizationId") },
      responses: { 200: json(OrganizationView, "The organization"), ...problemResponses },
    }),
    async (c) =>
      c.json(await record.getOrganization(db, ws(c), c.req.valid("param").organizationId as string), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "patch",
      path: "/workspaces/{workspaceId}/organizations/{organizationId}",
      summary: "Change an organization",
      tags: ["Record"],
      request: { params: idParam("organizationId"), body: jsonBody(patchOf(OrganizationInput)) },
      responses: { 200: json(OrganizationView, "Changed"), ...errors },
    }),
    async (c) =>
      c.json(
        await record.updateOrganization(
          db,
          ctx(c),
          c.req.valid("param").organizationId as string,
          checkRecordInput(c.req.valid("json")),
        ),
        200,
      ),
  );

  // people
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/people",
      summary: "People in the record",
      tags: ["Record"],
      request: { params: WorkspaceParams },
      responses: { 200: json(list("people", PersonView), "People"), ...problemResponses },
    }),
    async (c) => c.json({ people: await record.listPeople(db, ws(c)) }, 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/people",
      summary: "Add a person",
      tags: ["Record"],
      request: { params: WorkspaceParams, body: jsonBody(PersonInput) },
      responses: { 201: json(PersonView, "Created"), ...errors },
    }),
    async (c) => c.json(await record.createPerson(db, ctx(c), checkRecordInput(c.req.valid("json"))), 201),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/people/{personId}",
      summary: "One person",
      tags: ["Record"],
      request: { params: idParam("personId") },
      responses: { 200: json(PersonView, "The person"), ...problemResponses },
    }),
    async (c) => c.json(await record.getPerson(db, ws(c), c.req.valid("param").personId as string), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "patch",
      path: "/workspaces/{workspaceId}/people/{personId}",
      summary: "Change a person (e.g. mark them departed)",
      tags: ["Record"],
      request: { params: idParam("personId"), body: jsonBody(patchOf(PersonInput)) },
      responses: { 200: json(PersonView, "Changed"), ...errors },
    }),
    async (c) =>
      c.json(
        await record.updatePerson(
          db,
          ctx(c),
          c.req.valid("param").personId as string,
          checkRecordInput(c.req.valid("json")),
        ),
        200,
      ),
  );

  // accounts
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/accounts",
      summary: "Accounts in the record",
      tags: ["Record"],
      request: { params: WorkspaceParams },
      responses: { 200: json(list("accounts", AccountView), "Accounts"), ...problemResponses },
    }),
    async (c) => c.json({ accounts: await record.listAccounts(db, ws(c)) }, 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/accounts",
      summary: "Add an account (a Business Center, a portfolio, an ad account…)",
      tags: ["Record"],
      request: { params: WorkspaceParams, body: jsonBody(AccountInput) },
      responses: { 201: json(AccountView, "Created"), ...errors },
    }),
    async (c) => {
      const body = checkRecordInput(c.req.valid("json"));
      checkPlatform(body.platform);
      return c.json(await record.createAccount(db, ctx(c), body), 201);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/accounts/{accountId}",
      summary: "One account",
      tags: ["Record"],
      request: { params: idParam("accountId") },
      responses: { 200: json(AccountView, "The account"), ...problemResponses },
    }),
    async (c) => c.json(await record.getAccount(db, ws(c), c.req.valid("param").accountId as string), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "patch",
      path: "/workspaces/{workspaceId}/accounts/{accountId}",
      summary: "Change an account",
      tags: ["Record"],
      request: {
        params: idParam("accountId"),
        body: jsonBody(patchOf(AccountInput.omit({ platform: true }))),
      },
      responses: { 200: json(AccountView, "Changed"), ...errors },
    }),
    async (c) =>
      c.json(
        await record.updateAccount(
          db,
          ctx(c),
          c.req.valid("param").accountId as string,
          checkRecordInput(c.req.valid("json")),
        ),
        200,
      ),
  );

  // assets
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/assets",
      summary: "Assets, optionally of one account",
      tags: ["Record"],
      request: { params: WorkspaceParams, query: z.object({ accountId: z.string().optional() }) },
      responses: { 200: json(list("assets", AssetView), "Assets"), ...problemResponses },
    }),
    async (c) => c.json({ assets: await record.listAssets(db, ws(c), c.req.valid("query").accountId) }, 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/assets",
      summary: "Add an asset held in an account",
      tags: ["Record"],
      request: { params: WorkspaceParams, body: jsonBody(AssetInput) },
      responses: { 201: json(AssetView, "Created"), ...errors },
    }),
    async (c) => {
      const body = checkRecordInput(c.req.valid("json"));
      await checkAssetType(db, ws(c), body.accountId, body.type);
      return c.json(await record.createAsset(db, ctx(c), body), 201);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/assets/{assetId}",
      summary: "One asset",
      tags: ["Record"],
      request: { params: idParam("assetId") },
      responses: { 200: json(AssetView, "The asset"), ...problemResponses },
    }),
    async (c) => c.json(await record.getAsset(db, ws(c), c.req.valid("param").assetId as string), 200),
  );

  // shared logins
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/shared-logins",
      summary: "Shared logins (names only, never secrets)",
      tags: ["Record"],
      request: { params: WorkspaceParams },
      responses: { 200: json(list("sharedLogins", SharedLoginView), "Shared logins"), ...problemResponses },
    }),
    async (c) => c.json({ sharedLogins: await record.listSharedLogins(db, ws(c)) }, 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/shared-logins",
      summary: "Record that a login is shared, and who knows it",
      tags: ["Record"],
      request: { params: WorkspaceParams, body: jsonBody(SharedLoginInput) },
      responses: { 201: json(SharedLoginView, "Created"), ...errors },
    }),
    async (c) =>
      c.json(await record.createSharedLogin(db, ctx(c), checkRecordInput(c.req.valid("json"))), 201),
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "patch",
      path: "/workspaces/{workspaceId}/shared-logins/{sharedLoginId}",
      summary: "Rename a shared login, or change who knows it (e.g. after its password was changed)",
      tags: ["Record"],
      request: { params: idParam("sharedLoginId"), body: jsonBody(patchOf(SharedLoginInput)) },
      responses: { 200: json(SharedLoginView, "Changed"), ...errors },
    }),
    async (c) =>
      c.json(
        await record.updateSharedLogin(
          db,
          ctx(c),
          c.req.valid("param").sharedLoginId as string,
          checkRecordInput(c.req.valid("json")),
        ),
        200,
      ),
  );

  // grants
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/grants",
      summary: "Grants, optionally on one account or held by one person",
      tags: ["Record"],
      request: {
        params: WorkspaceParams,
        query: z.object({ accountId: z.string().optional(), personId: z.string().optional() }),
      },
      responses: { 200: json(list("grants", GrantView), "Grants"), ...problemResponses },
    }),
    async (c) => c.json({ grants: await record.listGrants(db, ws(c), c.req.valid("query")) }, 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/grants",
      summary: "Record a grant: who holds which role on an account or asset",
      tags: ["Record"],
      request: { params: WorkspaceParams, body: jsonBody(GrantInput) },
      responses: { 201: json(GrantView, "Created"), ...errors },
    }),
    async (c) =>
      c.json(
        await record.createGrant(
          db,
          ctx(c),
          await canonicalGrant(db, ws(c), checkRecordInput(c.req.valid("json"))),
        ),
        201,
      ),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/grants/{grantId}",
      summary: "One grant",
      tags: ["Record"],
      request: { params: idParam("grantId") },
      responses: { 200: json(GrantView, "The grant"), ...problemResponses },
    }),
    async (c) => c.json(await record.getGrant(db, ws(c), c.req.valid("param").grantId as string), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "put",
      path: "/workspaces/{workspaceId}/grants/{grantId}",
      summary: "Replace a grant (change its role, status or dates)",
      tags: ["Record"],
      request: { params: idParam("grantId"), body: jsonBody(GrantInput) },
      responses: { 200: json(GrantView, "Changed"), ...errors },
    }),
    async (c) =>
      c.json(
        await record.updateGrant(
          db,
          ctx(c),
          c.req.valid("param").grantId as string,
          await canonicalGrant(db, ws(c), checkRecordInput(c.req.valid("json"))),
        ),
        200,
      ),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "delete",
      path: "/workspaces/{workspaceId}/grants/{grantId}",
      summary: "Delete a grant typed in by mistake (to record that access ended, revoke it instead)",
      tags: ["Record"],
      request: { params: idParam("grantId") },
      responses: { 204: { description: "Deleted" }, ...problemResponses },
    }),
    async (c) => {
      await record.deleteGrant(db, ctx(c), c.req.valid("param").grantId as string);
      return c.body(null, 204);
    },
  );

  // history
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/history",
      summary: "History of one or more records, newest first",
      description:
        "Events whose entity is one of the given IDs. Grants created by an import are listed together in `grant_batch` events (`action: import`), whose entity is the account they were recorded in and whose `after` holds each grant's image with its `id`: ask for the account to see them, or read an account's or a person's timeline (`…/accounts/{id}/history`, `…/people/{id}/history`), which also lists every event that names them.",
      tags: ["Record"],
      request: {
        params: WorkspaceParams,
        query: z.object({ entityId: z.string().min(1).openapi({ description: "comma-separated IDs" }) }),
      },
      responses: { 200: json(list("events", HistoryEntry), "Events"), ...problemResponses },
    }),
    async (c) => {
      const ids = c.req.valid("query").entityId.split(",").filter(Boolean).slice(0, 100);
      const events = await historyOf(db, ws(c), ids);
      return c.json(
        { events: events.map(({ workspaceId: _w, actorUserId: _a, prevHash: _p, hash: _h, ...e }) => e) },
        200,
      );
    },
  );

  return app;
}
