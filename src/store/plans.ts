import type { Kysely } from "kysely";
import { AppError, notFound } from "../core/errors.ts";
import { uuidv7 } from "../core/ids.ts";
import type {
  PlanKind,
  PlanStatus,
  PlanSubject,
  TaskAction,
  TaskDraft,
  TaskStatus,
} from "../core/plans/types.ts";
import { appendHistory } from "./history.ts";
import type { WriteContext } from "./record/shared.ts";
import type { ChangePlanTable, DB, PlanTaskTable } from "./schema.ts";
import { toIso } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;

export interface TaskView {
  id: string;
  position: number;
  key: string;
  phase: TaskDraft["phase"];
  kind: string;
  title: string;
  detail: string | null;
  accountId: string | null;
  guide: string | null;
  action: TaskAction;
  blockedBy: string[];
  status: TaskStatus;
  assigneeUserId: string | null;
  dueOn: string | null;
  evidence: string | null;
  doneBy: string | null;
  doneAt: string | null;
}

export interface PlanCheck {
  on: string;
  remaining: string[];
}

export interface PlanView {
  id: string;
  kind: PlanKind;
  title: string;
  subject: PlanSubject;
  successorPersonId: string | null;
  status: PlanStatus;
  dueOn: string | null;
  recheckOn: string | null;
  lastCheck: PlanCheck | null;
  ownerUserId: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  progress: { done: number; total: number };
  tasks: TaskView[];
}

function taskView(r: PlanTaskTable): TaskView {
  return {
    id: r.id,
    position: Number(r.position),
    key: r.key,
    phase: r.phase as TaskView["phase"],
    kind: r.kind,
    title: r.title,
    detail: r.detail,
    accountId: r.account_id,
    guide: r.guide,
    action: json<TaskAction>(r.action),
    blockedBy: json<string[]>(r.blocked_by),
    status: r.status as TaskStatus,
    assigneeUserId: r.assignee_user_id,
    dueOn: r.due_on,
    evidence: r.evidence,
    doneBy: r.done_by,
    doneAt: r.done_at ? toIso(r.done_at) : null,
  };
}

function planView(r: ChangePlanTable, tasks: TaskView[]): PlanView {
  return {
    id: r.id,
    kind: r.kind as PlanKind,
    title: r.title,
    subject: json<PlanSubject>(r.subject),
    successorPersonId: r.successor_person_id,
    status: r.status as PlanStatus,
    dueOn: r.due_on,
    recheckOn: r.recheck_on,
    lastCheck: r.last_check ? json<PlanCheck>(r.last_check) : null,
    ownerUserId: r.owner_user_id,
    notes: r.notes,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
    completedAt: r.completed_at ? toIso(r.completed_at) : null,
    progress: { done: tasks.filter((t) => t.status !== "todo").length, total: tasks.length },
    tasks,
  };
}

export async function getPlan(db: Kysely<DB>, workspaceId: string, id: string): Promise<PlanView> {
  const r = await db
    .selectFrom("change_plan")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!r) throw notFound("Plan");
  const tasks = await db
    .selectFrom("plan_task")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("plan_id", "=", id)
    .orderBy("position")
    .execute();
  return planView(r, tasks.map(taskView));
}

export async function listPlans(db: Kysely<DB>, workspaceId: string): Promise<PlanView[]> {
  const plans = await db
    .selectFrom("change_plan")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("created_at", "desc")
    .execute();
  const tasks = await db
    .selectFrom("plan_task")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("position")
    .execute();
  const byPlan = new Map<string, TaskView[]>();
  for (const t of tasks) {
    const list = byPlan.get(t.plan_id) ?? [];
    list.push(taskView(t));
    byPlan.set(t.plan_id, list);
  }
  return plans.map((p) => planView(p, byPlan.get(p.id) ?? []));
}

async function insertTasks(
  trx: Kysely<DB>,
  workspaceId: string,
  planId: string,
  drafts: TaskDraft[],
  startAt: number,
  idsByKey: Map<string, string>,
  now: Date,
): Promise<void> {
  for (const d of drafts) idsByKey.set(d.key, uuidv7(now.getTime()));
  const rows: PlanTaskTable[] = drafts.map((d, i) => ({
    id: idsByKey.get(d.key)!,
    workspace_id: workspaceId,
    plan_id: planId,
    position: startAt + i,
    key: d.key,
    phase: d.phase,
    kind: d.kind,
    title: d.title,
    detail: d.detail,
    account_id: d.accountId,
    guide: d.guide,
    action: JSON.stringify(d.action),
    blocked_by: JSON.stringify(d.blockedBy.map((k) => idsByKey.get(k)).filter((x): x is string => !!x)),
    status: "todo",
    assignee_user_id: null,
    due_on: d.dueOn,
    evidence: null,
    done_by: null,
    done_at: null,
  }));
  for (let i = 0; i < rows.length; i += 200)
    await trx
      .insertInto("plan_task")
      .values(rows.slice(i, i + 200))
      .execute();
}

