import type { Kysely } from "kysely";
import { AppError, notFound } from "../core/errors.ts";
import { uuidv7 } from "../core/ids.ts";
import { invitationExpiresOn, nextReminderOn } from "../core/requests/compose.ts";
import type { RequestInput, RequestMove, RequestView } from "../core/requests/schemas.ts";
import { assertMove, FINAL, type RequestStatus } from "../core/requests/state.ts";
import { appendHistory } from "./history.ts";
import { createGrant, getGrant, updateGrant } from "./record/grants.ts";
import { mustExist, type WriteContext } from "./record/shared.ts";
import type { AccessRequestTable, DB } from "./schema.ts";
import { isPostgres, toIso } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

const json = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;

export function requestView(
  r: AccessRequestTable,
  platform: string,
  lifetimeDays: number | null,
  today: string,
): RequestView {
  const status = r.status as RequestStatus;
  const reminderDays = json<number[]>(r.reminder_days);
  return {
    id: r.id,
    direction: r.direction as RequestView["direction"],
    title: r.title,
    platform,
    accountId: r.account_id,
    assetIds: json<string[]>(r.asset_ids),
    role: r.role,
    method: r.method as RequestView["method"],
    subject:
      r.subject_type === "partner"
        ? { type: "partner", accountId: r.subject_account_id ?? "" }
        : { type: "person", personId: r.subject_person_id ?? "" },
    inviteEmail: r.invite_email,
    contactName: r.contact_name,
    contactEmail: r.contact_email,
    escalationName: r.escalation_name,
    escalationEmail: r.escalation_email,
    emailContact: Boolean(r.email_contact),
    dueOn: r.due_on,
    status,
    reminderDays,
    sentOn: r.sent_on,
    invitedOn: r.invited_on,
    acceptedOn: r.accepted_on,
    verifiedOn: r.verified_on,
    closedOn: r.closed_on,
    statusNote: r.status_note,
    grantIds: json<string[]>(r.grant_ids),
    ownerUserId: r.owner_user_id,
    notes: r.notes,
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
    invitationExpiresOn: status === "invited" ? invitationExpiresOn(r.invited_on, lifetimeDays) : null,
    nextReminderOn: nextReminderOn(
      {
        id: r.id,
        status,
        sentOn: r.sent_on,
        invitedOn: r.invited_on,
        dueOn: r.due_on,
        reminderDays,
        hasEscalation: !!r.escalation_name,
      },
      today,
    ),
  };
}

/** How the store learns a platform's key and invitation lifetime for an account. */
export type LifetimeOf = (platform: string) => number | null;

async function rowsWithPlatform(db: Kysely<DB>, workspaceId: string, id?: string) {
  let q = db
    .selectFrom("access_request")
    .innerJoin("platform_account", "platform_account.id", "access_request.account_id")
    .selectAll("access_request")
    .select("platform_account.platform as platform")
    .where("access_request.workspace_id", "=", workspaceId);
  if (id) q = q.where("access_request.id", "=", id);
  return q.orderBy("access_request.created_at", "desc").execute();
}

export async function listRequests(
  db: Kysely<DB>,
  workspaceId: string,
  lifetime: LifetimeOf,
  today: string,
): Promise<RequestView[]> {
  const rows = await rowsWithPlatform(db, workspaceId);
  return rows.map((r) => requestView(r, r.platform, lifetime(r.platform), today));
}

export async function getRequest(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  lifetime: LifetimeOf,
  today: string,
): Promise<RequestView> {
  const [r] = await rowsWithPlatform(db, workspaceId, id);
  if (!r) throw notFound("Request");
  return requestView(r, r.platform, lifetime(r.platform), today);
}

/** Referential checks: the account, assets and subject are in this workspace; assets are in the account. */
async function checkRefs(trx: Kysely<DB>, workspaceId: string, input: RequestInput): Promise<void> {
  await mustExist(trx, "platform_account", workspaceId, input.accountId, "accountId");
  for (const [i, assetId] of input.assetIds.entries()) {
    const asset = await trx
      .selectFrom("platform_asset")
      .select("account_id")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", assetId)
      .executeTakeFirst();
    if (!asset || asset.account_id !== input.accountId)
      throw new AppError("VALIDATION_FAILED", "Each asset must be held in the requested account.", {
        problems: [
          {
            path: `assetIds.${i}`,
            message: asset ? "held in another account" : "no such asset in this workspace",
          },
        ],
      });
  }
  if (input.subject.type === "person")
    await mustExist(trx, "person", workspaceId, input.subject.personId, "subject.personId");
  else {
    await mustExist(trx, "platform_account", workspaceId, input.subject.accountId, "subject.accountId");
    if (input.subject.accountId === input.accountId)
      throw new AppError("VALIDATION_FAILED", "An account cannot be its own partner.", {
        problems: [{ path: "subject.accountId", message: "same as accountId" }],
      });
  }
}

