import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { addDays, type Clock, isoDay } from "../core/clock.ts";
import { uuidv7 } from "../core/ids.ts";
import { type RequestEvent, requestEvents } from "../core/requests/compose.ts";
import type { RequestStatus } from "../core/requests/state.ts";
import { sealHeads } from "../store/history-seal.ts";
import { claimJob, finishJob, reclaimStaleJobs } from "../store/notifications.ts";
import { openTasksDue, plansDueForRecheck } from "../store/plans.ts";
import { getRequest, moveRequest, requestsInMotion } from "../store/requests.ts";
import { type DB, toIso } from "../store/schema.ts";
import type { AccessService } from "./access-service.ts";
import { refreshFindings } from "./findings-service.ts";
import type { GuideLibrary } from "./guides/load.ts";
import { type Notifier, recipients } from "./notifier.ts";
import { recheckPlan } from "./plans-service.ts";
import { lifetimeOf, requestMessage, roleResolver } from "./requests-service.ts";

interface Job {
  key: string;
  workspaceId: string;
  kind: string;
  payload: Record<string, unknown>;
}

/** Notice ahead of an access review's due day, and of access that runs out. */
const REVIEW_NOTICE_DAYS = 7;
const EXPIRY_NOTICE_DAYS = 3;

/** A claimed job that did not finish (its server stopped) is taken over after this long. */
const LEASE_MS = 10 * 60_000;

export interface SchedulerDeps {
  db: Kysely<DB>;
  clock: Clock;
  notifier: Notifier;
  access: AccessService;
  library?: GuideLibrary;
  publicUrl: string;
  logger: Logger;
  /** Signs each workspace's history head (see store/history-seal.ts); no sealing without it. */
  sealKey?: Buffer;
}

/**
 * Runs inside every server. Each tick works out what is due (request reminders and escalations,
 * invitation expiry warnings and expiries, overdue requests, plan re-checks, tasks due, the first findings scan of a new day) and
 * claims each by inserting its unique key: with several servers on one PostgreSQL database,
 * exactly one of them does each job.
 */
