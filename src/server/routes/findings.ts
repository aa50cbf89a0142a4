import { z } from "@hono/zod-openapi";
import { AppError, notFound } from "../../core/errors.ts";
import { INVOLVED_LIMIT } from "../../store/finding-involvement.ts";
import { decideFinding, FINDING_STATUSES, type FindingStatus } from "../../store/findings.ts";
import { defineRoute } from "../access.ts";
import {
  DEFAULT_FINDINGS_LIMIT,
  findingsByOrganization,
  refreshFindings,
  workspaceFinding,
  workspaceFindings,
} from "../findings-service.ts";
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
    reason: z.string().nullable().openapi({ description: "Why it was acknowledged or snoozed" }),
    decidedBy: z.string().nullable().openapi({
      description:
        "Who last acknowledged, snoozed or reopened it: the Delvia user's email (null if nobody has)",
      example: "olivia@bright.example",
    }),
    decidedAt: z.string().nullable().openapi({ description: "When that decision was made (ISO 8601)" }),
    snoozedUntil: z.string().nullable(),
    firstSeen: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .openapi("Finding");
const InvolvedPerson = z
  .object({
    id: z.string(),
    name: z.string(),
    departed: z
      .boolean()
      .openapi({ description: "has left (marked departed, or their leaving day has come)" }),
  })
  .openapi("InvolvedPerson");
const InvolvedGrant = z
  .object({
    id: z.string(),
    subject: z.object({
      type: z.enum(["person", "partner", "shared_login", "system_user"]),
      id: z
        .string()
        .nullable()
        .openapi({ description: "the person, partner account or shared login; null for a system user" }),
      name: z.string(),
      departed: z.boolean().openapi({ description: "a person who has left" }),
    }),
    account: z
      .object({ id: z.string(), name: z.string() })
      .openapi({ description: "the account the grant is recorded in" }),
    asset: z.object({ id: z.string(), name: z.string() }).nullable(),
    role: z.string(),
    status: z.enum(["active", "pending", "revoked"]),
    live: z.boolean().openapi({ description: "active and not past its end date" }),
    invitedOn: z.string().nullable(),
    grantedOn: z.string().nullable(),
    expiresOn: z.string().nullable(),
  })
  .openapi("InvolvedGrant");
const listOf = <T extends z.ZodType>(item: T) =>
  z.object({
    total: z
      .number()
      .int()
      .openapi({ description: `how many in all; \`items\` holds the first ${INVOLVED_LIMIT}` }),
    items: z.array(item),
  });
const NamedHolder = z
  .object({
    text: z.string().openapi({ description: "as typed on the account" }),
    person: InvolvedPerson.nullable().openapi({ description: "the person it names, if any" }),
  })
  .nullable();
const Involved = z
  .object({
    grants: listOf(InvolvedGrant).nullable().openapi({
      description:
        "the finding's subject's grants (not revoked) on its account and the account's assets; for both shared-login rules, the login's",
    }),
    knownBy: listOf(InvolvedPerson)
      .extend({ sharedLogin: z.object({ id: z.string(), name: z.string() }) })
      .nullable()
      .openapi({ description: "shared-login rules: the people recorded as knowing the login" }),
    admins: listOf(InvolvedGrant).nullable().openapi({
      description:
        "no-admin, single-admin, too-many-admins: the account-level grants (not revoked) of an admin-level role held by people; an admin counts when the grant is live and the person has not left",
    }),
    outsiders: listOf(InvolvedGrant)
      .extend({ organization: z.object({ id: z.string(), name: z.string() }) })
      .nullable()
      .openapi({
        description:
          "external-individual-access: the outside organization's people with their own grants (not revoked) on the account",
      }),
    control: z
      .object({
        owner: InvolvedPerson.nullable(),
        backupOwner: InvolvedPerson.nullable(),
        recoveryEmailHolder: NamedHolder,
        twoFactorHolder: NamedHolder,
      })
      .nullable()
      .openapi({
        description:
          "owner-departed, no-owner, backup-owner-departed, recovery-holder-departed: who controls the account",
      }),
  })
  .openapi("FindingInvolvement", {
    description: `What the record shows behind the finding, each list bounded to ${INVOLVED_LIMIT} items with its total; sections that do not apply to the rule are null`,
  });
