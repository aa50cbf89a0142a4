import type { Kysely } from "kysely";
import { sql } from "kysely";
import { columnTypes } from "./types.ts";

/**
 * The Record: organizations, people, accounts, assets, shared logins and grants, plus the
 * append-only, hash-chained history. Every row carries its workspace_id and every lookup
 * filters on it; composite foreign keys keep references inside one workspace.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const base = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("workspace_id", "text", (c) => c.notNull().references("organization.id").onDelete("cascade"))
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("updated_at", t.timestamp, (c) => c.notNull())
      .addUniqueConstraint(`${name}_ws_id_unique`, ["workspace_id", "id"]);

  await base("record_organization")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_key", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("notes", "text")
    .addUniqueConstraint("record_organization_name_unique", ["workspace_id", "name_key"])
    .execute();

  await base("person")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("organization_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("left_on", "text")
    .addColumn("notes", "text")
    .addForeignKeyConstraint("person_org_fk", ["workspace_id", "organization_id"], "record_organization", [
      "workspace_id",
      "id",
    ])
    .execute();
  await db.schema
    .createTable("person_email")
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("person_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("person_email_pk", ["workspace_id", "email"])
    .addForeignKeyConstraint(
      "person_email_person_fk",
      ["workspace_id", "person_id"],
      "person",
      ["workspace_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();
  await db.schema
    .createIndex("person_email_person_idx")
    .on("person_email")
    .columns(["workspace_id", "person_id"])
    .execute();

  await base("custom_platform")
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("definition", t.json, (c) => c.notNull())
    .addUniqueConstraint("custom_platform_key_unique", ["workspace_id", "key"])
    .execute();

  await base("platform_account")
    .addColumn("platform", "text", (c) => c.notNull())
    .addColumn("platform_id", "text")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_key", "text", (c) => c.notNull())
    .addColumn("organization_id", "text", (c) => c.notNull())
    .addColumn("owner_person_id", "text")
    .addColumn("backup_owner_person_id", "text")
    .addColumn("review_cadence_days", "integer")
    .addColumn("last_reviewed_on", "text")
    .addColumn("recovery_email_holder", "text")
    .addColumn("two_factor_holder", "text")
    .addColumn("notes", "text")
    .addForeignKeyConstraint("account_org_fk", ["workspace_id", "organization_id"], "record_organization", [
      "workspace_id",
      "id",
    ])
    .addForeignKeyConstraint("account_owner_fk", ["workspace_id", "owner_person_id"], "person", [
      "workspace_id",
      "id",
    ])
    .addForeignKeyConstraint("account_backup_fk", ["workspace_id", "backup_owner_person_id"], "person", [
      "workspace_id",
      "id",
    ])
    .execute();
  await db.schema
    .createIndex("account_platform_name_idx")
    .on("platform_account")
    .columns(["workspace_id", "platform", "name_key"])
    .execute();
  await db.schema
    .createIndex("account_platform_id_idx")
    .on("platform_account")
    .columns(["workspace_id", "platform", "platform_id"])
    .execute();

  await base("platform_asset")
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("organization_id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("platform_id", "text")
    .addColumn("notes", "text")
    .addForeignKeyConstraint("asset_account_fk", ["workspace_id", "account_id"], "platform_account", [
      "workspace_id",
      "id",
    ])
    .addForeignKeyConstraint("asset_org_fk", ["workspace_id", "organization_id"], "record_organization", [
      "workspace_id",
      "id",
    ])
    .execute();
  await db.schema
    .createIndex("asset_account_idx")
    .on("platform_asset")
    .columns(["workspace_id", "account_id"])
    .execute();

  await base("shared_login")
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("label_key", "text", (c) => c.notNull())
    .addColumn("notes", "text")
    .addUniqueConstraint("shared_login_label_unique", ["workspace_id", "label_key"])
    .execute();
  await db.schema
    .createTable("shared_login_knower")
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("shared_login_id", "text", (c) => c.notNull())
    .addColumn("person_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("shared_login_knower_pk", ["workspace_id", "shared_login_id", "person_id"])
    .addForeignKeyConstraint(
      "slk_login_fk",
      ["workspace_id", "shared_login_id"],
      "shared_login",
      ["workspace_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .addForeignKeyConstraint(
      "slk_person_fk",
      ["workspace_id", "person_id"],
      "person",
      ["workspace_id", "id"],
      (fk) => fk.onDelete("cascade"),
    )
    .execute();

  await base("access_grant")
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_person_id", "text")
    .addColumn("subject_account_id", "text")
    .addColumn("subject_shared_login_id", "text")
    .addColumn("subject_name", "text")
    .addColumn("target_account_id", "text", (c) => c.notNull())
    .addColumn("target_asset_id", "text")
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("invited_on", "text")
    .addColumn("granted_on", "text")
    .addColumn("expires_on", "text")
    .addColumn("revoked_on", "text")
    .addColumn("granted_by", "text")
    .addColumn("reason", "text")
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("last_verified_on", "text")
    .addColumn("notes", "text")
    .addForeignKeyConstraint("grant_person_fk", ["workspace_id", "subject_person_id"], "person", [
      "workspace_id",
      "id",
    ])
    .addForeignKeyConstraint("grant_partner_fk", ["workspace_id", "subject_account_id"], "platform_account", [
      "workspace_id",
      "id",
    ])
    .addForeignKeyConstraint("grant_login_fk", ["workspace_id", "subject_shared_login_id"], "shared_login", [
      "workspace_id",
      "id",
    ])
    .addForeignKeyConstraint("grant_account_fk", ["workspace_id", "target_account_id"], "platform_account", [
      "workspace_id",
      "id",
    ])
    .addForeignKeyConstraint("grant_asset_fk", ["workspace_id", "target_asset_id"], "platform_asset", [
      "workspace_id",
      "id",
    ])
    .execute();
  await db.schema
    .createIndex("grant_target_idx")
    .on("access_grant")
    .columns(["workspace_id", "target_account_id"])
    .execute();
  await db.schema
    .createIndex("grant_person_idx")
    .on("access_grant")
    .columns(["workspace_id", "subject_person_id"])
    .execute();

  await db.schema
    .createTable("history")
    .addColumn("workspace_id", "text", (c) => c.notNull().references("organization.id").onDelete("cascade"))
    .addColumn("seq", t.bigint, (c) => c.notNull())
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("at", t.timestamp, (c) => c.notNull())
    .addColumn("actor_user_id", "text")
    .addColumn("actor_label", "text", (c) => c.notNull())
    .addColumn("entity_type", "text", (c) => c.notNull())
    .addColumn("entity_id", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("before", t.json)
    .addColumn("after", t.json)
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("history_pk", ["workspace_id", "seq"])
    .execute();
  await db.schema
    .createIndex("history_entity_idx")
    .on("history")
    .columns(["workspace_id", "entity_id", "seq"])
    .execute();

  // History is append-only: the database itself refuses UPDATE and DELETE of past events.
  if (t.pg) {
    await sql`create or replace function delvia_history_append_only() returns trigger language plpgsql as $$
      begin raise exception 'history is append-only'; end $$`.execute(db);
    await sql`create trigger history_no_update before update or delete on history
      for each row when (pg_trigger_depth() = 0) execute function delvia_history_append_only()`.execute(db);
  } else {
    await sql`create trigger history_no_update before update on history
      begin select raise(abort, 'history is append-only'); end`.execute(db);
    await sql`create trigger history_no_delete before delete on history
      when (select count(*) from organization where id = old.workspace_id) > 0
      begin select raise(abort, 'history is append-only'); end`.execute(db);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "history",
    "access_grant",
    "shared_login_knower",
    "shared_login",
    "platform_asset",
    "platform_account",
    "custom_platform",
    "person_email",
    "person",
    "record_organization",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
