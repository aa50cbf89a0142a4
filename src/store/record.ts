import type { Kysely } from "kysely";
import { AppError, conflict, notFound } from "../core/errors.ts";
import { uuidv7 } from "../core/ids.ts";
import type {
  AccountInput,
  AccountView,
  AssetInput,
  AssetView,
  GrantInput,
  GrantView,
  OrganizationInput,
  OrganizationView,
  PersonInput,
  PersonView,
  SharedLoginInput,
  SharedLoginView,
} from "../core/record/schemas.ts";
import { type Actor, appendHistory } from "./history.ts";
import type {
  AccessGrantTable,
  DB,
  PersonTable,
  PlatformAccountTable,
  PlatformAssetTable,
  RecordOrganizationTable,
} from "./schema.ts";
import { toIso } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

/**
 * The Record's writes. Each one runs in a transaction that also appends its history event, so a
 * change and its history are durable together or not at all. Every query filters on the
 * workspace: an ID from another workspace is simply not found.
 */
export interface WriteContext {
  workspaceId: string;
  actor: Actor;
  now: Date;
}

const key = (s: string) => s.trim().toLowerCase();
const stamp = (r: { created_at: string | Date; updated_at: string | Date }) => ({
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

// ── views ────────────────────────────────────────────────────────────────────
function orgView(r: RecordOrganizationTable): OrganizationView {
  return { id: r.id, name: r.name, kind: r.kind as OrganizationView["kind"], notes: r.notes, ...stamp(r) };
}
function personView(r: PersonTable, emails: string[]): PersonView {
  return {
    id: r.id,
    name: r.name,
    emails,
    organizationId: r.organization_id,
    status: r.status as PersonView["status"],
    leftOn: r.left_on,
    notes: r.notes,
    ...stamp(r),
  };
}
function accountView(r: PlatformAccountTable): AccountView {
  return {
    id: r.id,
    platform: r.platform,
    platformId: r.platform_id,
    name: r.name,
    organizationId: r.organization_id,
    ownerPersonId: r.owner_person_id,
    backupOwnerPersonId: r.backup_owner_person_id,
    reviewCadenceDays: r.review_cadence_days === null ? null : Number(r.review_cadence_days),
    lastReviewedOn: r.last_reviewed_on,
    recoveryEmailHolder: r.recovery_email_holder,
    twoFactorHolder: r.two_factor_holder,
    notes: r.notes,
    ...stamp(r),
  };
}
function assetView(r: PlatformAssetTable): AssetView {
  return {
    id: r.id,
    accountId: r.account_id,
    organizationId: r.organization_id,
    type: r.type,
    name: r.name,
    platformId: r.platform_id,
    notes: r.notes,
    ...stamp(r),
  };
}
export function grantView(r: AccessGrantTable): GrantView {
  const subject: GrantView["subject"] =
    r.subject_type === "person"
      ? { type: "person", personId: r.subject_person_id! }
      : r.subject_type === "partner"
        ? { type: "partner", accountId: r.subject_account_id! }
        : r.subject_type === "shared_login"
          ? { type: "shared_login", sharedLoginId: r.subject_shared_login_id! }
          : { type: "system_user", name: r.subject_name ?? "" };
  return {
    id: r.id,
    subject,
    target: { accountId: r.target_account_id, assetId: r.target_asset_id },
    role: r.role,
    status: r.status as GrantView["status"],
    invitedOn: r.invited_on,
    grantedOn: r.granted_on,
    expiresOn: r.expires_on,
    revokedOn: r.revoked_on,
    grantedBy: r.granted_by,
    reason: r.reason,
    source: r.source as GrantView["source"],
    lastVerifiedOn: r.last_verified_on,
    notes: r.notes,
    ...stamp(r),
  };
}

// ── existence checks inside one workspace ───────────────────────────────────
type RecordTable =
  | "record_organization"
  | "person"
  | "platform_account"
  | "platform_asset"
  | "shared_login"
  | "access_grant";
const NAMES: Record<RecordTable, string> = {
  record_organization: "Organization",
  person: "Person",
  platform_account: "Account",
  platform_asset: "Asset",
  shared_login: "Shared login",
  access_grant: "Grant",
};

async function mustExist(
  db: Kysely<DB>,
  table: RecordTable,
  workspaceId: string,
  id: string | null,
  field?: string,
): Promise<void> {
  if (id === null) return;
  const row = await db
    .selectFrom(table)
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) {
    if (field)
      throw new AppError("VALIDATION_FAILED", `${NAMES[table]} ${id} is not in this workspace.`, {
        problems: [{ path: field, message: `no such ${NAMES[table].toLowerCase()} in this workspace` }],
      });
    throw notFound(NAMES[table]);
  }
}

async function duplicateName(what: string, name: string): Promise<never> {
  throw new AppError("CONFLICT", `${what} "${name}" already exists in this workspace.`, {
    problems: [{ path: "name", message: "already exists" }],
  });
}

// ── organizations ────────────────────────────────────────────────────────────
export async function listOrganizations(db: Kysely<DB>, workspaceId: string): Promise<OrganizationView[]> {
  const rows = await db
    .selectFrom("record_organization")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("name_key")
    .execute();
  return rows.map(orgView);
}

export async function getOrganization(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<OrganizationView> {
  const r = await db
    .selectFrom("record_organization")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!r) throw notFound("Organization");
  return orgView(r);
}

export async function createOrganization(
  db: Kysely<DB>,
  ctx: WriteContext,
  input: OrganizationInput,
): Promise<OrganizationView> {
  return inTransaction(db, async (trx) => {
    const clash = await trx
      .selectFrom("record_organization")
      .select("id")
      .where("workspace_id", "=", ctx.workspaceId)
      .where("name_key", "=", key(input.name))
      .executeTakeFirst();
    if (clash) await duplicateName("An organization named", input.name);
    const at = ctx.now.toISOString();
    const row: RecordOrganizationTable = {
      id: uuidv7(ctx.now.getTime()),
      workspace_id: ctx.workspaceId,
      name: input.name,
      name_key: key(input.name),
      kind: input.kind,
      notes: input.notes ?? null,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto("record_organization").values(row).execute();
    const view = orgView(row);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "organization",
      entityId: row.id,
      action: "create",
      after: view,
    });
    return view;
  });
}

