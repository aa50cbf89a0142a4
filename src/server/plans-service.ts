import type { Kysely } from "kysely";
import type { ReachAnswer } from "../core/access/index.ts";
import { getPlatform, isAdminLevel, resolveRole } from "../core/catalog/index.ts";
import { addDays, isoDay } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import { type ChangeRule, generatePlan, type PlanContext, planRemaining } from "../core/plans/generate.ts";
import type { PlanInput, PlanSubject, TaskAction, TaskStatus } from "../core/plans/types.ts";
import type { GrantView, PersonView } from "../core/record/schemas.ts";
import * as plans from "../store/plans.ts";
import type { WriteContext } from "../store/record.ts";
import * as record from "../store/record.ts";
import type { DB } from "../store/schema.ts";
import { inTransaction } from "../store/transaction.ts";
import type { AccessService } from "./access-service.ts";
import { platformDef } from "./requests-service.ts";

/** Days after a plan is made that the scheduler re-checks it. */
export const RECHECK_AFTER_DAYS = 7;

function peopleOf(subject: PlanSubject, people: PersonView[], grants: GrantView[]): string[] {
  switch (subject.kind) {
    case "person-leaves":
      return [subject.personId];
    case "relationship-ends":
      return people.filter((p) => p.organizationId === subject.organizationId).map((p) => p.id);
    case "role-change": {
      const g = grants.find((x) => x.id === subject.grantId);
      return g?.subject.type === "person" ? [g.subject.personId] : [];
    }
    default:
      return [];
  }
}

/** Everything the generator needs, read from the record and the access engine. */
export async function planContext(
  db: Kysely<DB>,
  access: AccessService,
  workspaceId: string,
  subject: PlanSubject,
  opts: { today: string; dueOn: string | null; successorPersonId: string | null },
): Promise<PlanContext> {
  const [people, accounts, assets, sharedLogins, grants, rules] = await Promise.all([
    record.listPeople(db, workspaceId),
    record.listAccounts(db, workspaceId),
    record.listAssets(db, workspaceId),
    record.listSharedLogins(db, workspaceId),
    record.listGrants(db, workspaceId),
    plans.listChangeRules(db, workspaceId),
  ]);
  const index = await access.index(workspaceId);
  const reach = new Map<string, ReachAnswer[]>();
  for (const p of peopleOf(subject, people, grants)) reach.set(p, index.reach(p, opts.today));
  return {
    today: opts.today,
    dueOn: opts.dueOn,
    successorPersonId: opts.successorPersonId,
    people,
    accounts,
    assets,
    sharedLogins,
    grants,
    reach,
    rules: new Map<string, ChangeRule>(rules.map((r) => [r.accountId, r])),
    platform: (key) => getPlatform(key) ?? platformDef(key),
  };
}

/** Check that what the plan names is in this workspace, and give it a title. */
async function describe(db: Kysely<DB>, workspaceId: string, input: PlanInput): Promise<string> {
  const s = input.subject;
  const bad = (path: string, what: string) =>
    new AppError("VALIDATION_FAILED", `${what} is not in this workspace.`, {
      problems: [{ path, message: `no such ${what.toLowerCase()} in this workspace` }],
    });
  if (input.successorPersonId)
    await record.getPerson(db, workspaceId, input.successorPersonId).catch(() => {
      throw bad("successorPersonId", "Person");
    });
  switch (s.kind) {
    case "person-leaves": {
      const p = await record.getPerson(db, workspaceId, s.personId).catch(() => {
        throw bad("subject.personId", "Person");
      });
      if (input.successorPersonId === p.id)
        throw new AppError("VALIDATION_FAILED", "The successor cannot be the person who leaves.", {
          problems: [{ path: "successorPersonId", message: "choose someone else" }],
        });
      return `${p.name} leaves`;
    }
    case "relationship-ends": {
      const o = await record.getOrganization(db, workspaceId, s.organizationId).catch(() => {
        throw bad("subject.organizationId", "Organization");
      });
      return `Relationship with ${o.name} ends`;
    }
    case "ownership-handover": {
      const a = await record.getAccount(db, workspaceId, s.accountId).catch(() => {
        throw bad("subject.accountId", "Account");
      });
      const p = await record.getPerson(db, workspaceId, s.toPersonId).catch(() => {
        throw bad("subject.toPersonId", "Person");
      });
      return `Hand ${a.name} over to ${p.name}`;
    }
    case "role-change": {
      const g = await record.getGrant(db, workspaceId, s.grantId).catch(() => {
        throw bad("subject.grantId", "Grant");
      });
      if (g.subject.type !== "person")
        throw new AppError("VALIDATION_FAILED", "A role change plan is for a person's grant.", {
          problems: [{ path: "subject.grantId", message: "not held by a person" }],
        });
      const a = await record.getAccount(db, workspaceId, g.target.accountId);
      const p = await record.getPerson(db, workspaceId, g.subject.personId);
      const platform = getPlatform(a.platform);
      if (platform) {
        const level = g.target.assetId
          ? (await record.getAsset(db, workspaceId, g.target.assetId)).type
          : "account";
        const r = resolveRole(platform, level, s.role);
        if (!r.ok)
          throw new AppError("VALIDATION_FAILED", r.message, {
            problems: [{ path: "subject.role", message: `valid roles: ${r.valid.join(", ")}` }],
          });
        s.role = r.role.name;
      }
      return `${p.name}: ${g.role} → ${s.role} on ${a.name}`;
    }
    case "shared-login-retired": {
      const l = await record.getSharedLogin(db, workspaceId, s.sharedLoginId).catch(() => {
        throw bad("subject.sharedLoginId", "Shared login");
      });
      return `Retire the shared login "${l.label}"`;
    }
  }
}

