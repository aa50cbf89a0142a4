import { type Kysely, sql } from "kysely";

/**
 * Indexes found by the load benchmark at a million grants: a person's emails (read whenever a
 * person or a grant to a person is shown; the primary key is by email), and grants that expire
 * (the scheduler's daily notices; partial, since most grants never expire).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("person_email_person_idx")
    .on("person_email")
    .columns(["workspace_id", "person_id"])
    .execute();
  await sql`create index grant_expires_idx on access_grant (expires_on) where expires_on is not null`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("grant_expires_idx").execute();
  await db.schema.dropIndex("person_email_person_idx").execute();
}
