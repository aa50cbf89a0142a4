import type { Kysely } from "kysely";
import { notFound } from "../../core/errors.ts";
import { uuidv7 } from "../../core/ids.ts";
import type { SharedLoginInput, SharedLoginView } from "../../core/record/schemas.ts";
import { appendHistory } from "../history.ts";
import type { DB } from "../schema.ts";
import { inTransaction } from "../transaction.ts";

import { duplicateName, key, mustExist, stamp, type WriteContext } from "./shared.ts";

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
    await replaceKnowers(trx, ctx.workspaceId, id, input.knownByPersonIds);
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

/** Replace who is recorded as knowing a shared login (e.g. after its password was changed). */
export function setSharedLoginKnowers(
  db: Kysely<DB>,
  ctx: WriteContext,
  id: string,
  personIds: string[],
): Promise<SharedLoginView> {
  return updateSharedLogin(db, ctx, id, { knownByPersonIds: personIds });
}

/** Who knows a shared login, replaced as a whole (each person checked to be in the workspace). */
async function replaceKnowers(trx: Kysely<DB>, workspaceId: string, id: string, personIds: string[]) {
  for (const p of personIds) await mustExist(trx, "person", workspaceId, p, "knownByPersonIds");
  await trx
    .deleteFrom("shared_login_knower")
    .where("workspace_id", "=", workspaceId)
    .where("shared_login_id", "=", id)
    .execute();
  const knowers = [...new Set(personIds)];
  if (knowers.length)
    await trx
      .insertInto("shared_login_knower")
      .values(knowers.map((person_id) => ({ workspace_id: workspaceId, shared_login_id: id, person_id })))
      .execute();
}

/** Rename a shared login, change who knows it, or its notes. */
export async function updateSharedLogin(
  db: Kysely<DB>,
  ctx: WriteContext,
  id: string,
  patch: Partial<SharedLoginInput>,
): Promise<SharedLoginView> {
  return inTransaction(db, async (trx) => {
    const before = await getSharedLogin(trx, ctx.workspaceId, id);
    if (patch.label !== undefined && key(patch.label) !== key(before.label)) {
      const clash = await trx
        .selectFrom("shared_login")
        .select("id")
        .where("workspace_id", "=", ctx.workspaceId)
        .where("label_key", "=", key(patch.label))
        .executeTakeFirst();
      if (clash) await duplicateName("A shared login labelled", patch.label);
    }
    await trx
      .updateTable("shared_login")
      .set({
        ...(patch.label !== undefined ? { label: patch.label, label_key: key(patch.label) } : {}),
        ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
        updated_at: ctx.now.toISOString(),
      })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", id)
      .execute();
    if (patch.knownByPersonIds !== undefined)
      await replaceKnowers(trx, ctx.workspaceId, id, patch.knownByPersonIds);
    const after = await getSharedLogin(trx, ctx.workspaceId, id);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "shared_login",
      entityId: id,
      action: "update",
      before,
      after,
    });
    return after;
  });
}
