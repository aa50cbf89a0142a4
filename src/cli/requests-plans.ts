import type { Config } from "../config/config.ts";
import { isoDay, systemClock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import { REQUEST_STATUSES, type RequestStatus, STATUS_LABELS } from "../core/requests/state.ts";
import { AccessService } from "../server/access-service.ts";
import { createPlan } from "../server/plans-service.ts";
import { lifetimeOf, roleResolver } from "../server/requests-service.ts";
import { listPlans } from "../store/plans.ts";
import * as record from "../store/record.ts";
import { getRequest, listRequests, moveRequest } from "../store/requests.ts";
import { flag, option, UsageError, withDatabase, workspaceBySlug } from "./context.ts";

const out = (s: string) => process.stdout.write(`${s}\n`);

/**
 * `delvia requests --workspace SLUG [--all] [--json]`: requests in progress (or all), with what each
 * waits for; `--move ID --to STATUS [--note TEXT]` moves one on, as the app does.
 */
export async function requests(config: Config, args: string[]): Promise<number> {
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const today = isoDay(systemClock.now());
    const moveId = option(args, "move");
    if (moveId) {
      const to = option(args, "to");
      if (!to || !(REQUEST_STATUSES as readonly string[]).includes(to))
        throw new UsageError(`--to takes one of: ${REQUEST_STATUSES.join(", ")}.`);
      const before = await getRequest(database.db, ws.id, moveId, lifetimeOf, today).catch(() => {
        throw new UsageError(`No request ${moveId} in ${ws.slug}.`);
      });
      try {
        const after = await moveRequest(
          database.db,
          { workspaceId: ws.id, actor: { userId: null, label: "cli" }, now: systemClock.now() },
          moveId,
          { status: to as RequestStatus, on: null, note: option(args, "note") ?? null },
          lifetimeOf,
          await roleResolver(database.db, ws.id, before),
        );
        out(`${after.title}: ${STATUS_LABELS[before.status]} → ${STATUS_LABELS[after.status]}`);
        return 0;
      } catch (err) {
        if (err instanceof AppError) throw new UsageError(err.userMessage);
        throw err;
      }
    }
    const all = await listRequests(database.db, ws.id, lifetimeOf, today);
    const shown = flag(args, "all")
      ? all
      : all.filter((r) => !["verified", "declined", "withdrawn"].includes(r.status));
    if (flag(args, "json")) out(JSON.stringify({ requests: shown }, null, 2));
    else {
      out(`${shown.length} request(s) in ${ws.slug}`);
      for (const r of shown)
        out(
          `${r.id} [${STATUS_LABELS[r.status]}] ${r.title} (${r.direction}, admin ${r.contactName})${r.invitationExpiresOn ? ` · invitation runs out ${r.invitationExpiresOn}` : ""}${r.nextReminderOn ? ` · next reminder ${r.nextReminderOn}` : ""}`,
        );
    }
    return 0;
  });
}

/** `delvia plans --workspace SLUG [--json]`: change plans and their progress. */
export async function plans(config: Config, args: string[]): Promise<number> {
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const list = await listPlans(database.db, ws.id);
    if (flag(args, "json")) out(JSON.stringify({ plans: list }, null, 2));
    else {
      out(`${list.length} plan(s) in ${ws.slug}`);
      for (const p of list) {
        out(`[${p.status}] ${p.title}: ${p.progress.done}/${p.progress.total} tasks done`);
        for (const t of p.tasks)
          out(`  ${t.status === "done" ? "[x]" : t.status === "skipped" ? "[-]" : "[ ]"} ${t.title}`);
      }
    }
    return 0;
  });
}

/** `delvia leaver --workspace SLUG --email E [--successor-email E2]`: make the plan for a person who leaves. */
export async function leaver(config: Config, args: string[]): Promise<number> {
  const email = option(args, "email")?.toLowerCase();
  if (!email) throw new UsageError("Name who leaves with --email ADDRESS.");
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const people = await record.listPeople(database.db, ws.id);
    const find = (e: string) => {
      const p = people.find((x) => x.emails.includes(e));
      if (!p) throw new UsageError(`Nobody with the email ${e} in ${ws.slug}.`);
      return p;
    };
    const person = find(email);
    const successorEmail = option(args, "successor-email")?.toLowerCase();
    const successor = successorEmail ? find(successorEmail) : null;
    const plan = await createPlan(
      database.db,
      new AccessService(database.db),
      { workspaceId: ws.id, actor: { userId: null, label: "cli" }, now: systemClock.now() },
      {
        subject: { kind: "person-leaves", personId: person.id },
        successorPersonId: successor?.id ?? null,
        dueOn: null,
        notes: null,
      },
      null,
    );
    if (flag(args, "json")) out(JSON.stringify(plan, null, 2));
    else {
      out(`Plan "${plan.title}" with ${plan.tasks.length} task(s); re-check on ${plan.recheckOn}:`);
      plan.tasks.forEach((t, i) => {
        out(`${i + 1}. ${t.title}${t.guide ? `  (/guides/${t.guide})` : ""}`);
      });
    }
    return 0;
  });
}