export async function previewPlan(
  db: Kysely<DB>,
  access: AccessService,
  workspaceId: string,
  input: PlanInput,
  now: Date,
) {
  const title = await describe(db, workspaceId, input);
  const today = isoDay(now);
  const ctx = await planContext(db, access, workspaceId, input.subject, {
    today,
    dueOn: input.dueOn,
    successorPersonId: input.successorPersonId,
  });
  return { title, tasks: generatePlan(input.subject, ctx) };
}

export async function createPlan(
  db: Kysely<DB>,
  access: AccessService,
  ctx: WriteContext,
  input: PlanInput,
  ownerUserId: string | null,
): Promise<plans.PlanView> {
  const { title, tasks } = await previewPlan(db, access, ctx.workspaceId, input, ctx.now);
  return plans.createPlan(
    db,
    ctx,
    {
      kind: input.subject.kind,
      title,
      subject: input.subject,
      successorPersonId: input.successorPersonId,
      dueOn: input.dueOn,
      recheckOn: addDays(isoDay(ctx.now), RECHECK_AFTER_DAYS),
      notes: input.notes,
      ownerUserId,
    },
    tasks,
  );
}

/** Re-check a plan against the record: add tasks for anything new, complete it when nothing is left. */
export async function recheckPlan(
  db: Kysely<DB>,
  access: AccessService,
  ctx: WriteContext,
  planId: string,
): Promise<plans.PlanView> {
  const plan = await plans.getPlan(db, ctx.workspaceId, planId);
  if (plan.status !== "open") return plan;
  const today = isoDay(ctx.now);
  const pctx = await planContext(db, access, ctx.workspaceId, plan.subject, {
    today,
    dueOn: plan.dueOn,
    successorPersonId: plan.successorPersonId,
  });
  const remaining = planRemaining(plan.subject, pctx);
  if (remaining.length) {
    // Something new appeared (a grant recorded after the plan was made): add its tasks.
    const drafts = generatePlan(plan.subject, pctx).filter((d) => d.action.type !== "mark-departed");
    const known = new Set(plan.tasks.map((t) => t.key));
    const fresh = drafts.filter((d) => !known.has(d.key));
    if (fresh.length) await plans.addPlanTasks(db, ctx, planId, fresh);
  }
  return plans.recordPlanCheck(db, ctx, planId, { on: today, remaining });
}

/**
 * Tick a task: done (applies its change to the record, in the same transaction), skipped, or
 * back to do. A task waits for the tasks it is blocked by, and removing the last admin of an
 * account is refused while no one else holds an admin-level role.
 */
export async function settleTask(
  db: Kysely<DB>,
  access: AccessService,
  ctx: WriteContext,
  planId: string,
  taskId: string,
  body: {
    status?: TaskStatus;
    evidence?: string | null;
    personId?: string | null;
    assigneeUserId?: string | null;
    dueOn?: string | null;
  },
): Promise<plans.PlanView> {
  const today = isoDay(ctx.now);
  await inTransaction(db, async (trx) => {
    const plan = await plans.getPlan(trx, ctx.workspaceId, planId);
    const task = plan.tasks.find((t) => t.id === taskId);
    if (!task) throw new AppError("NOT_FOUND", "There is no such task in this plan.");
    let action: TaskAction | undefined;
    if (body.status === "done" && task.status !== "done") {
      const waiting = task.blockedBy
        .map((id) => plan.tasks.find((t) => t.id === id))
        .filter((t) => t && t.status === "todo");
      if (waiting.length)
        throw new AppError("CONFLICT", `Do this first: ${waiting.map((t) => t!.title).join("; ")}.`, {
          problems: [{ path: "status", message: "blocked by earlier tasks" }],
        });
      action = await applyAction(trx, ctx, task.action, body.personId ?? null, today);
    }
    await plans.setTaskState(trx, ctx, planId, taskId, {
      ...(body.status !== undefined ? { status: body.status } : {}),
      ...(body.evidence !== undefined ? { evidence: body.evidence } : {}),
      ...(body.assigneeUserId !== undefined ? { assigneeUserId: body.assigneeUserId } : {}),
      ...(body.dueOn !== undefined ? { dueOn: body.dueOn } : {}),
      ...(action ? { action } : {}),
    });
  });
  const after = await plans.getPlan(db, ctx.workspaceId, planId);
  if (after.status === "open" && after.tasks.every((t) => t.status !== "todo"))
    return recheckPlan(db, access, ctx, planId);
  return after;
}

