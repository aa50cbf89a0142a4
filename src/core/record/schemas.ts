import { z } from "zod";

/**
 * The Record's shapes at its boundary (API bodies and answers, import rows, export files).
 * One schema gives validation, the TypeScript type and the OpenAPI document.
 */
const day = z.iso.date("Use the date format YYYY-MM-DD");
const text = (max: number, what = "text") =>
  z.string().trim().min(1, `Enter the ${what}`).max(max, `Use at most ${max} characters`);
const id = z.string().min(1).max(64);
const notes = z.string().max(2000, "Keep notes under 2,000 characters").nullable();

export const ORGANIZATION_KINDS = ["own", "client", "agency", "vendor", "other"] as const;
export const PERSON_STATUSES = ["active", "departed"] as const;
export const GRANT_STATUSES = ["pending", "active", "revoked"] as const;
export const GRANT_SOURCES = ["typed", "imported", "observed"] as const;

export const OrganizationInput = z.strictObject({
  name: text(120, "organization's name"),
  kind: z.enum(ORGANIZATION_KINDS, { error: `Choose one of: ${ORGANIZATION_KINDS.join(", ")}` }),
  notes: notes.optional(),
});
export const OrganizationView = OrganizationInput.extend({
  id,
  notes,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const PersonInput = z.strictObject({
  name: text(120, "person's name"),
  emails: z
    .array(
      z
        .email("Enter a valid email address")
        .max(254)
        .transform((e) => e.toLowerCase()),
    )
    .max(10)
    .default([]),
  organizationId: id.nullable().default(null),
  status: z.enum(PERSON_STATUSES).default("active"),
  leftOn: day.nullable().default(null),
  notes: notes.optional(),
});
export const PersonView = z.object({
  id,
  name: z.string(),
  emails: z.array(z.string()),
  organizationId: id.nullable(),
  status: z.enum(PERSON_STATUSES),
  leftOn: z.string().nullable(),
  notes,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const AccountInput = z.strictObject({
  platform: z.string().trim().min(1).max(40),
  platformId: z.string().trim().max(120).nullable().default(null),
  name: text(160, "account's name"),
  organizationId: id,
  ownerPersonId: id.nullable().default(null),
  backupOwnerPersonId: id.nullable().default(null),
  reviewCadenceDays: z.number().int().min(1).max(3660).nullable().default(null),
  lastReviewedOn: day.nullable().default(null),
  recoveryEmailHolder: z.string().trim().max(160).nullable().default(null),
  twoFactorHolder: z.string().trim().max(160).nullable().default(null),
  notes: notes.optional(),
});
export const AccountView = z.object({
  id,
  platform: z.string(),
  platformId: z.string().nullable(),
  name: z.string(),
  organizationId: id,
  ownerPersonId: id.nullable(),
  backupOwnerPersonId: id.nullable(),
  reviewCadenceDays: z.number().nullable(),
  lastReviewedOn: z.string().nullable(),
  recoveryEmailHolder: z.string().nullable(),
  twoFactorHolder: z.string().nullable(),
  notes,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const AssetInput = z.strictObject({
  accountId: id,
  organizationId: id
    .nullable()
    .default(null)
    .describe("who the asset belongs to; defaults to the account's organization"),
  type: z.string().trim().min(1).max(60),
  name: text(160, "asset's name"),
  platformId: z.string().trim().max(120).nullable().default(null),
  notes: notes.optional(),
});
export const AssetView = z.object({
  id,
  accountId: id,
  organizationId: id,
  type: z.string(),
  name: z.string(),
  platformId: z.string().nullable(),
  notes,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const SharedLoginInput = z.strictObject({
  label: text(120, "label (a name for the login, never the password)"),
  knownByPersonIds: z.array(id).max(200).default([]),
  notes: notes.optional(),
});
export const SharedLoginView = z.object({
  id,
  label: z.string(),
  knownByPersonIds: z.array(id),
  notes,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const GrantSubject = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("person"), personId: id }),
  z.strictObject({ type: z.literal("partner"), accountId: id }),
  z.strictObject({ type: z.literal("system_user"), name: text(120, "system user's name") }),
  z.strictObject({ type: z.literal("shared_login"), sharedLoginId: id }),
]);
export type GrantSubject = z.infer<typeof GrantSubject>;

export const GrantTarget = z.strictObject({ accountId: id, assetId: id.nullable().default(null) });

export const GrantInput = z.strictObject({
  subject: GrantSubject,
  target: GrantTarget,
  role: z.string().trim().min(1).max(80),
  status: z.enum(GRANT_STATUSES).default("active"),
  invitedOn: day.nullable().default(null),
  grantedOn: day.nullable().default(null),
  expiresOn: day.nullable().default(null),
  revokedOn: day.nullable().default(null),
  grantedBy: z.string().trim().max(160).nullable().default(null),
  reason: z.string().trim().max(500).nullable().default(null),
  source: z.enum(GRANT_SOURCES).default("typed"),
  lastVerifiedOn: day.nullable().default(null),
  notes: notes.optional(),
});
export const GrantView = z.object({
  id,
  subject: GrantSubject,
  target: z.object({ accountId: id, assetId: id.nullable() }),
  role: z.string(),
  status: z.enum(GRANT_STATUSES),
  invitedOn: z.string().nullable(),
  grantedOn: z.string().nullable(),
  expiresOn: z.string().nullable(),
  revokedOn: z.string().nullable(),
  grantedBy: z.string().nullable(),
  reason: z.string().nullable(),
  source: z.enum(GRANT_SOURCES),
  lastVerifiedOn: z.string().nullable(),
  notes,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type OrganizationInput = z.infer<typeof OrganizationInput>;
export type OrganizationView = z.infer<typeof OrganizationView>;
export type PersonInput = z.infer<typeof PersonInput>;
export type PersonView = z.infer<typeof PersonView>;
export type AccountInput = z.infer<typeof AccountInput>;
export type AccountView = z.infer<typeof AccountView>;
export type AssetInput = z.infer<typeof AssetInput>;
export type AssetView = z.infer<typeof AssetView>;
export type SharedLoginInput = z.infer<typeof SharedLoginInput>;
export type SharedLoginView = z.infer<typeof SharedLoginView>;
export type GrantInput = z.infer<typeof GrantInput>;
export type GrantView = z.infer<typeof GrantView>;

/**
 * The body of a PATCH: every field optional and none defaulted. (`.partial()` alone keeps each
 * field's `.default()`, so a body naming one field would reset the others to their defaults.)
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [
      key,
      ((field instanceof z.ZodDefault ? field.unwrap() : field) as z.ZodType).optional(),
    ]),
  ) as unknown as { [K in keyof T]: z.ZodOptional<T[K] extends z.ZodDefault<infer U> ? U : T[K]> };
  return z.strictObject(shape);
}
