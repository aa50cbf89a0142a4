import type { Kysely } from "kysely";
import { AppError, conflict, notFound } from "../../core/errors.ts";
import { uuidv7 } from "../../core/ids.ts";
import type { AccountInput, AccountView, AssetInput, AssetView } from "../../core/record/schemas.ts";
import { appendHistory } from "../history.ts";
import type { DB, PlatformAccountTable, PlatformAssetTable } from "../schema.ts";
import { inTransaction } from "../transaction.ts";

import { accountView, assetView, key, mustExist, type WriteContext } from "./shared.ts";

// ── accounts ─────────────────────────────────────────────────────────────────
export async function listAccounts(db: Kysely<DB>, workspaceId: string): Promise<AccountView[]> {
  const rows = await db
    .selectFrom("platform_account")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("platform")
    .orderBy("name_key")
    .execute();
  return rows.map(accountView);
}

export async function getAccount(db: Kysely<DB>, workspaceId: string, id: string): Promise<AccountView> {
  const r = await db
    .selectFrom("platform_account")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!r) throw notFound("Account");
  return accountView(r);
}

async function checkAccountRefs(
  trx: Kysely<DB>,
  workspaceId: string,
  a: Partial<AccountInput>,
): Promise<void> {
  if (a.organizationId !== undefined)
    await mustExist(trx, "record_organization", workspaceId, a.organizationId, "organizationId");
  if (a.ownerPersonId !== undefined)
    await mustExist(trx, "person", workspaceId, a.ownerPersonId, "ownerPersonId");
  if (a.backupOwnerPersonId !== undefined)
    await mustExist(trx, "person", workspaceId, a.backupOwnerPersonId, "backupOwnerPersonId");
}

export async function createAccount(
  db: Kysely<DB>,
  ctx: WriteContext,
  input: AccountInput,
): Promise<AccountView> {
  return inTransaction(db, async (trx) => {
    await checkAccountRefs(trx, ctx.workspaceId, input);
    if (input.platformId) {
      const clash = await trx
        .selectFrom("platform_account")
        .select("id")
        .where("workspace_id", "=", ctx.workspaceId)
        .where("platform", "=", input.platform)
        .where("platform_id", "=", input.platformId)
        .executeTakeFirst();
      if (clash)
        throw conflict(`An account with ${input.platform} ID ${input.platformId} is already in the record.`);
    }
    const at = ctx.now.toISOString();
    const row: PlatformAccountTable = {
      id: uuidv7(ctx.now.getTime()),
      workspace_id: ctx.workspaceId,
      platform: input.platform,
      platform_id: input.platformId,
      name: input.name,
      name_key: key(input.name),
      organization_id: input.organizationId,
      owner_person_id: input.ownerPersonId,
      backup_owner_person_id: input.backupOwnerPersonId,
      review_cadence_days: input.reviewCadenceDays,
      last_reviewed_on: input.lastReviewedOn,
      recovery_email_holder: input.recoveryEmailHolder,
      two_factor_holder: input.twoFactorHolder,
      notes: input.notes ?? null,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto("platform_account").values(row).execute();
    const view = accountView(row);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "account",
      entityId: row.id,
      action: "create",
      after: view,
    });
    return view;
  });
}

const ACCOUNT_COLUMNS = {
  platformId: "platform_id",
  name: "name",
  organizationId: "organization_id",
  ownerPersonId: "owner_person_id",
  backupOwnerPersonId: "backup_owner_person_id",
  reviewCadenceDays: "review_cadence_days",
  lastReviewedOn: "last_reviewed_on",
  recoveryEmailHolder: "recovery_email_holder",
  twoFactorHolder: "two_factor_holder",
  notes: "notes",
} as const;

export async function updateAccount(
  db: Kysely<DB>,
  ctx: WriteContext,
  id: string,
  patch: Partial<Omit<AccountInput, "platform">>,
): Promise<AccountView> {
  return inTransaction(db, async (trx) => {
    const before = await getAccount(trx, ctx.workspaceId, id);
    await checkAccountRefs(trx, ctx.workspaceId, patch);
    const set: Record<string, unknown> = { updated_at: ctx.now.toISOString() };
    for (const [field, column] of Object.entries(ACCOUNT_COLUMNS)) {
      const v = patch[field as keyof typeof ACCOUNT_COLUMNS];
      if (v !== undefined) set[column] = v;
    }
    if (patch.name !== undefined) set.name_key = key(patch.name);
    await trx
      .updateTable("platform_account")
      .set(set)
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", id)
      .execute();
    const after = await getAccount(trx, ctx.workspaceId, id);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "account",
      entityId: id,
      action: "update",
      before,
      after,
    });
    return after;
  });
}

// ── assets ───────────────────────────────────────────────────────────────────
export async function listAssets(
  db: Kysely<DB>,
  workspaceId: string,
  accountId?: string,
): Promise<AssetView[]> {
  let q = db.selectFrom("platform_asset").selectAll().where("workspace_id", "=", workspaceId);
  if (accountId) q = q.where("account_id", "=", accountId);
  return (await q.orderBy("name").execute()).map(assetView);
}

export async function getAsset(db: Kysely<DB>, workspaceId: string, id: string): Promise<AssetView> {
  const r = await db
    .selectFrom("platform_asset")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!r) throw notFound("Asset");
  return assetView(r);
}

export async function createAsset(db: Kysely<DB>, ctx: WriteContext, input: AssetInput): Promise<AssetView> {
  return inTransaction(db, async (trx) => {
    const account = await trx
      .selectFrom("platform_account")
      .select(["id", "organization_id"])
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", input.accountId)
      .executeTakeFirst();
    if (!account)
      throw new AppError("VALIDATION_FAILED", "The account is not in this workspace.", {
        problems: [{ path: "accountId", message: "no such account in this workspace" }],
      });
    await mustExist(trx, "record_organization", ctx.workspaceId, input.organizationId, "organizationId");
    const at = ctx.now.toISOString();
    const row: PlatformAssetTable = {
      id: uuidv7(ctx.now.getTime()),
      workspace_id: ctx.workspaceId,
      account_id: input.accountId,
      organization_id: input.organizationId ?? account.organization_id,
      type: input.type,
      name: input.name,
      platform_id: input.platformId,
      notes: input.notes ?? null,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto("platform_asset").values(row).execute();
    const view = assetView(row);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "asset",
      entityId: row.id,
      action: "create",
      after: view,
    });
    return view;
  });
}
