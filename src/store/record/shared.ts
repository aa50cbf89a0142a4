import type { Kysely } from "kysely";
import { AppError, notFound } from "../../core/errors.ts";
import type {
  AccountView,
  AssetView,
  GrantView,
  OrganizationView,
  PersonView,
} from "../../core/record/schemas.ts";
import type { Actor } from "../history.ts";
import type {
  AccessGrantTable,
  DB,
  PersonTable,
  PlatformAccountTable,
  PlatformAssetTable,
  RecordOrganizationTable,
} from "../schema.ts";
import { toIso } from "../schema.ts";

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

export const key = (s: string) => s.trim().toLowerCase();
export const stamp = (r: { created_at: string | Date; updated_at: string | Date }) => ({
  createdAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

// ── views ────────────────────────────────────────────────────────────────────
export function orgView(r: RecordOrganizationTable): OrganizationView {
  return { id: r.id, name: r.name, kind: r.kind as OrganizationView["kind"], notes: r.notes, ...stamp(r) };
}
export function personView(r: PersonTable, emails: string[]): PersonView {
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
export function accountView(r: PlatformAccountTable): AccountView {
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
export function assetView(r: PlatformAssetTable): AssetView {
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
/**
 * A grant's subject from its stored type, the ID of its person, partner account or shared login
 * (whichever column is set), and its name (system users have no ID).
 */
export function grantSubject(type: string, id: string | null, name: string | null): GrantView["subject"] {
  return type === "person"
    ? { type: "person", personId: id! }
    : type === "partner"
      ? { type: "partner", accountId: id! }
      : type === "shared_login"
        ? { type: "shared_login", sharedLoginId: id! }
        : { type: "system_user", name: name ?? "" };
}

/** The one subject ID column of a grant row that is set (none for a system user). */
export const subjectIdOf = (r: {
  subject_person_id: string | null;
  subject_account_id: string | null;
  subject_shared_login_id: string | null;
}) => r.subject_person_id ?? r.subject_account_id ?? r.subject_shared_login_id;

export function grantView(r: AccessGrantTable): GrantView {
  const subject = grantSubject(r.subject_type, subjectIdOf(r), r.subject_name);
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
export type RecordTable =
  | "record_organization"
  | "person"
  | "platform_account"
  | "platform_asset"
  | "shared_login"
  | "access_grant";
export const NAMES: Record<RecordTable, string> = {
  record_organization: "Organization",
  person: "Person",
  platform_account: "Account",
  platform_asset: "Asset",
  shared_login: "Shared login",
  access_grant: "Grant",
};

export async function mustExist(
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

export async function duplicateName(what: string, name: string): Promise<never> {
  throw new AppError("CONFLICT", `${what} "${name}" already exists in this workspace.`, {
    problems: [{ path: "name", message: "already exists" }],
  });
}
