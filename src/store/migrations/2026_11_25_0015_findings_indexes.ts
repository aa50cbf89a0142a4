import { type Kysely, sql } from "kysely";

/**
 * Indexes the findings re-check and the paged findings list read by:
 * - grants of an account by level and role (its admins are counted from the account-level grants
 *   of admin roles without reading its assignments), replacing the index on the account alone;
 * - grants of a person by account (a person's grants on one account; an outside organization's
 *   people with access to a large account), replacing the index on the person alone;
 * - people by organization, accounts by owner;
 * - findings by account and rule (an account's account-level findings), replacing the index on
 *   the account alone; findings by severity, rule and key (the list, worst first, page by page);
 *   findings by status and severity (the counts).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("grant_account_role_idx")
    .on("access_grant")
    .columns(["workspace_id", "target_account_id", "target_asset_id", "role"])
    .execute();
  await db.schema.dropIndex("grant_target_idx").execute();
  await db.schema
    .createIndex("grant_person_account_idx")
    .on("access_grant")
    .columns(["workspace_id", "subject_person_id", "target_account_id"])
    .execute();
  await db.schema.dropIndex("grant_person_idx").execute();
  await db.schema
    .createIndex("person_org_idx")
    .on("person")
    .columns(["workspace_id", "organization_id"])
    .execute();
  await db.schema
    .createIndex("account_owner_idx")
    .on("platform_account")
    .columns(["workspace_id", "owner_person_id"])
    .execute();
  await db.schema
    .createIndex("finding_account_rule_idx")
    .on("finding")
    .columns(["workspace_id", "account_id", "rule"])
    .execute();
  await db.schema.dropIndex("finding_account_idx").execute();
  await db.schema
    .createIndex("finding_list_idx")
    .on("finding")
    .columns(["workspace_id", "severity", "rule", "key"])
    .execute();
  await db.schema
    .createIndex("finding_status_idx")
    .on("finding")
    .columns(["workspace_id", "status", "severity"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("finding_status_idx").execute();
  await db.schema.dropIndex("finding_list_idx").execute();
  await db.schema
    .createIndex("finding_account_idx")
    .on("finding")
    .columns(["workspace_id", "account_id"])
    .execute();
  await db.schema.dropIndex("finding_account_rule_idx").execute();
  await db.schema.dropIndex("account_owner_idx").execute();
  await db.schema.dropIndex("person_org_idx").execute();
  await db.schema
    .createIndex("grant_person_idx")
    .on("access_grant")
    .columns(["workspace_id", "subject_person_id"])
    .where(sql.ref("subject_person_id"), "is not", null)
    .execute();
  await db.schema.dropIndex("grant_person_account_idx").execute();
  await db.schema
    .createIndex("grant_target_idx")
    .on("access_grant")
    .columns(["workspace_id", "target_account_id"])
    .execute();
  await db.schema.dropIndex("grant_account_role_idx").execute();
}
