import { type Kysely, sql } from "kysely";

/**
 * The grant indexes by subject hold only the grants of that kind of subject: a grant has one
 * subject, so the other columns are null and their entries were never read. Lookups by a value
 * (`= ?`, `in (…)`, and the foreign keys' checks when a parent row is deleted) imply `is not null`,
 * so both databases still use them; an import of person grants writes two index entries fewer
 * per grant.
 */
const INDEXES = [
  ["grant_person_idx", "subject_person_id"],
  ["grant_partner_idx", "subject_account_id"],
  ["grant_shared_login_idx", "subject_shared_login_id"],
] as const;

// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, column] of INDEXES) {
    await db.schema.dropIndex(name).execute();
    await db.schema
      .createIndex(name)
      .on("access_grant")
      .columns(["workspace_id", column])
      .where(sql.ref(column), "is not", null)
      .execute();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const [name, column] of INDEXES) {
    await db.schema.dropIndex(name).execute();
    await db.schema.createIndex(name).on("access_grant").columns(["workspace_id", column]).execute();
  }
}
