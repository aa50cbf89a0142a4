import { type Kysely, sql } from "kysely";

/**
 * Found by the load benchmark at a million grants: grants that expire, read by the scheduler's
 * notices of access ending (partial, since most grants never expire).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index grant_expires_idx on access_grant (expires_on) where expires_on is not null`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("grant_expires_idx").execute();
}