async function applyAction(
  trx: Kysely<DB>,
  ctx: WriteContext,
  action: TaskAction,
  chosen: string | null,
  today: string,
): Promise<TaskAction> {
  const needPerson = (what: string) =>
    new AppError("VALIDATION_FAILED", `Choose ${what} to complete this task.`, {
      problems: [{ path: "personId", message: "required for this task" }],
    });
  switch (action.type) {
    case "none":
      return action;
    case "mark-departed": {
      const p = await record.getPerson(trx, ctx.workspaceId, action.personId);
      if (p.status !== "departed")
        await record.updatePerson(trx, ctx, p.id, { status: "departed", leftOn: p.leftOn ?? today });
      return action;
    }
    case "revoke-grant": {
      const g = await record.getGrant(trx, ctx.workspaceId, action.grantId);
      if (g.status === "revoked") return action;
      const account = await record.getAccount(trx, ctx.workspaceId, g.target.accountId);
      const platform = getPlatform(account.platform);
      if (
        g.status === "active" &&
        g.subject.type === "person" &&
        !g.target.assetId &&
        platform &&
        isAdminLevel(platform, "account", g.role)
      ) {
        const others = (await record.listGrants(trx, ctx.workspaceId, { accountId: account.id })).filter(
          (x) =>
            x.id !== g.id &&
            x.status === "active" &&
            x.subject.type === "person" &&
            !x.target.assetId &&
            isAdminLevel(platform, "account", x.role),
        );
        const people = await record.listPeople(trx, ctx.workspaceId);
        const live = others.filter((x) => {
          const p = people.find((pp) => x.subject.type === "person" && pp.id === x.subject.personId);
          return p && p.status !== "departed" && !(p.leftOn && p.leftOn <= today);
        });
        if (live.length === 0)
          throw new AppError(
            "CONFLICT",
            `This would leave ${account.name} with no admin. Give someone else an admin-level role first (the hand-over task).`,
            {
              problems: [{ path: "status", message: "last admin" }],
            },
          );
      }
      const { id, createdAt: _c, updatedAt: _u, ...rest } = g;
      await record.updateGrant(trx, ctx, id, {
        ...rest,
        notes: rest.notes ?? null,
        status: "revoked",
        revokedOn: today,
      });
      return action;
    }
    case "create-grant": {
      const personId = action.personId ?? chosen;
      if (!personId) throw needPerson("who takes over");
      await record.getPerson(trx, ctx.workspaceId, personId).catch(() => {
        throw new AppError("VALIDATION_FAILED", "That person is not in this workspace.", {
          problems: [{ path: "personId", message: "no such person in this workspace" }],
        });
      });
      const existing = (
        await record.listGrants(trx, ctx.workspaceId, { accountId: action.accountId, personId })
      ).find((g) => g.status === "active" && g.target.assetId === action.assetId && g.role === action.role);
      if (!existing)
        await record.createGrant(trx, ctx, {
          subject: { type: "person", personId },
          target: { accountId: action.accountId, assetId: action.assetId },
          role: action.role,
          status: "active",
          invitedOn: null,
          grantedOn: today,
          expiresOn: null,
          revokedOn: null,
          grantedBy: ctx.actor.label,
          reason: "Change plan hand-over",
          source: "typed",
          lastVerifiedOn: today,
          notes: null,
        });
      return { ...action, personId };
    }
    case "change-role": {
      const g = await record.getGrant(trx, ctx.workspaceId, action.grantId);
      const { id, createdAt: _c, updatedAt: _u, ...rest } = g;
      await record.updateGrant(trx, ctx, id, { ...rest, notes: rest.notes ?? null, role: action.role });
      return action;
    }
    case "set-owner": {
      const personId = action.personId ?? chosen;
      if (action.required && !personId) throw needPerson("the new owner");
      await record.updateAccount(
        trx,
        ctx,
        action.accountId,
        action.field === "owner" ? { ownerPersonId: personId } : { backupOwnerPersonId: personId },
      );
      return { ...action, personId };
    }
    case "forget-shared-login": {
      const l = await record.getSharedLogin(trx, ctx.workspaceId, action.sharedLoginId);
      await record.setSharedLoginKnowers(
        trx,
        ctx,
        l.id,
        l.knownByPersonIds.filter((p) => !action.personIds.includes(p)),
      );
      return action;
    }
  }
}
