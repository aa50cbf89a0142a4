import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../../core/errors.ts";
import { PLAN_KINDS, PlanInput, TASK_STATUSES } from "../../core/plans/types.ts";
import * as plans from "../../store/plans.ts";
import * as record from "../../store/record.ts";
import { defineRoute } from "../access.ts";
import type { AccessService } from "../access-service.ts";
import type { AppEnv } from "../env.ts";
import { createPlan, previewPlan, recheckPlan, settleTask } from "../plans-service.ts";
import { checkRecordInput } from "../record-policy.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, jsonBody, problemResponses, WorkspaceParams, workspaceOf, writeContext } from "./schemas.ts";

const errors = { ...problemResponses, 409: problemResponses[400] };
const day = z.iso.date("Use the date format YYYY-MM-DD");
const PlanParams = WorkspaceParams.extend({
  planId: z.string().openapi({ param: { name: "planId", in: "path" } }),
});
const TaskParams = PlanParams.extend({
  taskId: z.string().openapi({ param: { name: "taskId", in: "path" } }),
});
const AccountParams = WorkspaceParams.extend({
  accountId: z.string().openapi({ param: { name: "accountId", in: "path" } }),
});

const Task = z
  .object({
    id: z.string(),
    position: z.number(),
    key: z.string(),
    phase: z.enum(["prepare", "hand-over", "remove", "secure"]),
    kind: z.string(),
    title: z.string(),
    detail: z.string().nullable(),
    accountId: z.string().nullable(),
    guide: z.string().nullable(),
    action: z.object({ type: z.string() }).passthrough(),
    blockedBy: z.array(z.string()),
    status: z.enum(TASK_STATUSES),
    assigneeUserId: z.string().nullable(),
    dueOn: z.string().nullable(),
    evidence: z.string().nullable(),
    doneBy: z.string().nullable(),
    doneAt: z.string().nullable(),
  })
  .openapi("PlanTask");
const Plan = z
  .object({
    id: z.string(),
    kind: z.enum(PLAN_KINDS),
    title: z.string(),
    subject: z.object({ kind: z.string() }).passthrough(),
    successorPersonId: z.string().nullable(),
    status: z.enum(["open", "complete", "cancelled"]),
    dueOn: z.string().nullable(),
    recheckOn: z.string().nullable(),
    lastCheck: z.object({ on: z.string(), remaining: z.array(z.string()) }).nullable(),
    ownerUserId: z.string().nullable(),
    notes: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
    progress: z.object({ done: z.number(), total: z.number() }),
    tasks: z.array(Task),
  })
  .openapi("ChangePlan");