export async function createPlan(
  db: Kysely<DB>,
  ctx: WriteContext,
  plan: {
    kind: PlanKind;
    title: string;
    subject: PlanSubject;
    successorPersonId: string | null;
    dueOn: string | null;
    recheckOn: string;
    notes: string | null;
    ownerUserId: string | null;
  },
  drafts: TaskDraft[],
): Promise<PlanView> {
  return inTransaction(db, async (trx) => {
    const at = ctx.now.toISOString();
    const id = uuidv7(ctx.now.getTime());
    await trx
      .insertInto("change_plan")
      .values({
        id,
        workspace_id: ctx.workspaceId,
        kind: plan.kind,
        title: plan.title,
        subject: JSON.stringify(plan.subject),
        successor_person_id: plan.successorPersonId,
        status: "open",
        due_on: plan.dueOn,
        recheck_on: plan.recheckOn,
        last_check: null,
        owner_user_id: plan.ownerUserId,
        notes: plan.notes,
        created_at: at,
        updated_at: at,
        completed_at: null,
      })
      .execute();
    await insertTasks(trx, ctx.workspaceId, id, drafts, 0, new Map(), ctx.now);
    const view = await getPlan(trx, ctx.workspaceId, id);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "plan",
      entityId: id,
      action: "create",
      after: {
        kind: view.kind,
        title: view.title,
        subject: view.subject,
        tasks: view.tasks.map((t) => t.title),
      },
    });
    return view;
  });
}

/** Add tasks a re-check found missing (keys already in the plan are left alone). */
export async function addPlanTasks(
  db: Kysely<DB>,
  ctx: WriteContext,
  planId: string,
  drafts: TaskDraft[],
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const plan = await getPlan(trx, ctx.workspaceId, planId);
    const idsByKey = new Map(plan.tasks.map((t) => [t.key, t.id]));
    const fresh = drafts.filter((d) => !idsByKey.has(d.key));
    if (fresh.length === 0) return 0;
    await insertTasks(trx, ctx.workspaceId, planId, fresh, plan.tasks.length, idsByKey, ctx.now);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "plan",
      entityId: planId,
      action: "add-tasks",
      after: { tasks: fresh.map((t) => t.title) },
    });
    return fresh.length;
  });
}

export async function setTaskState(
  db: Kysely<DB>,
  ctx: WriteContext,
  planId: string,
  taskId: string,
  patch: {
    status?: TaskStatus;
    evidence?: string | null;
    assigneeUserId?: string | null;
    dueOn?: string | null;
    action?: TaskAction;
  },
): Promise<TaskView> {
  return inTransaction(db, async (trx) => {
    const plan = await getPlan(trx, ctx.workspaceId, planId);
    const before = plan.tasks.find((t) => t.id === taskId);
    if (!before) throw notFound("Task");
    if (plan.status !== "open")
      throw new AppError("CONFLICT", `This plan is ${plan.status}: its tasks can no longer change.`);
    const set: Partial<PlanTaskTable> = {};
    if (patch.status !== undefined) {
      set.status = patch.status;
      set.done_by = patch.status === "todo" ? null : ctx.actor.label;
      set.done_at = patch.status === "todo" ? null : ctx.now.toISOString();
    }
    if (patch.evidence !== undefined) set.evidence = patch.evidence;
    if (patch.assigneeUserId !== undefined) set.assignee_user_id = patch.assigneeUserId;
    if (patch.dueOn !== undefined) set.due_on = patch.dueOn;
    if (patch.action !== undefined) set.action = JSON.stringify(patch.action);
    await trx
      .updateTable("plan_task")
      .set(set)
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", taskId)
      .execute();
    const after = (await getPlan(trx, ctx.workspaceId, planId)).tasks.find((t) => t.id === taskId)!;
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "plan",
      entityId: planId,
      action: patch.status && patch.status !== before.status ? `task-${patch.status}` : "task-update",
      before: {
        task: before.title,
        status: before.status,
        assignee: before.assigneeUserId,
        evidence: before.evidence,
      },
      after: {
        task: after.title,
        status: after.status,
        assignee: after.assigneeUserId,
        evidence: after.evidence,
      },
    });
    return after;
  });
}

/** Record a re-check's result; the plan completes when every task is settled and nothing is left. */
export async function recordPlanCheck(
  db: Kysely<DB>,
  ctx: WriteContext,
  planId: string,
  check: PlanCheck,
): Promise<PlanView> {
  return inTransaction(db, async (trx) => {
    const plan = await getPlan(trx, ctx.workspaceId, planId);
    const settled = plan.tasks.every((t) => t.status !== "todo");
    const complete = plan.status === "open" && settled && check.remaining.length === 0;
    await trx
      .updateTable("change_plan")
      .set({
        last_check: JSON.stringify(check),
        updated_at: ctx.now.toISOString(),
        ...(complete ? { status: "complete", completed_at: ctx.now.toISOString() } : {}),
      })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", planId)
      .execute();
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "plan",
      entityId: planId,
      action: complete ? "complete" : "recheck",
      after: check,
    });
    return getPlan(trx, ctx.workspaceId, planId);
  });
}

