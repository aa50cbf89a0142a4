import { type Kysely, sql } from "kysely";
import { notFound } from "../core/errors.ts";
import type { Finding, FindingsInput } from "../core/findings/rules.ts";
import { historyHead } from "./access-snapshot.ts";
import { type Actor, appendHistory } from "./history.ts";
import * as record from "./record.ts";
import type { DB, FindingTable } from "./schema.ts";
import { toIso } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

export type FindingStatus = "open" | "acknowledged" | "snoozed" | "resolved";

export interface StoredFinding extends Finding {
  status: FindingStatus;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  snoozedUntil: string | null;
  firstSeen: string;
  resolvedAt: string | null;
}

/** The record as the finding rules read it. */
export async function loadFindingsInput(
  db: Kysely<DB>,
  workspaceId: string,
  asOf: string,
): Promise<FindingsInput> {
  const [people, accounts, assets, sharedLogins, grants] = await Promise.all([
    record.listPeople(db, workspaceId),
    record.listAccounts(db, workspaceId),
    record.listAssets(db, workspaceId),
    record.listSharedLogins(db, workspaceId),
    record.listGrants(db, workspaceId),
  ]);
  return {
    asOf,
    people,
    accounts: accounts.map((a) => ({ ...a, createdOn: a.createdAt.slice(0, 10) })),
    assets,
    sharedLogins,
    grants,
  };
}

function toStored(r: FindingTable, today: string): StoredFinding {
  const subject = typeof r.subject === "string" ? JSON.parse(r.subject) : (r.subject ?? null);
  // A snooze ends by itself on its date.
  const status =
    r.status === "snoozed" && r.snoozed_until && r.snoozed_until <= today
      ? "open"
      : (r.status as FindingStatus);
  return {
    key: r.key,
    rule: r.rule,
    severity: r.severity as Finding["severity"],
    accountId: r.account_id,
    assetId: r.asset_id,
    subject,
    message: r.message,
    guide: r.guide,
    status,
    reason: r.reason,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at ? toIso(r.decided_at) : null,
    snoozedUntil: r.snoozed_until,
    firstSeen: toIso(r.first_seen),
    resolvedAt: r.resolved_at ? toIso(r.resolved_at) : null,
  };
}

/** Has anything changed since the last scan (a record change, or a new day)? */
export async function needsScan(
  db: Kysely<DB>,
  workspaceId: string,
  asOf: string,
): Promise<{ stale: boolean; head: number }> {
  const head = await historyHead(db, workspaceId);
  const last = await db
    .selectFrom("finding_scan")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  return { stale: !last || Number(last.history_head) !== head || last.as_of !== asOf, head };
}

/**
 * Store a scan's result: new findings open, findings that cleared resolve themselves, and a
 * finding that comes back reopens. Each opening and closing is a history event; decisions
 * (acknowledged, snoozed) are kept across scans through the stable key.
 */