function inputRow(input: RequestInput, title: string) {
  return {
    direction: input.direction,
    title,
    account_id: input.accountId,
    asset_ids: JSON.stringify([...new Set(input.assetIds)]),
    role: input.role,
    method: input.subject.type === "partner" ? "partner" : "invite",
    subject_type: input.subject.type,
    subject_person_id: input.subject.type === "person" ? input.subject.personId : null,
    subject_account_id: input.subject.type === "partner" ? input.subject.accountId : null,
    invite_email: input.inviteEmail,
    contact_name: input.contactName,
    contact_email: input.contactEmail,
    escalation_name: input.escalationName,
    escalation_email: input.escalationEmail,
    email_contact: input.emailContact,
    due_on: input.dueOn,
    reminder_days: JSON.stringify([...input.reminderDays].sort((a, b) => a - b)),
    notes: input.notes,
  };
}

export async function createRequest(
  db: Kysely<DB>,
  ctx: WriteContext,
  input: RequestInput & { title: string },
  ownerUserId: string | null,
  lifetime: LifetimeOf,
): Promise<RequestView> {
  return inTransaction(db, async (trx) => {
    await checkRefs(trx, ctx.workspaceId, input);
    const at = ctx.now.toISOString();
    const row = {
      id: uuidv7(ctx.now.getTime()),
      workspace_id: ctx.workspaceId,
      ...inputRow(input, input.title),
      email_contact: input.emailContact ? 1 : 0,
      status: "draft",
      sent_on: null,
      invited_on: null,
      accepted_on: null,
      verified_on: null,
      closed_on: null,
      status_note: null,
      grant_ids: "[]",
      owner_user_id: ownerUserId,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto("access_request").values(fixBool(trx, row)).execute();
    const view = await getRequest(trx, ctx.workspaceId, row.id, lifetime, at.slice(0, 10));
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "request",
      entityId: row.id,
      action: "create",
      after: view,
    });
    return view;
  });
}

/** Booleans: 0/1 on SQLite, true/false on PostgreSQL. */
function fixBool<T extends { email_contact: number | boolean }>(db: Kysely<DB>, row: T): T {
  const pg = isPostgres(db);
  return { ...row, email_contact: pg ? Boolean(row.email_contact) : row.email_contact ? 1 : 0 };
}

export async function updateRequest(
  db: Kysely<DB>,
  ctx: WriteContext,
  id: string,
  input: RequestInput & { title: string },
  lifetime: LifetimeOf,
): Promise<RequestView> {
  return inTransaction(db, async (trx) => {
    const today = ctx.now.toISOString().slice(0, 10);
    const before = await getRequest(trx, ctx.workspaceId, id, lifetime, today);
    if (FINAL.includes(before.status))
      throw new AppError("CONFLICT", `This request is ${before.status}: it can no longer be edited.`);
    if (
      before.grantIds.length &&
      (input.accountId !== before.accountId ||
        JSON.stringify(input.subject) !== JSON.stringify(before.subject))
    )
      throw new AppError(
        "CONFLICT",
        "Grants were already recorded for this request: its account and who gets access can no longer change. Withdraw it and make a new one.",
      );
    await checkRefs(trx, ctx.workspaceId, input);
    await trx
      .updateTable("access_request")
      .set(fixBool(trx, { ...inputRow(input, input.title), updated_at: ctx.now.toISOString() }))
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", id)
      .execute();
    const after = await getRequest(trx, ctx.workspaceId, id, lifetime, today);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "request",
      entityId: id,
      action: "update",
      before,
      after,
    });
    return after;
  });
}

export async function deleteRequest(
  db: Kysely<DB>,
  ctx: WriteContext,
  id: string,
  lifetime: LifetimeOf,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await getRequest(trx, ctx.workspaceId, id, lifetime, ctx.now.toISOString().slice(0, 10));
    if (before.status !== "draft")
      throw new AppError(
        "CONFLICT",
        "Only a draft can be deleted; withdraw a request that was sent, so its history stays.",
      );
    await trx
      .deleteFrom("access_request")
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", id)
      .execute();
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "request",
      entityId: id,
      action: "delete",
      before,
    });
  });
}

/** The grants a request leads to: one on the account, or one per requested asset. */
function targets(r: RequestView): { accountId: string; assetId: string | null }[] {
  return r.assetIds.length
    ? r.assetIds.map((assetId) => ({ accountId: r.accountId, assetId }))
    : [{ accountId: r.accountId, assetId: null }];
}

/**
 * Move a request to its next state. Every move is checked against the state machine and written
 * to history with its day. "invited" records pending grants (so an unanswered invitation shows in
 * findings); "verified" activates them (or records them active); declining, withdrawing or
 * expiring revokes what was only pending. `roleFor` gives the canonical role for each target.
 */