export class Scheduler {
  readonly id = `scheduler-${uuidv7()}`;
  readonly #deps: SchedulerDeps;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
  }

  start(intervalMs = 60_000): void {
    const run = () => {
      if (this.#running) return;
      this.#running = this.tick()
        .catch((err) => this.#deps.logger.error({ err }, "scheduler tick failed"))
        .finally(() => {
          this.#running = null;
        });
    };
    this.#timer = setInterval(run, intervalMs);
    this.#timer.unref();
    setTimeout(run, 1000).unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** Everything due now, as jobs with stable keys. */
  async due(): Promise<Job[]> {
    const { db, clock } = this.#deps;
    const today = isoDay(clock.now());
    const jobs: Job[] = [];
    for (const r of await requestsInMotion(db)) {
      const timing = {
        id: r.id,
        status: r.status as RequestStatus,
        sentOn: r.sent_on,
        invitedOn: r.invited_on,
        dueOn: r.due_on,
        reminderDays: (typeof r.reminder_days === "string"
          ? JSON.parse(r.reminder_days)
          : r.reminder_days) as number[],
        hasEscalation: !!r.escalation_name,
      };
      for (const e of requestEvents(timing, lifetimeOf(r.platform), today))
        jobs.push({
          key: e.key,
          workspaceId: r.workspace_id,
          kind: `request-${e.kind}`,
          payload: { requestId: r.id, event: e },
        });
    }
    for (const p of await plansDueForRecheck(db, today))
      jobs.push({
        key: `plan:${p.id}:recheck:${p.recheck_on}`,
        workspaceId: p.workspace_id,
        kind: "plan-recheck",
        payload: { planId: p.id },
      });
    for (const t of await openTasksDue(db, today))
      jobs.push({
        key: `task:${t.id}:due:${t.due_on}`,
        workspaceId: t.workspace_id,
        kind: "task-due",
        payload: {
          taskId: t.id,
          planId: t.plan_id,
          title: t.title,
          planTitle: t.plan_title,
          dueOn: t.due_on,
          to: t.assignee_user_id ?? t.owner_user_id,
        },
      });
    // Access reviews coming due (a week ahead) and access that runs out (three days ahead).
    const reviews = await db
      .selectFrom("platform_account")
      .select(["id", "workspace_id", "name", "review_cadence_days", "last_reviewed_on", "created_at"])
      .where("review_cadence_days", "is not", null)
      .execute();
    for (const a of reviews) {
      const from = a.last_reviewed_on ?? toIso(a.created_at).slice(0, 10);
      const dueOn = addDays(from, Number(a.review_cadence_days));
      if (addDays(dueOn, -REVIEW_NOTICE_DAYS) <= today)
        jobs.push({
          key: `review:${a.id}:${dueOn}`,
          workspaceId: a.workspace_id,
          kind: "review-due",
          payload: { accountId: a.id, name: a.name, dueOn },
        });
    }
    const ending = await db
      .selectFrom("access_grant")
      .innerJoin("platform_account", "platform_account.id", "access_grant.target_account_id")
      .leftJoin("person", "person.id", "access_grant.subject_person_id")
      .select([
        "access_grant.id",
        "access_grant.workspace_id",
        "access_grant.expires_on",
        "access_grant.role",
        "access_grant.target_account_id",
        "platform_account.name as account",
        "person.name as person",
      ])
      .where("access_grant.status", "=", "active")
      // A window, not everything ever expired (the expired-access finding covers those): read
      // through the partial index on expires_on, and a server that was down a few days still
      // sends the notices it missed.
      .where("access_grant.expires_on", ">=", addDays(today, -EXPIRY_NOTICE_DAYS))
      .where("access_grant.expires_on", "<=", addDays(today, EXPIRY_NOTICE_DAYS))
      .execute();
    for (const g of ending)
      jobs.push({
        key: `grant-ends:${g.id}:${g.expires_on}`,
        workspaceId: g.workspace_id,
        kind: "access-ends",
        payload: {
          accountId: g.target_account_id,
          account: g.account,
          person: g.person ?? "Someone",
          role: g.role,
          expiresOn: g.expires_on,
        },
      });
    // Each workspace's first findings scan of a new day, before anyone opens the dashboard: at a
    // million grants a full scan takes seconds, better spent here than in someone's request.
    for (const s of await db
      .selectFrom("finding_scan")
      .select("workspace_id")
      .where("as_of", "<", today)
      .execute())
      jobs.push({
        key: `findings:${s.workspace_id}:${today}`,
        workspaceId: s.workspace_id,
        kind: "findings-daily",
        payload: {},
      });
    return jobs;
  }

  /** One pass: claim and run what is due. Returns the keys this server ran. */
  async tick(): Promise<string[]> {
    const { db, clock, logger } = this.#deps;
    const now = clock.now();
    const ran: string[] = [];
    if (this.#deps.sealKey) await sealHeads(db, this.#deps.sealKey, now);
    const todo: Job[] = [];
    for (const job of await this.due()) if (await claimJob(db, job, this.id, now)) todo.push(job);
    todo.push(...((await reclaimStaleJobs(db, this.id, now, LEASE_MS)) as Job[]));
    for (const job of todo) {
      try {
        await this.run(job);
        await finishJob(db, job.key, clock.now(), null);
        ran.push(job.key);
      } catch (err) {
        logger.error({ err, job: job.key }, "scheduled job failed; it will be retried");
        await finishJob(db, job.key, clock.now(), err instanceof Error ? err.message : String(err));
      }
    }
    return ran;
  }

  async #slug(workspaceId: string): Promise<string> {
    const ws = await this.#deps.db
      .selectFrom("organization")
      .select("slug")
      .where("id", "=", workspaceId)
      .executeTakeFirst();
    return ws?.slug ?? workspaceId;
  }

  async run(job: Job): Promise<void> {
    const { db, clock, notifier, access } = this.#deps;
    if (job.kind === "findings-daily") {
      await refreshFindings(db, clock, job.workspaceId);
      return;
    }
    const now = clock.now();
    const today = isoDay(now);
    const slug = await this.#slug(job.workspaceId);
    const system = { workspaceId: job.workspaceId, actor: { userId: null, label: "scheduler" }, now };
    if (job.kind.startsWith("request-")) {
      const event = job.payload.event as RequestEvent;
      const r = await getRequest(
        db,
        job.workspaceId,
        job.payload.requestId as string,
        lifetimeOf,
        today,
      ).catch(() => null);
      if (!r) return;
      const path = `/app/w/${slug}/requests/${r.id}`;
      const to = await recipients(db, job.workspaceId, [r.ownerUserId]);
      const waiting = `"${r.title}" (${r.contactName})`;
      switch (event.kind) {
        case "reminder":
        case "escalation": {
          const escalate = event.kind === "escalation";
          await notifier.notify(
            {
              workspaceId: job.workspaceId,
              userIds: to,
              topic: "requests",
              key: job.key,
              title: escalate
                ? `Escalate: no answer after ${event.step} days`
                : `Chase: ${event.step} days without an answer`,
              body: escalate
                ? `Still waiting on ${waiting}. It is time to ask ${r.escalationName ?? "a second contact"}.${r.emailContact && r.escalationEmail ? ` Delvia emailed ${r.escalationName} a copy of the request.` : ""}`
                : `Still waiting on ${waiting}.${r.emailContact && r.contactEmail ? ` Delvia sent ${r.contactName} a reminder.` : " Send a short reminder with the message from the request."}`,
              path,
            },
            now,
          );
          if (r.emailContact && r.contactEmail) {
            const msg = await requestMessage(
              db,
              this.#deps.library,
              this.#deps.publicUrl,
              job.workspaceId,
              r,
              await senderOf(db, job.workspaceId, r.ownerUserId),
            );
            const target = escalate && r.escalationEmail ? r.escalationEmail : r.contactEmail;
            await notifier.emailContact(
              target,
              `Reminder: ${msg.subject}`,
              msg.text,
              escalate ? undefined : undefined,
            );
          }
          return;
        }
        case "expiry-warning":
          await notifier.notify(
            {
              workspaceId: job.workspaceId,
              userIds: to,
              topic: "requests",
              key: job.key,
              title: `Invitation runs out on ${r.invitationExpiresOn}`,
              body: `The invitation for ${waiting} expires on ${r.invitationExpiresOn}. Accept it before then, or ask for a new one.`,
              path,
            },
            now,
          );
          return;
        case "expire": {
          if (r.status === "invited")
            await moveRequest(
              db,
              system,
              r.id,
              { status: "expired", on: today, note: "The platform invitation ran out." },
              lifetimeOf,
              await roleResolver(db, job.workspaceId, r),
            );
          await notifier.notify(
            {
              workspaceId: job.workspaceId,
              userIds: to,
              topic: "requests",
              key: job.key,
              title: `Invitation expired: ${r.title}`,
              body: `The platform invitation for ${waiting} ran out before it was accepted. Ask for a new one: the request is marked expired and can be sent again.`,
              path,
            },
            now,
          );
          return;
        }
        case "overdue":
          await notifier.notify(
            {
              workspaceId: job.workspaceId,
              userIds: to,
              topic: "requests",
              key: job.key,
              title: `Overdue: ${r.title}`,
              body: `This request was due on ${r.dueOn} and is still ${r.status}.`,
              path,
            },
            now,
          );
          return;
      }
    }
    if (job.kind === "plan-recheck") {
      const plan = await recheckPlan(db, access, system, job.payload.planId as string).catch(() => null);
      if (!plan) return;
      const to = await recipients(db, job.workspaceId, [plan.ownerUserId]);
      const left = plan.lastCheck?.remaining ?? [];
      await notifier.notify(
        {
          workspaceId: job.workspaceId,
          userIds: to,
          topic: "plans",
          key: job.key,
          title: plan.status === "complete" ? `Plan complete: ${plan.title}` : `Re-check: ${plan.title}`,
          body:
            plan.status === "complete"
              ? "The re-check found nothing left: the plan is complete."
              : left.length
                ? `The re-check found ${left.length} thing(s) still left:\n${left
                    .slice(0, 10)
                    .map((l) => `- ${l}`)
                    .join("\n")}`
                : `Nothing is left in the record, but ${plan.progress.total - plan.progress.done} task(s) are still open.`,
          path: `/app/w/${slug}/plans/${plan.id}`,
        },
        now,
      );
      return;
    }
    if (job.kind === "review-due" || job.kind === "access-ends") {
      const p = job.payload as {
        accountId: string;
        name: string;
        dueOn: string;
        account: string;
        person: string;
        role: string;
        expiresOn: string;
      };
      const review = job.kind === "review-due";
      await notifier.notify(
        {
          workspaceId: job.workspaceId,
          userIds: await recipients(db, job.workspaceId, []),
          topic: review ? "reviews" : "access",
          key: job.key,
          title: review
            ? `Access review due ${p.dueOn}: ${p.name}`
            : `Access ends ${p.expiresOn}: ${p.person} on ${p.account}`,
          body: review
            ? `Confirm who can get into ${p.name}, then record the review on the account.`
            : `${p.person} holds ${p.role} on ${p.account} until ${p.expiresOn}. Remove it on the platform then, and record the change, unless it should be extended.`,
          path: `/app/w/${slug}/accounts/${p.accountId}`,
        },
        now,
      );
      return;
    }
    if (job.kind === "task-due") {
      const p = job.payload as {
        planId: string;
        title: string;
        planTitle: string;
        dueOn: string;
        to: string | null;
      };
      await notifier.notify(
        {
          workspaceId: job.workspaceId,
          userIds: await recipients(db, job.workspaceId, [p.to]),
          topic: "plans",
          key: job.key,
          title: `Due: ${p.title}`,
          body: `This task of "${p.planTitle}" is due on ${p.dueOn}.`,
          path: `/app/w/${slug}/plans/${p.planId}`,
        },
        now,
      );
    }
  }
}

/** Who a request's message is signed by: its owner, and the workspace's name. */
export async function senderOf(db: Kysely<DB>, workspaceId: string, userId: string | null) {
  const ws = await db
    .selectFrom("organization")
    .select("name")
    .where("id", "=", workspaceId)
    .executeTakeFirst();
  const user = userId
    ? await db.selectFrom("user").select(["name", "email"]).where("id", "=", userId).executeTakeFirst()
    : undefined;
  return {
    name: user?.name || user?.email || "The team",
    organization: ws?.name ?? "",
    email: user?.email ?? null,
  };
}