const TaskPatch = z.strictObject({
  status: z.enum(TASK_STATUSES).optional(),
  evidence: z
    .string()
    .trim()
    .max(2000)
    .nullable()
    .optional()
    .describe("what was done, where, a ticket number"),
  personId: z
    .string()
    .max(64)
    .nullable()
    .optional()
    .describe("the person chosen, for a task that asks for one"),
  assigneeUserId: z.string().min(1).max(64).nullable().optional(),
  dueOn: day.nullable().optional(),
});
const PlanPatch = z.strictObject({
  status: z.enum(["cancelled", "open"]).optional(),
  dueOn: day.nullable().optional(),
  recheckOn: day.nullable().optional(),
  notes: z.string().max(2000).nullable().optional(),
  ownerUserId: z.string().min(1).max(64).nullable().optional(),
});
const ChangeRule = z
  .object({
    accountId: z.string(),
    notify: z.string().nullable(),
    removeWithinDays: z.number().nullable(),
    successorPersonId: z.string().nullable(),
    notes: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi("ChangeRule");
const ChangeRuleInput = z.strictObject({
  notify: z
    .string()
    .max(300, "Use at most 300 characters")
    .trim()
    .transform((v) => v || null)
    .nullable()
    .default(null)
    .describe("who to tell, e.g. the client's marketing lead"),
  removeWithinDays: z.number().int().min(0).max(365).nullable().default(null),
  successorPersonId: z.string().min(1).max(64).nullable().default(null),
  notes: z.string().max(2000).nullable().default(null),
});

/** Change plans (a person leaves, a relationship ends, a hand-over, a role change, a login retired). */
export function planRoutes(deps: RouteDeps, access: AccessService) {
  const { db, clock } = deps;
  const app = createRouter();
  const ctx = (c: Context<AppEnv>) => writeContext(c, clock);
  const ws = workspaceOf;
  /** A user named in a body must be a member of this workspace. */
  const mustBeMember = async (workspaceId: string, userId: string | null | undefined, path: string) => {
    if (userId === null || userId === undefined) return;
    const m = await db
      .selectFrom("member")
      .select("id")
      .where("organizationId", "=", workspaceId)
      .where("userId", "=", userId)
      .executeTakeFirst();
    if (!m)
      throw new AppError("VALIDATION_FAILED", "That user is not a member of this workspace.", {
        problems: [{ path, message: "not a member of this workspace" }],
      });
  };

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/plans",
      summary: "Change plans, newest first, with their tasks",
      tags: ["Plans"],
      request: { params: WorkspaceParams },
      responses: { 200: json(z.object({ plans: z.array(Plan) }), "Plans"), ...problemResponses },
    }),
    async (c) => c.json({ plans: await plans.listPlans(db, ws(c)) }, 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "post",
      path: "/workspaces/{workspaceId}/plans/preview",
      summary: "The tasks a plan would have, without making it",
      tags: ["Plans"],
      request: { params: WorkspaceParams, body: jsonBody(PlanInput) },
      responses: {
        200: json(
          z.object({
            title: z.string(),
            tasks: z.array(
              Task.omit({
                id: true,
                position: true,
                status: true,
                assigneeUserId: true,
                evidence: true,
                doneBy: true,
                doneAt: true,
              }),
            ),
          }),
          "Preview",
        ),
        ...errors,
      },
    }),
    async (c) =>
      c.json(await previewPlan(db, access, ws(c), checkRecordInput(c.req.valid("json")), clock.now()), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/plans",
      summary: "Make a change plan: every task, in a safe order, from what the access engine says they reach",
      tags: ["Plans"],
      request: { params: WorkspaceParams, body: jsonBody(PlanInput) },
      responses: { 201: json(Plan, "Made"), ...errors },
    }),
    async (c) =>
      c.json(
        await createPlan(db, access, ctx(c), checkRecordInput(c.req.valid("json")), c.get("caller")!.userId),
        201,
      ),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/plans/{planId}",
      summary: "One change plan with its tasks",
      tags: ["Plans"],
      request: { params: PlanParams },
      responses: { 200: json(Plan, "The plan"), ...problemResponses },
    }),
    async (c) => c.json(await plans.getPlan(db, ws(c), c.req.valid("param").planId), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "patch",
      path: "/workspaces/{workspaceId}/plans/{planId}",
      summary: "Change a plan's due date, re-check day, notes or owner; cancel or reopen it",
      tags: ["Plans"],
      request: { params: PlanParams, body: jsonBody(PlanPatch) },
      responses: { 200: json(Plan, "Changed"), ...errors },
    }),
    async (c) => {
      const body = checkRecordInput(c.req.valid("json"));
      await mustBeMember(ws(c), body.ownerUserId, "ownerUserId");
      return c.json(await plans.updatePlan(db, ctx(c), c.req.valid("param").planId, body), 200);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/plans/{planId}/recheck",
      summary: "Re-check the plan against the record now; it completes when nothing is left",
      tags: ["Plans"],
      request: { params: PlanParams },
      responses: { 200: json(Plan, "Re-checked"), ...errors },
    }),
    async (c) => c.json(await recheckPlan(db, access, ctx(c), c.req.valid("param").planId), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "patch",
      path: "/workspaces/{workspaceId}/plans/{planId}/tasks/{taskId}",
      summary: "Tick a task (its change is applied to the record), skip it, assign it, or note the evidence",
      tags: ["Plans"],
      request: { params: TaskParams, body: jsonBody(TaskPatch) },
      responses: { 200: json(Plan, "The plan, with the task changed"), ...errors },
    }),
    async (c) => {
      const body = checkRecordInput(c.req.valid("json"));
      await mustBeMember(ws(c), body.assigneeUserId, "assigneeUserId");
      const { planId, taskId } = c.req.valid("param");
      return c.json(await settleTask(db, access, ctx(c), planId, taskId, body), 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/accounts/{accountId}/change-rule",
      summary: "What must happen when access to this account changes",
      tags: ["Plans"],
      request: { params: AccountParams },
      responses: { 200: json(ChangeRule, "The rule (empty when none was set)"), ...problemResponses },
    }),
    async (c) => {
      const { accountId } = c.req.valid("param");
      await record.getAccount(db, ws(c), accountId);
      return c.json(await plans.getChangeRule(db, ws(c), accountId), 200);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "put",
      path: "/workspaces/{workspaceId}/accounts/{accountId}/change-rule",
      summary: "Record who to tell, how fast access must go, and who takes over, for this account",
      tags: ["Plans"],
      request: { params: AccountParams, body: jsonBody(ChangeRuleInput) },
      responses: { 200: json(ChangeRule, "Saved"), ...errors },
    }),
    async (c) => {
      const { accountId } = c.req.valid("param");
      await record.getAccount(db, ws(c), accountId);
      const body = checkRecordInput(c.req.valid("json"));
      if (body.successorPersonId)
        await record.getPerson(db, ws(c), body.successorPersonId).catch(() => {
          throw new AppError("VALIDATION_FAILED", "The successor is not in this workspace.", {
            problems: [{ path: "successorPersonId", message: "no such person in this workspace" }],
          });
        });
      return c.json(await plans.setChangeRule(db, ctx(c), accountId, body), 200);
    },
  );
  return app;
}
