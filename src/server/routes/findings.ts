import { z } from "@hono/zod-openapi";
import { AppError } from "../../core/errors.ts";
import { decideFinding } from "../../store/findings.ts";
import { defineRoute } from "../access.ts";
import { workspaceFindings } from "../findings-service.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, jsonBody, problemResponses, WorkspaceParams } from "./schemas.ts";

const Finding = z
  .object({
    key: z.string(),
    rule: z.string(),
    severity: z.enum(["critical", "high", "medium", "low"]),
    accountId: z.string().nullable(),
    assetId: z.string().nullable(),
    subject: z
      .object({ type: z.string(), id: z.string(), name: z.string(), email: z.string().nullable() })
      .nullable(),
    message: z.string(),
    guide: z.string().nullable(),
    status: z.enum(["open", "acknowledged", "snoozed", "resolved"]),
    reason: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    snoozedUntil: z.string().nullable(),
    firstSeen: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .openapi("Finding");
const KeyParams = WorkspaceParams.extend({
  findingKey: z.string().openapi({ param: { name: "findingKey", in: "path" } }),
});
const Decision = z.discriminatedUnion("status", [
  z.strictObject({
    status: z.literal("acknowledged"),
    reason: z.string().trim().min(3, "Say why this is acceptable").max(500),
  }),
  z.strictObject({
    status: z.literal("snoozed"),
    until: z.iso.date("Use the date format YYYY-MM-DD"),
    reason: z.string().trim().max(500).nullable().default(null),
  }),
  z.strictObject({ status: z.literal("open") }),
]);

export function findingsRoutes({ db, clock }: RouteDeps) {
  const app = createRouter();
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/findings",
      summary: "Problems the record shows, worst first, with the guide that fixes each",
      tags: ["Findings"],
      request: {
        params: WorkspaceParams,
        query: z.object({ asOf: z.iso.date().optional(), include: z.enum(["closed"]).optional() }),
      },
      responses: {
        200: json(
          z.object({
            asOf: z.string(),
            counts: z.record(z.string(), z.number()),
            findings: z.array(Finding),
          }),
          "Findings",
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(
        await workspaceFindings(db, clock, c.get("workspace").workspaceId, q.asOf, q.include === "closed"),
        200,
      );
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/findings/{findingKey}/decision",
      summary: "Acknowledge a finding with a reason, snooze it until a date, or reopen it",
      tags: ["Findings"],
      request: { params: KeyParams, body: jsonBody(Decision) },
      responses: { 200: json(Finding, "The finding with its new state"), ...problemResponses },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const now = clock.now();
      if (body.status === "snoozed" && body.until <= now.toISOString().slice(0, 10)) {
        throw new AppError("VALIDATION_FAILED", "Snooze until a day after today.", {
          problems: [{ path: "until", message: "must be after today" }],
        });
      }
      const caller = c.get("caller")!;
      const ws = c.get("workspace").workspaceId;
      await workspaceFindings(db, clock, ws);
      return c.json(
        await decideFinding(
          db,
          { workspaceId: ws, actor: { userId: caller.userId, label: caller.email }, now },
          c.req.valid("param").findingKey,
          body,
        ),
        200,
      );
    },
  );
  return app;
}
