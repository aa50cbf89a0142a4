import type { Kysely } from "kysely";
import { z } from "zod";
import { AppError } from "../core/errors.ts";
import {
  AccountView,
  AssetView,
  GrantView,
  OrganizationView,
  PersonView,
  SharedLoginView,
} from "../core/record/schemas.ts";
import * as record from "./record.ts";
import type { DB } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

/** A full export of one workspace's Record: everything needed to rebuild it elsewhere. */
export const WorkspaceExport = z.strictObject({
  format: z.literal("delvia-export"),
  version: z.literal(1),
  exportedAt: z.string(),
  workspace: z.object({ name: z.string(), slug: z.string() }),
  organizations: z.array(OrganizationView),
  people: z.array(PersonView),
  accounts: z.array(AccountView),
  assets: z.array(AssetView),
  sharedLogins: z.array(SharedLoginView),
  grants: z.array(GrantView),
});
export type WorkspaceExport = z.infer<typeof WorkspaceExport>;

export async function exportWorkspace(
  db: Kysely<DB>,
  workspaceId: string,
  now: Date,
): Promise<WorkspaceExport> {
  const ws = await db
    .selectFrom("organization")
    .select(["name", "slug"])
    .where("id", "=", workspaceId)
    .executeTakeFirstOrThrow();
  const [organizations, people, accounts, assets, sharedLogins, grants] = await Promise.all([
    record.listOrganizations(db, workspaceId),
    record.listPeople(db, workspaceId),
    record.listAccounts(db, workspaceId),
    record.listAssets(db, workspaceId),
    record.listSharedLogins(db, workspaceId),
    record.listGrants(db, workspaceId),
  ]);
  return {
    format: "delvia-export",
    version: 1,
    exportedAt: now.toISOString(),
    workspace: ws,
    organizations,
    people,
    accounts,
    assets,
    sharedLogins,
    grants,
  };
}

/**
 * Rebuild an export inside an empty workspace, in one transaction. IDs are new (they are unique
 * across the database); every reference is mapped, so the content is reproduced exactly.
 */
export async function importExport(
  db: Kysely<DB>,
  ctx: record.WriteContext,
  doc: WorkspaceExport,
): Promise<{ grants: number }> {
  return inTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom("platform_account")
      .select("id")
      .where("workspace_id", "=", ctx.workspaceId)
      .limit(1)
      .executeTakeFirst();
    const orgsExisting = await trx
      .selectFrom("record_organization")
      .select("id")
      .where("workspace_id", "=", ctx.workspaceId)
      .limit(1)
      .executeTakeFirst();
    if (existing || orgsExisting)
      throw new AppError(
        "CONFLICT",
        "A full export can only be imported into an empty workspace: create a new workspace for it.",
      );
    const ids = new Map<string, string>();
    const map = (id: string | null): string | null => {
      if (id === null) return null;
      const m = ids.get(id);
      if (!m)
        throw new AppError("VALIDATION_FAILED", `The export refers to ${id}, which it does not contain.`);
      return m;
    };
    for (const o of doc.organizations)
      ids.set(
        o.id,
        (await record.createOrganization(trx, ctx, { name: o.name, kind: o.kind, notes: o.notes })).id,
      );
    for (const p of doc.people) {
      const { id, createdAt: _c, updatedAt: _u, ...rest } = p;
      ids.set(
        id,
        (await record.createPerson(trx, ctx, { ...rest, organizationId: map(p.organizationId) })).id,
      );
    }
    for (const a of doc.accounts) {
      const { id, createdAt: _c, updatedAt: _u, ...rest } = a;
      const created = await record.createAccount(trx, ctx, {
        ...rest,
        organizationId: map(a.organizationId)!,
        ownerPersonId: map(a.ownerPersonId),
        backupOwnerPersonId: map(a.backupOwnerPersonId),
      });
      ids.set(id, created.id);
    }
    for (const a of doc.assets) {
      const { id, createdAt: _c, updatedAt: _u, ...rest } = a;
      ids.set(
        id,
        (
          await record.createAsset(trx, ctx, {
            ...rest,
            accountId: map(a.accountId)!,
            organizationId: map(a.organizationId),
          })
        ).id,
      );
    }
    for (const l of doc.sharedLogins) {
      ids.set(
        l.id,
        (
          await record.createSharedLogin(trx, ctx, {
            label: l.label,
            notes: l.notes,
            knownByPersonIds: l.knownByPersonIds.map((p) => map(p)!),
          })
        ).id,
      );
    }
    // Partner grants first: assignments inside a partner's account need them in place.
    const ordered = [...doc.grants].sort(
      (a, b) => Number(b.subject.type === "partner") - Number(a.subject.type === "partner"),
    );
    for (const g of ordered) {
      const s = g.subject;
      const subject =
        s.type === "person"
          ? { type: s.type, personId: map(s.personId)! }
          : s.type === "partner"
            ? { type: s.type, accountId: map(s.accountId)! }
            : s.type === "shared_login"
              ? { type: s.type, sharedLoginId: map(s.sharedLoginId)! }
              : s;
      const { id: _i, createdAt: _c, updatedAt: _u, ...rest } = g;
      await record.createGrant(trx, ctx, {
        ...rest,
        subject,
        target: { accountId: map(g.target.accountId)!, assetId: map(g.target.assetId) },
      });
    }
    return { grants: doc.grants.length };
  });
}
