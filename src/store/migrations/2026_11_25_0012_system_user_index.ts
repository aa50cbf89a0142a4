import { type Kysely, sql } from "kysely";

/**
 * The system users of a workspace, for the findings re-check: when a person changes, the accounts
 * whose system users' "granted by" names them are found without reading every grant. Partial, so
 * it holds only system users (few) and other grants pay nothing for it.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("grant_system_user_idx")
    .on("access_grant")
    .columns(["workspace_id", "target_account_id"])
    .where(sql.ref("subject_type"), "=", sql.lit("system_user"))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("grant_system_user_idx").execute();
}