export async function moveRequest(
  db: Kysely<DB>,
  ctx: WriteContext,
  id: string,
  move: RequestMove,
  lifetime: LifetimeOf,
  roleFor: (target: { accountId: string; assetId: string | null }) => string,
): Promise<RequestView> {
  return inTransaction(db, async (trx) => {
    const today = ctx.now.toISOString().slice(0, 10);
    const before = await getRequest(trx, ctx.workspaceId, id, lifetime, today);
    assertMove(before.status, move.status);
    const on = move.on ?? today;
    if (on > today)
      throw new AppError(
        "VALIDATION_FAILED",
        "That day is in the future: record a move when it has happened.",
        {
          problems: [{ path: "on", message: "must be today or earlier" }],
        },
      );
    const set: Partial<AccessRequestTable> = {
      status: move.status,
      status_note: move.note,
      updated_at: ctx.now.toISOString(),
    };
    let grantIds = before.grantIds;
    const subject =
      before.subject.type === "person"
        ? ({ type: "person", personId: before.subject.personId } as const)
        : ({ type: "partner", accountId: before.subject.accountId } as const);
    const existing = async () =>
      Promise.all(grantIds.map((g) => getGrant(trx, ctx.workspaceId, g).catch(() => null))).then((gs) =>
        gs.filter((g) => g !== null),
      );
    const base = {
      invitedOn: null as string | null,
      grantedOn: null as string | null,
      expiresOn: null,
      revokedOn: null as string | null,
      grantedBy: before.contactName,
      reason: `Access request: ${before.title}`,
      source: "typed" as const,
      lastVerifiedOn: null as string | null,
      notes: null,
    };
    switch (move.status) {
      case "sent":
        set.sent_on = on;
        set.invited_on = null;
        break;
      case "invited": {
        set.invited_on = on;
        if (!before.sentOn) set.sent_on = on;
        const live = (await existing()).filter((g) => g.status !== "revoked");
        if (live.length === 0) {
          grantIds = [];
          for (const target of targets(before)) {
            const g = await createGrant(trx, ctx, {
              ...base,
              subject,
              target,
              role: roleFor(target),
              status: "pending",
              invitedOn: on,
            });
            grantIds.push(g.id);
          }
        }
        break;
      }
      case "accepted":
        set.accepted_on = on;
        if (!before.sentOn) set.sent_on = on;
        break;
      case "verified": {
        set.verified_on = on;
        set.closed_on = on;
        if (!before.acceptedOn) set.accepted_on = on;
        const live = (await existing()).filter((g) => g.status !== "revoked");
        const ids: string[] = [];
        for (const target of targets(before)) {
          const g = live.find(
            (x) => x.target.accountId === target.accountId && x.target.assetId === target.assetId,
          );
          if (g) {
            const { id: gid, createdAt: _c, updatedAt: _u, ...rest } = g;
            await updateGrant(trx, ctx, gid, {
              ...rest,
              notes: rest.notes ?? null,
              status: "active",
              grantedOn: rest.grantedOn ?? on,
              lastVerifiedOn: on,
            });
            ids.push(gid);
          } else {
            const created = await createGrant(trx, ctx, {
              ...base,
              subject,
              target,
              role: roleFor(target),
              status: "active",
              invitedOn: before.invitedOn,
              grantedOn: on,
              lastVerifiedOn: on,
            });
            ids.push(created.id);
          }
        }
        grantIds = ids;
        break;
      }
      case "declined":
      case "withdrawn":
      case "expired": {
        if (move.status !== "expired") set.closed_on = on;
        for (const g of await existing()) {
          if (g.status !== "pending") continue;
          const { id: gid, createdAt: _c, updatedAt: _u, ...rest } = g;
          await updateGrant(trx, ctx, gid, {
            ...rest,
            notes: rest.notes ?? null,
            status: "revoked",
            revokedOn: on,
          });
        }
        break;
      }
      case "stuck":
      case "draft":
        break;
    }
    set.grant_ids = JSON.stringify(grantIds);
    await trx
      .updateTable("access_request")
      .set(set)
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", id)
      .execute();
    const after = await getRequest(trx, ctx.workspaceId, id, lifetime, today);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "request",
      entityId: id,
      action: `move-${move.status}`,
      before: { status: before.status },
      after: { status: after.status, on, note: move.note },
    });
    return after;
  });
}

/** Requests the scheduler looks at: those still in motion, across every workspace. */
export async function requestsInMotion(db: Kysely<DB>) {
  return db
    .selectFrom("access_request")
    .innerJoin("platform_account", "platform_account.id", "access_request.account_id")
    .selectAll("access_request")
    .select("platform_account.platform as platform")
    .where("access_request.status", "in", ["sent", "invited", "stuck", "accepted", "expired"])
    .execute();
}