export async function updatePlan(
  db: Kysely<DB>,
  ctx: WriteContext,
  planId: string,
  patch: {
    status?: "cancelled" | "open";
    dueOn?: string | null;
    recheckOn?: string | null;
    notes?: string | null;
    ownerUserId?: string | null;
  },
): Promise<PlanView> {
  return inTransaction(db, async (trx) => {
    const before = await getPlan(trx, ctx.workspaceId, planId);
    if (patch.status === "open" && before.status !== "cancelled")
      throw new AppError("CONFLICT", "Only a cancelled plan can be reopened.");
    if (patch.status === "cancelled" && before.status !== "open")
      throw new AppError("CONFLICT", `This plan is ${before.status}: it cannot be cancelled.`);
    const set: Partial<ChangePlanTable> = { updated_at: ctx.now.toISOString() };
    if (patch.status) set.status = patch.status;
    if (patch.dueOn !== undefined) set.due_on = patch.dueOn;
    if (patch.recheckOn !== undefined) set.recheck_on = patch.recheckOn;
    if (patch.notes !== undefined) set.notes = patch.notes;
    if (patch.ownerUserId !== undefined) set.owner_user_id = patch.ownerUserId;
    await trx
      .updateTable("change_plan")
      .set(set)
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", planId)
      .execute();
    const after = await getPlan(trx, ctx.workspaceId, planId);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "plan",
      entityId: planId,
      action: patch.status ? (patch.status === "cancelled" ? "cancel" : "reopen") : "update",
      before: {
        status: before.status,
        dueOn: before.dueOn,
        recheckOn: before.recheckOn,
        notes: before.notes,
      },
      after: { status: after.status, dueOn: after.dueOn, recheckOn: after.recheckOn, notes: after.notes },
    });
    return after;
  });
}

// ── per-account "when this changes" rules ───────────────────────────────────
export interface ChangeRuleView {
  accountId: string;
  notify: string | null;
  removeWithinDays: number | null;
  successorPersonId: string | null;
  notes: string | null;
  updatedAt: string | null;
}

export async function listChangeRules(db: Kysely<DB>, workspaceId: string): Promise<ChangeRuleView[]> {
  const rows = await db
    .selectFrom("account_change_rule")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .execute();
  return rows.map((r) => ({
    accountId: r.account_id,
    notify: r.notify,
    removeWithinDays: r.remove_within_days === null ? null : Number(r.remove_within_days),
    successorPersonId: r.successor_person_id,
    notes: r.notes,
    updatedAt: toIso(r.updated_at),
  }));
}

export async function getChangeRule(
  db: Kysely<DB>,
  workspaceId: string,
  accountId: string,
): Promise<ChangeRuleView> {
  const found = (await listChangeRules(db, workspaceId)).find((r) => r.accountId === accountId);
  return (
    found ?? {
      accountId,
      notify: null,
      removeWithinDays: null,
      successorPersonId: null,
      notes: null,
      updatedAt: null,
    }
  );
}

export async function setChangeRule(
  db: Kysely<DB>,
  ctx: WriteContext,
  accountId: string,
  rule: {
    notify: string | null;
    removeWithinDays: number | null;
    successorPersonId: string | null;
    notes: string | null;
  },
): Promise<ChangeRuleView> {
  return inTransaction(db, async (trx) => {
    const before = await getChangeRule(trx, ctx.workspaceId, accountId);
    const at = ctx.now.toISOString();
    const row = {
      account_id: accountId,
      workspace_id: ctx.workspaceId,
      notify: rule.notify,
      remove_within_days: rule.removeWithinDays,
      successor_person_id: rule.successorPersonId,
      notes: rule.notes,
      updated_at: at,
    };
    await trx
      .insertInto("account_change_rule")
      .values(row)
      .onConflict((oc) => oc.column("account_id").doUpdateSet({ ...row }))
      .execute();
    const after = await getChangeRule(trx, ctx.workspaceId, accountId);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "account",
      entityId: accountId,
      action: "change-rule",
      before: { ...before, updatedAt: null },
      after: { ...after, updatedAt: null },
    });
    return after;
  });
}

/** Open plans whose re-check day has come, across every workspace (for the scheduler). */
export async function plansDueForRecheck(db: Kysely<DB>, today: string) {
  return db
    .selectFrom("change_plan")
    .select(["id", "workspace_id", "recheck_on", "owner_user_id", "title"])
    .where("status", "=", "open")
    .where("recheck_on", "<=", today)
    .execute();
}

/** Open tasks with a due date, across every workspace (for the scheduler and calendars). */
export async function openTasksDue(db: Kysely<DB>, until: string) {
  return db
    .selectFrom("plan_task")
    .innerJoin("change_plan", "change_plan.id", "plan_task.plan_id")
    .select([
      "plan_task.id",
      "plan_task.workspace_id",
      "plan_task.plan_id",
      "plan_task.title",
      "plan_task.due_on",
      "plan_task.assignee_user_id",
      "change_plan.owner_user_id",
      "change_plan.title as plan_title",
    ])
    .where("change_plan.status", "=", "open")
    .where("plan_task.status", "=", "todo")
    .where("plan_task.due_on", "is not", null)
    .where("plan_task.due_on", "<=", until)
    .execute();
}