export async function updateOrganization(
  db: Kysely<DB>,
  ctx: WriteContext,
  id: string,
  patch: Partial<OrganizationInput>,
): Promise<OrganizationView> {
  return inTransaction(db, async (trx) => {
    const before = await getOrganization(trx, ctx.workspaceId, id);
    if (patch.name && key(patch.name) !== key(before.name)) {
      const clash = await trx
        .selectFrom("record_organization")
        .select("id")
        .where("workspace_id", "=", ctx.workspaceId)
        .where("name_key", "=", key(patch.name))
        .executeTakeFirst();
      if (clash) await duplicateName("An organization named", patch.name);
    }
    await trx
      .updateTable("record_organization")
      .set({
        ...(patch.name !== undefined ? { name: patch.name, name_key: key(patch.name) } : {}),
        ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
        ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
        updated_at: ctx.now.toISOString(),
      })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", id)
      .execute();
    const after = await getOrganization(trx, ctx.workspaceId, id);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "organization",
      entityId: id,
      action: "update",
      before,
      after,
    });
    return after;
  });
}

// ── people ───────────────────────────────────────────────────────────────────
async function emailsOf(
  db: Kysely<DB>,
  workspaceId: string,
  personIds: string[],
): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (personIds.length === 0) return map;
  const rows = await db
    .selectFrom("person_email")
    .select(["person_id", "email"])
    .where("workspace_id", "=", workspaceId)
    .where("person_id", "in", personIds)
    .orderBy("email")
    .execute();
  for (const r of rows) {
    const list = map.get(r.person_id);
    if (list) list.push(r.email);
    else map.set(r.person_id, [r.email]);
  }
  return map;
}

export async function listPeople(db: Kysely<DB>, workspaceId: string): Promise<PersonView[]> {
  const rows = await db
    .selectFrom("person")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("name")
    .execute();
  const emails = await emailsOf(
    db,
    workspaceId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => personView(r, emails.get(r.id) ?? []));
}

export async function getPerson(db: Kysely<DB>, workspaceId: string, id: string): Promise<PersonView> {
  const r = await db
    .selectFrom("person")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!r) throw notFound("Person");
  return personView(r, (await emailsOf(db, workspaceId, [id])).get(id) ?? []);
}

export async function findPersonByEmail(
  db: Kysely<DB>,
  workspaceId: string,
  email: string,
): Promise<PersonView | null> {
  const r = await db
    .selectFrom("person_email")
    .select("person_id")
    .where("workspace_id", "=", workspaceId)
    .where("email", "=", key(email))
    .executeTakeFirst();
  return r ? getPerson(db, workspaceId, r.person_id) : null;
}

async function setEmails(
  trx: Kysely<DB>,
  workspaceId: string,
  personId: string,
  emails: string[],
): Promise<void> {
  const unique = [...new Set(emails.map(key))];
  for (const email of unique) {
    const owner = await trx
      .selectFrom("person_email")
      .select("person_id")
      .where("workspace_id", "=", workspaceId)
      .where("email", "=", email)
      .executeTakeFirst();
    if (owner && owner.person_id !== personId) {
      throw new AppError("CONFLICT", `${email} already belongs to another person in this workspace.`, {
        problems: [{ path: "emails", message: `${email} is taken` }],
      });
    }
  }
  await trx
    .deleteFrom("person_email")
    .where("workspace_id", "=", workspaceId)
    .where("person_id", "=", personId)
    .execute();
  if (unique.length)
    await trx
      .insertInto("person_email")
      .values(unique.map((email) => ({ workspace_id: workspaceId, email, person_id: personId })))
      .execute();
}

