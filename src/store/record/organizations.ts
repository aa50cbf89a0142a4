import type { Kysely } from "kysely";
import { notFound } from "../../core/errors.ts";
import { uuidv7 } from "../../core/ids.ts";
import type { OrganizationInput, OrganizationView } from "../../core/record/schemas.ts";
import { appendHistory } from "../history.ts";
import type { DB, RecordOrganizationTable } from "../schema.ts";
import { inTransaction } from "../transaction.ts";

import { duplicateName, key, orgView, type WriteContext } from "./shared.ts";

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