export async function reconcileFindings(
  db: Kysely<DB>,
  workspaceId: string,
  found: Finding[],
  asOf: string,
  now: Date,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    // Serialise scans of one workspace (SQLite has one writer; PostgreSQL needs the row lock).
    if (trx.getExecutor().adapter.constructor.name === "PostgresAdapter") {
      await sql`select id from organization where id = ${workspaceId} for update`.execute(trx);
    }
    const actor: Actor = { userId: null, label: "findings scan" };
    const existing = new Map(
      (await trx.selectFrom("finding").selectAll().where("workspace_id", "=", workspaceId).execute()).map(
        (r) => [r.key, r],
      ),
    );
    const at = now.toISOString();
    const current = new Set<string>();
    for (const f of found) {
      current.add(f.key);
      const row = existing.get(f.key);
      const fields = {
        rule: f.rule,
        severity: f.severity,
        account_id: f.accountId,
        asset_id: f.assetId,
        subject: f.subject ? JSON.stringify(f.subject) : null,
        message: f.message,
        guide: f.guide,
      };
      if (!row) {
        await trx
          .insertInto("finding")
          .values({
            workspace_id: workspaceId,
            key: f.key,
            ...fields,
            status: "open",
            reason: null,
            decided_by: null,
            decided_at: null,
            snoozed_until: null,
            first_seen: at,
            resolved_at: null,
          })
          .execute();
        await appendHistory(trx, {
          workspaceId,
          actor,
          at: now,
          entityType: "finding",
          entityId: f.key,
          action: "open",
          after: { rule: f.rule, message: f.message },
        });
      } else if (row.status === "resolved") {
        await trx
          .updateTable("finding")
          .set({ ...fields, status: "open", resolved_at: null, reason: null, snoozed_until: null })
          .where("workspace_id", "=", workspaceId)
          .where("key", "=", f.key)
          .execute();
        await appendHistory(trx, {
          workspaceId,
          actor,
          at: now,
          entityType: "finding",
          entityId: f.key,
          action: "reopen",
          after: { rule: f.rule, message: f.message },
        });
      } else if (row.message !== f.message || row.severity !== f.severity) {
        await trx
          .updateTable("finding")
          .set(fields)
          .where("workspace_id", "=", workspaceId)
          .where("key", "=", f.key)
          .execute();
      }
    }
    for (const [key, row] of existing) {
      if (current.has(key) || row.status === "resolved") continue;
      await trx
        .updateTable("finding")
        .set({ status: "resolved", resolved_at: at })
        .where("workspace_id", "=", workspaceId)
        .where("key", "=", key)
        .execute();
      await appendHistory(trx, {
        workspaceId,
        actor,
        at: now,
        entityType: "finding",
        entityId: key,
        action: "resolve",
        before: { rule: row.rule, message: row.message },
      });
    }
    const head = await historyHead(trx, workspaceId);
    await trx.deleteFrom("finding_scan").where("workspace_id", "=", workspaceId).execute();
    await trx
      .insertInto("finding_scan")
      .values({ workspace_id: workspaceId, history_head: head, as_of: asOf })
      .execute();
  });
}

export async function listStoredFindings(
  db: Kysely<DB>,
  workspaceId: string,
  today: string,
): Promise<StoredFinding[]> {
  const rows = await db.selectFrom("finding").selectAll().where("workspace_id", "=", workspaceId).execute();
  return rows.map((r) => toStored(r, today));
}

export async function decideFinding(
  db: Kysely<DB>,
  ctx: { workspaceId: string; actor: Actor; now: Date },
  key: string,
  decision:
    | { status: "acknowledged"; reason: string }
    | { status: "snoozed"; until: string; reason: string | null }
    | { status: "open" },
): Promise<StoredFinding> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("finding")
      .selectAll()
      .where("workspace_id", "=", ctx.workspaceId)
      .where("key", "=", key)
      .executeTakeFirst();
    if (!row || row.status === "resolved") throw notFound("Open finding");
    const set =
      decision.status === "acknowledged"
        ? { status: "acknowledged", reason: decision.reason, snoozed_until: null }
        : decision.status === "snoozed"
          ? { status: "snoozed", reason: decision.reason, snoozed_until: decision.until }
          : { status: "open", reason: null, snoozed_until: null };
    await trx
      .updateTable("finding")
      .set({ ...set, decided_by: ctx.actor.label, decided_at: ctx.now.toISOString() })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("key", "=", key)
      .execute();
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "finding",
      entityId: key,
      action:
        decision.status === "open" ? "reopen" : decision.status === "acknowledged" ? "acknowledge" : "snooze",
      after: set,
    });
    const after = await trx
      .selectFrom("finding")
      .selectAll()
      .where("workspace_id", "=", ctx.workspaceId)
      .where("key", "=", key)
      .executeTakeFirstOrThrow();
    return toStored(after, ctx.now.toISOString().slice(0, 10));
  });
}
