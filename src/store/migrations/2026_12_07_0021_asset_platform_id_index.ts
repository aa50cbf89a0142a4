import { type Kysely, sql } from "kysely";

/**
 * Assets by platform ID within a workspace, for an import that names a few accounts of a large
 * record: it reads the assets with the platform IDs the sheet names (an asset with an ID is the
 * same asset wherever it appears), not every asset. Partial: assets without one are not listed.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index asset_platform_id_idx on platform_asset (workspace_id, platform_id)
    where platform_id is not null`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("asset_platform_id_idx").execute();
}
