import type { Kysely } from "kysely";
import { AppError, notFound } from "../../core/errors.ts";
import { uuidv7 } from "../../core/ids.ts";
import type { PersonInput, PersonView } from "../../core/record/schemas.ts";
import { appendHistory } from "../history.ts";
import type { DB, PersonTable } from "../schema.ts";
import { inTransaction } from "../transaction.ts";

import { key, mustExist, personView, type WriteContext } from "./shared.ts";

// ── people ───────────────────────────────────────────────────────────────────
async function emailsOf(
  db: Kysely<DB>,
  workspaceId: string,
  personIds: string[],
): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (personIds.length === 0) return map;
  // Many people: read the workspace's emails in one pass rather than binding one variable per
  // person (SQLite allows at most 32,766 of them in one statement).
  const wanted = personIds.length > 500 ? new Set(personIds) : null;
  let q = db
    .selectFrom("person_email")
    .select(["person_id", "email"])
    .where("workspace_id", "=", workspaceId);
  if (!wanted) q = q.where("person_id", "in", personIds);
  // Sorted here, not in SQL: `order by email` makes SQLite walk the workspace's whole primary
  // key (by email) instead of seeking the person index.
  const rows = (await q.execute())
    .filter((r) => !wanted || wanted.has(r.person_id))
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
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