const FindingDetail = Finding.extend({ involved: Involved }).openapi("FindingDetail");
const MAX_LIMIT = 1000;
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
      summary: "Problems the record shows, worst first, a page at a time, with the guide that fixes each",
      description:
        "Findings in order of severity, then rule, then key. Each answer is one page (`limit`, 100 by default); pass its `nextCursor` as `cursor` for the next (null on the last page). `counts` (open findings by severity) and `statuses` (findings by state) are always for the whole workspace; `total` counts what the query matches over all pages.",
      tags: ["Findings"],
      request: {
        params: WorkspaceParams,
        query: z.object({
          asOf: z.iso.date().optional(),
          include: z
            .enum(["closed"])
            .optional()
            .openapi({ description: "`closed` adds resolved findings to the default states" }),
          status: z
            .string()
            .refine(
              (v) => v.split(",").every((s) => (FINDING_STATUSES as readonly string[]).includes(s)),
              `Use ${FINDING_STATUSES.join(", ")}, separated by commas`,
            )
            .optional()
            .openapi({
              description:
                "comma-separated states to list: open, acknowledged, snoozed, resolved (default: all but resolved)",
            }),
          organizationId: z
            .string()
            .min(1)
            .max(64)
            .optional()
            .openapi({ description: "only findings on the accounts of this organization" }),
          limit: z.coerce
            .number()
            .int("Use a whole number")
            .min(1, "Ask for at least 1")
            .max(MAX_LIMIT, `Ask for at most ${MAX_LIMIT}`)
            .optional()
            .openapi({
              description: `findings per page, 1 to ${MAX_LIMIT} (default ${DEFAULT_FINDINGS_LIMIT})`,
            }),
          cursor: z
            .string()
            .min(1)
            .max(2000)
            .optional()
            .openapi({ description: "the `nextCursor` of the previous page" }),
        }),
      },
      responses: {
        200: json(
          z.object({
            asOf: z.string(),
            counts: z.record(z.string(), z.number()),
            statuses: z.record(z.string(), z.number()),
            total: z.number(),
            findings: z.array(Finding),
            nextCursor: z.string().nullable(),
          }),
          "Findings",
        ),
        ...problemResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const statuses = q.status
        ? ([...new Set(q.status.split(","))] as FindingStatus[])
        : q.include === "closed"
          ? [...FINDING_STATUSES]
          : undefined;
      return c.json(
        await workspaceFindings(db, clock, c.get("workspace").workspaceId, {
          ...(q.asOf ? { asOf: q.asOf } : {}),
          ...(statuses ? { statuses } : {}),
          ...(q.organizationId ? { organizationId: q.organizationId } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
          ...(q.cursor ? { cursor: q.cursor } : {}),
        }),
        200,
      );
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/findings/by-organization",
      summary: "Open findings per organization (of the accounts they are on), by severity",
      tags: ["Findings"],
      request: { params: WorkspaceParams },
      responses: {
        200: json(
          z.object({
            asOf: z.string(),
            organizations: z.array(
              z.object({ organizationId: z.string(), counts: z.record(z.string(), z.number()) }),
            ),
          }),
          "Counts per organization",
        ),
        ...problemResponses,
      },
    }),
    async (c) => c.json(await findingsByOrganization(db, clock, c.get("workspace").workspaceId), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/findings/{findingKey}",
      summary: "One finding, resolved ones too, with the records involved",
      description:
        "The finding, who decided on it and when, and `involved`: the grants, people and account fields the record shows behind it (each list at most 50 items, with its total).",
      tags: ["Findings"],
      request: { params: KeyParams },
      responses: { 200: json(FindingDetail, "The finding"), ...problemResponses },
    }),
    async (c) => {
      const found = await workspaceFinding(
        db,
        clock,
        c.get("workspace").workspaceId,
        c.req.valid("param").findingKey,
      );
      if (!found) throw notFound("Finding");
      return c.json(found, 200);
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
      await refreshFindings(db, clock, ws);
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
