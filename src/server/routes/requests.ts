import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { isoDay } from "../../core/clock.ts";
import { RequestInput, RequestMove, RequestView } from "../../core/requests/schemas.ts";
import { TRANSITIONS } from "../../core/requests/state.ts";
import * as requests from "../../store/requests.ts";
import { defineRoute } from "../access.ts";
import type { AppEnv } from "../env.ts";
import type { GuideLibrary } from "../guides/load.ts";
import type { Notifier } from "../notifier.ts";
import { checkRecordInput } from "../record-policy.ts";
import { lifetimeOf, prepareRequest, requestMessage, roleResolver } from "../requests-service.ts";
import { createRouter } from "../router.ts";
import { senderOf } from "../scheduler.ts";
import type { RouteDeps } from "./deps.ts";
import { json, jsonBody, problemResponses, WorkspaceParams, workspaceOf, writeContext } from "./schemas.ts";

const errors = { ...problemResponses, 409: problemResponses[400] };
const RequestParams = WorkspaceParams.extend({
  requestId: z.string().openapi({ param: { name: "requestId", in: "path" } }),
});
const Request = RequestView.extend({
  allowedMoves: z.array(z.string()).describe("the states this request can move to next"),
}).openapi("AccessRequest");
const Message = z
  .object({
    subject: z.string(),
    text: z.string(),
    guide: z.string().nullable(),
    mailto: z.string().nullable().describe("a mailto: link with the message, when the contact has an email"),
  })
  .openapi("RequestMessage");

export interface RequestRouteDeps extends RouteDeps {
  library?: GuideLibrary;
  notifier: Notifier;
}

/** Access requests, both directions: we ask for access into someone's account, or they ask for ours. */
export function requestRoutes(deps: RequestRouteDeps) {
  const { db, clock, config } = deps;
  const app = createRouter();
  const ctx = (c: Context<AppEnv>) => writeContext(c, clock);
  const ws = workspaceOf;
  const today = () => isoDay(clock.now());
  const withMoves = (r: RequestView) => ({ ...r, allowedMoves: [...TRANSITIONS[r.status]] });

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/requests",
      summary: "Access requests, newest first, with what each is waiting for",
      tags: ["Requests"],
      request: { params: WorkspaceParams, query: z.object({ status: z.string().optional() }) },
      responses: { 200: json(z.object({ requests: z.array(Request) }), "Requests"), ...problemResponses },
    }),
    async (c) => {
      const all = await requests.listRequests(db, ws(c), lifetimeOf, today());
      const wanted = c.req.valid("query").status?.split(",");
      return c.json(
        { requests: all.filter((r) => !wanted || wanted.includes(r.status)).map(withMoves) },
        200,
      );
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/requests",
      summary:
        "Draft an access request: the account and assets, the role wanted, for whom, and who grants it",
      tags: ["Requests"],
      request: { params: WorkspaceParams, body: jsonBody(RequestInput) },
      responses: { 201: json(Request, "Drafted"), ...errors },
    }),
    async (c) => {
      const input = await prepareRequest(db, ws(c), c.req.valid("json"));
      return c.json(
        withMoves(await requests.createRequest(db, ctx(c), input, c.get("caller")!.userId, lifetimeOf)),
        201,
      );
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/requests/{requestId}",
      summary: "One access request",
      tags: ["Requests"],
      request: { params: RequestParams },
      responses: { 200: json(Request, "The request"), ...problemResponses },
    }),
    async (c) =>
      c.json(
        withMoves(await requests.getRequest(db, ws(c), c.req.valid("param").requestId, lifetimeOf, today())),
        200,
      ),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "put",
      path: "/workspaces/{workspaceId}/requests/{requestId}",
      summary: "Change an access request that is not yet final",
      tags: ["Requests"],
      request: { params: RequestParams, body: jsonBody(RequestInput) },
      responses: { 200: json(Request, "Changed"), ...errors },
    }),
    async (c) => {
      const input = await prepareRequest(db, ws(c), c.req.valid("json"));
      return c.json(
        withMoves(
          await requests.updateRequest(db, ctx(c), c.req.valid("param").requestId, input, lifetimeOf),
        ),
        200,
      );
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "delete",
      path: "/workspaces/{workspaceId}/requests/{requestId}",
      summary: "Delete a draft (a request that was sent is withdrawn instead, so its history stays)",
      tags: ["Requests"],
      request: { params: RequestParams },
      responses: { 204: { description: "Deleted" }, ...errors },
    }),
    async (c) => {
      await requests.deleteRequest(db, ctx(c), c.req.valid("param").requestId, lifetimeOf);
      return c.body(null, 204);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/requests/{requestId}/message",
      summary:
        "The message for the admin who grants it: which account, assets and role, and the platform's steps",
      tags: ["Requests"],
      request: { params: RequestParams },
      responses: { 200: json(Message, "The message"), ...problemResponses },
    }),
    async (c) => {
      const r = await requests.getRequest(db, ws(c), c.req.valid("param").requestId, lifetimeOf, today());
      const m = await requestMessage(
        db,
        deps.library,
        config.publicUrl,
        ws(c),
        r,
        await senderOf(db, ws(c), c.get("caller")!.userId),
      );
      const mailto = r.contactEmail
        ? `mailto:${encodeURIComponent(r.contactEmail)}?subject=${encodeURIComponent(m.subject)}&body=${encodeURIComponent(m.text)}`
        : null;
      return c.json({ ...m, mailto }, 200);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/requests/{requestId}/moves",
      summary:
        "Move a request on (sent, invited, accepted, verified, stuck, declined, expired, withdrawn); verifying records the grants",
      tags: ["Requests"],
      request: { params: RequestParams, body: jsonBody(RequestMove) },
      responses: { 200: json(Request, "Moved"), ...errors },
    }),
    async (c) => {
      const id = c.req.valid("param").requestId;
      const move = checkRecordInput(c.req.valid("json"));
      const before = await requests.getRequest(db, ws(c), id, lifetimeOf, today());
      const after = await requests.moveRequest(
        db,
        ctx(c),
        id,
        move,
        lifetimeOf,
        await roleResolver(db, ws(c), before),
      );
      // Sent by email through Delvia when the request asks for it — after the move is durable.
      if (after.status === "sent" && after.emailContact && after.contactEmail) {
        const sender = await senderOf(db, ws(c), c.get("caller")!.userId);
        const m = await requestMessage(db, deps.library, config.publicUrl, ws(c), after, sender);
        try {
          await deps.notifier.emailContact(after.contactEmail, m.subject, m.text, sender.email ?? undefined);
        } catch (err) {
          c.get("logger").warn({ err }, "request email failed");
        }
      }
      return c.json(withMoves(after), 200);
    },
  );
  return app;
}
