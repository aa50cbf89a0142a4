import type { Kysely } from "kysely";

/** Indexes the incremental findings re-check reads by: findings per account, grants per subject. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("finding_account_idx")
    .on("finding")
    .columns(["workspace_id", "account_id"])
    .execute();
  await db.schema
    .createIndex("grant_shared_login_idx")
    .on("access_grant")
    .columns(["workspace_id", "subject_shared_login_id"])
    .execute();
  await db.schema
    .createIndex("grant_partner_idx")
    .on("access_grant")
    .columns(["workspace_id", "subject_account_id"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("grant_partner_idx").execute();
  await db.schema.dropIndex("grant_shared_login_idx").execute();
  await db.schema.dropIndex("finding_account_idx").execute();
}
