import type { Kysely } from "kysely";
import { AppError, notFound } from "../../core/errors.ts";
import { uuidv7 } from "../../core/ids.ts";
import type { GrantInput, GrantView } from "../../core/record/schemas.ts";
import { appendHistory } from "../history.ts";
import type { AccessGrantTable, DB } from "../schema.ts";
import { inTransaction } from "../transaction.ts";

import { grantView, mustExist, type WriteContext } from "./shared.ts";

// ── grants ───────────────────────────────────────────────────────────────────
export async function listGrants(
  db: Kysely<DB>,
  workspaceId: string,
  filter: { accountId?: string; personId?: string } = {},
): Promise<GrantView[]> {
  let q = db.selectFrom("access_grant").selectAll().where("workspace_id", "=", workspaceId);
  if (filter.accountId) q = q.where("target_account_id", "=", filter.accountId);
  if (filter.personId) q = q.where("subject_person_id", "=", filter.personId);
  return (await q.orderBy("id").execute()).map(grantView);
}

export async function getGrant(db: Kysely<DB>, workspaceId: string, id: string): Promise<GrantView> {
  const r = await db
    .selectFrom("access_grant")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!r) throw notFound("Grant");
  return grantView(r);
}

/**
 * Referential checks of a grant: subject and target exist here, the asset is in the account, no
 * self-partnering. Returns the account that holds the grant's asset (null for an account-level grant).
 */
async function checkGrantRefs(
  trx: Kysely<DB>,
  workspaceId: string,
  g: Pick<GrantInput, "subject" | "target">,
): Promise<string | null> {
  const s = g.subject;
  if (s.type === "person") await mustExist(trx, "person", workspaceId, s.personId, "subject.personId");
  if (s.type === "partner") {
    await mustExist(trx, "platform_account", workspaceId, s.accountId, "subject.accountId");
    if (s.accountId === g.target.accountId)
      throw new AppError("VALIDATION_FAILED", "An account cannot be its own partner.", {
        problems: [{ path: "subject.accountId", message: "same as the target account" }],
      });
  }
  if (s.type === "shared_login")
    await mustExist(trx, "shared_login", workspaceId, s.sharedLoginId, "subject.sharedLoginId");
  await mustExist(trx, "platform_account", workspaceId, g.target.accountId, "target.accountId");
  if (g.target.assetId) {
    const asset = await trx
      .selectFrom("platform_asset")
      .select("account_id")
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", g.target.assetId)
      .executeTakeFirst();
    if (!asset)
      throw new AppError("VALIDATION_FAILED", "The asset is not in this workspace.", {
        problems: [{ path: "target.assetId", message: "no such asset in this workspace" }],
      });
    if (asset.account_id !== g.target.accountId) {
      // An assignment inside a partner's account: allowed once that account holds a partner
      // grant on the asset or on the account that holds it (e.g. an agency BC assigning its
      // own member to a client's ad account shared with it).
      const assetId = g.target.assetId;
      const shared = await trx
        .selectFrom("access_grant")
        .select("id")
        .where("workspace_id", "=", workspaceId)
        .where("subject_type", "=", "partner")
        .where("subject_account_id", "=", g.target.accountId)
        .where("status", "!=", "revoked")
        .where((eb) =>
          eb.or([
            eb("target_asset_id", "=", assetId),
            eb.and([eb("target_account_id", "=", asset.account_id), eb("target_asset_id", "is", null)]),
          ]),
        )
        .executeTakeFirst();
      if (!shared) {
        throw new AppError(
          "VALIDATION_FAILED",
          "The asset is held in another account that has not shared it with this one: record the partner connection first.",
          {
            problems: [{ path: "target.assetId", message: "not held in target.accountId" }],
          },
        );
      }
    }
    return asset.account_id;
  }
  return null;
}

/** The account holding a grant's asset, for listing its history under that account too. */
async function assetHolder(trx: Kysely<DB>, workspaceId: string, g: GrantView): Promise<string | null> {
  if (!g.target.assetId) return null;
  const r = await trx
    .selectFrom("platform_asset")
    .select("account_id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", g.target.assetId)
    .executeTakeFirst();
  return r?.account_id ?? null;
}

function grantRow(
  g: GrantInput,
): Omit<AccessGrantTable, "id" | "workspace_id" | "created_at" | "updated_at"> {
  const s = g.subject;
  return {
    subject_type: s.type,
    subject_person_id: s.type === "person" ? s.personId : null,
    subject_account_id: s.type === "partner" ? s.accountId : null,
    subject_shared_login_id: s.type === "shared_login" ? s.sharedLoginId : null,
    subject_name: s.type === "system_user" ? s.name : null,
    target_account_id: g.target.accountId,
    target_asset_id: g.target.assetId,
    role: g.role,
    status: g.status,
    invited_on: g.invitedOn,
    granted_on: g.grantedOn,
    expires_on: g.expiresOn,
    revoked_on: g.revokedOn,
    granted_by: g.grantedBy,
    reason: g.reason,
    source: g.source,
    last_verified_on: g.lastVerifiedOn,
    notes: g.notes ?? null,
  };
}

export async function createGrant(db: Kysely<DB>, ctx: WriteContext, input: GrantInput): Promise<GrantView> {
  return inTransaction(db, async (trx) => {
    const holder = await checkGrantRefs(trx, ctx.workspaceId, input);
    const at = ctx.now.toISOString();
    const row: AccessGrantTable = {
      id: uuidv7(ctx.now.getTime()),
      workspace_id: ctx.workspaceId,
      ...grantRow(input),
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto("access_grant").values(row).execute();
    const view = grantView(row);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "grant",
      entityId: row.id,
      action: "create",
      after: view,
      refs: [holder],
    });
    return view;
  });
}

export async function updateGrant(
  db: Kysely<DB>,
  ctx: WriteContext,
  id: string,
  next: GrantInput,
): Promise<GrantView> {
  return inTransaction(db, async (trx) => {
    const before = await getGrant(trx, ctx.workspaceId, id);
    const holder = await checkGrantRefs(trx, ctx.workspaceId, next);
    const holderBefore =
      before.target.assetId === next.target.assetId
        ? holder
        : await assetHolder(trx, ctx.workspaceId, before);
    await trx
      .updateTable("access_grant")
      .set({ ...grantRow(next), updated_at: ctx.now.toISOString() })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", id)
      .execute();
    const after = await getGrant(trx, ctx.workspaceId, id);
    const action =
      before.status !== after.status
        ? after.status === "revoked"
          ? "revoke"
          : after.status === "active"
            ? "activate"
            : "update"
        : before.role !== after.role
          ? "change-role"
          : "update";
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "grant",
      entityId: id,
      action,
      before,
      after,
      refs: [holder, holderBefore],
    });
    return after;
  });
}

export async function deleteGrant(db: Kysely<DB>, ctx: WriteContext, id: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await getGrant(trx, ctx.workspaceId, id);
    await trx
      .deleteFrom("access_grant")
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", id)
      .execute();
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "grant",
      entityId: id,
      action: "delete",
      before,
      refs: [await assetHolder(trx, ctx.workspaceId, before)],
    });
  });
}
