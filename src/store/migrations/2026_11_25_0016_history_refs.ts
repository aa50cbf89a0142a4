import type { Kysely } from "kysely";
import { sql } from "kysely";
import { columnTypes } from "./types.ts";

/**
 * The account and person pages read by account and by person, never by listing every grant ID:
 *
 * - `history_ref` lists each history event under the accounts and people it concerns besides its
 *   own entity (a grant's target account, the account holding its asset, its person or partner
 *   account; an asset's account; a request's or review's account), so "the latest changes of this
 *   account, its assets and its grants" is one index range however many grants the account has.
 *   Existing events are listed from their before/after images and the grants and assets they name.
 * - grants by account, role, asset and status (one group of an account's grants, in page order),
 *   and by asset and role (the grants on one asset).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("history_ref")
    .addColumn("workspace_id", "text", (c) => c.notNull().references("organization.id").onDelete("cascade"))
    .addColumn("ref_id", "text", (c) => c.notNull())
    .addColumn("seq", t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint("history_ref_pk", ["workspace_id", "ref_id", "seq"])
    .$call((b) => (t.pg ? b : b.modifyEnd(sql`without rowid`)))
    .execute();

  await backfillHistoryRefs(db);

  await db.schema
    .createIndex("grant_account_group_idx")
    .on("access_grant")
    .columns(["workspace_id", "target_account_id", "role", "target_asset_id", "status", "id"])
    .execute();
  await db.schema
    .createIndex("grant_asset_role_idx")
    .on("access_grant")
    .columns(["workspace_id", "target_asset_id", "role", "status", "id"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("grant_asset_role_idx").execute();
  await db.schema.dropIndex("grant_account_group_idx").execute();
  await db.schema.dropTable("history_ref").execute();
}

/**
 * List the events already written under what they concern: from their images (which name a
 * grant's target and subject, or an asset's, request's or review's account) and from the grants
 * and assets they name as they are now (an import's change images hold only the changed fields).
 */
// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function backfillHistoryRefs(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const image = (col: "before" | "after", path: string[]) =>
    t.pg
      ? sql.raw(`h."${col}" #>> '{${path.join(",")}}'`)
      : sql.raw(`json_extract(h."${col}", '$.${path.join(".")}')`);
  const fromImages = (path: string[], types: string[]) =>
    ["before", "after"].map(
      (col) => sql`select h.workspace_id, ${image(col as "before" | "after", path)} as ref_id, h.seq
        from history h where h.entity_type in (${sql.join(types)})`,
    );
  const parts = [
    ...fromImages(["target", "accountId"], ["grant"]),
    ...fromImages(["subject", "personId"], ["grant"]),
    ...fromImages(["subject", "accountId"], ["grant"]),
    ...fromImages(["subject_person_id"], ["grant"]),
    ...fromImages(["subject_account_id"], ["grant"]),
    ...fromImages(["accountId"], ["asset", "request", "review"]),
    sql`select h.workspace_id, g.target_account_id as ref_id, h.seq from history h
      join access_grant g on g.workspace_id = h.workspace_id and g.id = h.entity_id
      where h.entity_type = 'grant'`,
    sql`select h.workspace_id, coalesce(g.subject_person_id, g.subject_account_id) as ref_id, h.seq
      from history h join access_grant g on g.workspace_id = h.workspace_id and g.id = h.entity_id
      where h.entity_type = 'grant'`,
    sql`select h.workspace_id, x.account_id as ref_id, h.seq from history h
      join access_grant g on g.workspace_id = h.workspace_id and g.id = h.entity_id
      join platform_asset x on x.workspace_id = g.workspace_id and x.id = g.target_asset_id
      where h.entity_type = 'grant'`,
    sql`select h.workspace_id, x.account_id as ref_id, h.seq from history h
      join platform_asset x on x.workspace_id = h.workspace_id and x.id = h.entity_id
      where h.entity_type = 'asset'`,
    // Grants created together by an import (entity: their account, written after this
    // migration first ran): each grant's person or partner, and the holder of a shared asset.
    ...(t.pg
      ? [
          sql`select h.workspace_id, coalesce(j.value->>'subject_person_id', j.value->>'subject_account_id') as ref_id, h.seq
            from history h cross join lateral jsonb_array_elements(h.after->'grants') j(value)
            where h.entity_type = 'grant_batch'`,
          sql`select h.workspace_id, x.account_id as ref_id, h.seq
            from history h cross join lateral jsonb_array_elements(h.after->'grants') j(value)
            join platform_asset x on x.workspace_id = h.workspace_id and x.id = j.value->'target'->>'assetId'
            where h.entity_type = 'grant_batch' and x.account_id <> h.entity_id`,
        ]
      : [
          sql`select h.workspace_id, coalesce(j.value->>'subject_person_id', j.value->>'subject_account_id') as ref_id, h.seq
            from history h, json_each(h.after, '$.grants') j
            where h.entity_type = 'grant_batch'`,
          sql`select h.workspace_id, x.account_id as ref_id, h.seq
            from history h, json_each(h.after, '$.grants') j
            join platform_asset x on x.workspace_id = h.workspace_id and x.id = j.value->'target'->>'assetId'
            where h.entity_type = 'grant_batch' and x.account_id <> h.entity_id`,
        ]),
  ];
  await sql`insert into history_ref (workspace_id, ref_id, seq)
    select distinct r.workspace_id, r.ref_id, r.seq from (${sql.join(parts, sql` union all `)}) r
    where r.ref_id is not null and r.ref_id <> ''`.execute(db);
}