export async function createPerson(
  db: Kysely<DB>,
  ctx: WriteContext,
  input: PersonInput,
): Promise<PersonView> {
  return inTransaction(db, async (trx) => {
    await mustExist(trx, "record_organization", ctx.workspaceId, input.organizationId, "organizationId");
    const at = ctx.now.toISOString();
    const row: PersonTable = {
      id: uuidv7(ctx.now.getTime()),
      workspace_id: ctx.workspaceId,
      name: input.name,
      organization_id: input.organizationId,
      status: input.status,
      left_on: input.leftOn,
      notes: input.notes ?? null,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto("person").values(row).execute();
    await setEmails(trx, ctx.workspaceId, row.id, input.emails);
    const view = await getPerson(trx, ctx.workspaceId, row.id);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "person",
      entityId: row.id,
      action: "create",
      after: view,
    });
    return view;
  });
}

export async function updatePerson(
  db: Kysely<DB>,
  ctx: WriteContext,
  id: string,
  patch: Partial<PersonInput>,
): Promise<PersonView> {
  return inTransaction(db, async (trx) => {
    const before = await getPerson(trx, ctx.workspaceId, id);
    if (patch.organizationId !== undefined)
      await mustExist(trx, "record_organization", ctx.workspaceId, patch.organizationId, "organizationId");
    await trx
      .updateTable("person")
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.organizationId !== undefined ? { organization_id: patch.organizationId } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.leftOn !== undefined ? { left_on: patch.leftOn } : {}),
        ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
        updated_at: ctx.now.toISOString(),
      })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", id)
      .execute();
    if (patch.emails !== undefined) await setEmails(trx, ctx.workspaceId, id, patch.emails);
    const after = await getPerson(trx, ctx.workspaceId, id);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "person",
      entityId: id,
      action: after.status !== before.status ? `mark-${after.status}` : "update",
      before,
      after,
    });
    return after;
  });
}

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

// ── shared logins ────────────────────────────────────────────────────────────
export async function getSharedLogin(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<SharedLoginView> {
  const r = await db
    .selectFrom("shared_login")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!r) throw notFound("Shared login");
  const knowers = await db
    .selectFrom("shared_login_knower")
    .select("person_id")
    .where("workspace_id", "=", workspaceId)
    .where("shared_login_id", "=", id)
    .orderBy("person_id")
    .execute();
  return {
    id: r.id,
    label: r.label,
    knownByPersonIds: knowers.map((k) => k.person_id),
    notes: r.notes,
    ...stamp(r),
  };
}

export async function listSharedLogins(db: Kysely<DB>, workspaceId: string): Promise<SharedLoginView[]> {
  const rows = await db
    .selectFrom("shared_login")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .orderBy("label_key")
    .execute();
  return Promise.all(rows.map((r) => getSharedLogin(db, workspaceId, r.id)));
}

export async function createSharedLogin(
  db: Kysely<DB>,
  ctx: WriteContext,
  input: SharedLoginInput,
): Promise<SharedLoginView> {
  return inTransaction(db, async (trx) => {
    const clash = await trx
      .selectFrom("shared_login")
      .select("id")
      .where("workspace_id", "=", ctx.workspaceId)
      .where("label_key", "=", key(input.label))
      .executeTakeFirst();
    if (clash) await duplicateName("A shared login labelled", input.label);
    for (const p of input.knownByPersonIds)
      await mustExist(trx, "person", ctx.workspaceId, p, "knownByPersonIds");
    const at = ctx.now.toISOString();
    const id = uuidv7(ctx.now.getTime());
    await trx
      .insertInto("shared_login")
      .values({
        id,
        workspace_id: ctx.workspaceId,
        label: input.label,
        label_key: key(input.label),
        notes: input.notes ?? null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const knowers = [...new Set(input.knownByPersonIds)];
    if (knowers.length)
      await trx
        .insertInto("shared_login_knower")
        .values(
          knowers.map((person_id) => ({ workspace_id: ctx.workspaceId, shared_login_id: id, person_id })),
        )
        .execute();
    const view = await getSharedLogin(trx, ctx.workspaceId, id);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "shared_login",
      entityId: id,
      action: "create",
      after: view,
    });
    return view;
  });
}

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

/** Referential checks of a grant: subject and target exist here, the asset is in the account, no self-partnering. */
async function checkGrantRefs(
  trx: Kysely<DB>,
  workspaceId: string,
  g: Pick<GrantInput, "subject" | "target">,
): Promise<void> {
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
  }
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
    await checkGrantRefs(trx, ctx.workspaceId, input);
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
    await checkGrantRefs(trx, ctx.workspaceId, next);
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
    });
  });
}
