import { type Kysely, sql } from "kysely";

/**
 * Each grant index holds only the grants its readers ask for, so an import writes fewer entries:
 *
 * - account-level grants by account and role (`grant_account_level_idx`), replacing the index
 *   on (account, asset, role) over every grant: it was read only for an account's own grants (its
 *   admins, counted by the findings re-check and listed on a finding), and an account's grants on
 *   its assets are read through the index by account, role and asset (the account page's groups).
 *   Its asset column (always null) stays, so SQLite, which plans without statistics, takes it as
 *   covering for those queries rather than the wider index by account, role and asset;
 * - grants on an asset by asset and role (`grant_asset_role_idx`) now hold only grants on assets;
 * - grants of a person by account (`grant_person_account_idx`) now hold only person grants.
 *
 * Lookups by a value (`= ?`, `in (…)`) imply `is not null`, and the admin queries say
 * `target_asset_id is null`, so both databases still use them. An import of 100,000 person grants
 * on assets writes one index entry fewer per grant (13.5 MiB of 150 on SQLite).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index grant_account_level_idx
    on access_grant (workspace_id, target_account_id, target_asset_id, role) where target_asset_id is null`.execute(
    db,
  );
  await db.schema.dropIndex("grant_account_role_idx").execute();
  await db.schema.dropIndex("grant_asset_role_idx").execute();
  await sql`create index grant_asset_role_idx on access_grant (workspace_id, target_asset_id, role, status, id)
    where target_asset_id is not null`.execute(db);
  await db.schema.dropIndex("grant_person_account_idx").execute();
  await sql`create index grant_person_account_idx on access_grant (workspace_id, subject_person_id, target_account_id)
    where subject_person_id is not null`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("grant_person_account_idx").execute();
  await db.schema
    .createIndex("grant_person_account_idx")
    .on("access_grant")
    .columns(["workspace_id", "subject_person_id", "target_account_id"])
    .execute();
  await db.schema.dropIndex("grant_asset_role_idx").execute();
  await db.schema
    .createIndex("grant_asset_role_idx")
    .on("access_grant")
    .columns(["workspace_id", "target_asset_id", "role", "status", "id"])
    .execute();
  await db.schema
    .createIndex("grant_account_role_idx")
    .on("access_grant")
    .columns(["workspace_id", "target_account_id", "target_asset_id", "role"])
    .execute();
  await db.schema.dropIndex("grant_account_level_idx").execute();
}
