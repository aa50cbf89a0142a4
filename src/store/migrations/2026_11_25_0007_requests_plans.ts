import type { ColumnDefinitionBuilder, Kysely } from "kysely";
import { columnTypes } from "./types.ts";

/**
 * Access requests, change plans and their tasks, per-account "when this changes" rules, the
 * in-app inbox, notification settings, calendar feeds, and the scheduler's claimed jobs.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const ws = (c: ColumnDefinitionBuilder) => c.notNull().references("organization.id").onDelete("cascade");
  await db.schema
    .createTable("access_request")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", ws)
    .addColumn("direction", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("account_id", "text", (c) => c.notNull().references("platform_account.id").onDelete("cascade"))
    .addColumn("asset_ids", t.json, (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull())
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_person_id", "text", (c) => c.references("person.id").onDelete("set null"))
    .addColumn("subject_account_id", "text", (c) => c.references("platform_account.id").onDelete("set null"))
    .addColumn("invite_email", "text")
    .addColumn("contact_name", "text", (c) => c.notNull())
    .addColumn("contact_email", "text")
    .addColumn("escalation_name", "text")
    .addColumn("escalation_email", "text")
    .addColumn("email_contact", t.boolean, (c) => c.notNull())
    .addColumn("due_on", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reminder_days", t.json, (c) => c.notNull())
    .addColumn("sent_on", "text")
    .addColumn("invited_on", "text")
    .addColumn("accepted_on", "text")
    .addColumn("verified_on", "text")
    .addColumn("closed_on", "text")
    .addColumn("status_note", "text")
    .addColumn("grant_ids", t.json, (c) => c.notNull())
    .addColumn("owner_user_id", "text", (c) => c.references("user.id").onDelete("set null"))
    .addColumn("notes", "text")
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("access_request_ws_status")
    .on("access_request")
    .columns(["workspace_id", "status"])
    .execute();

  await db.schema
    .createTable("change_plan")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", ws)
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("subject", t.json, (c) => c.notNull())
    .addColumn("successor_person_id", "text", (c) => c.references("person.id").onDelete("set null"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("due_on", "text")
    .addColumn("recheck_on", "text")
    .addColumn("last_check", t.json)
    .addColumn("owner_user_id", "text", (c) => c.references("user.id").onDelete("set null"))
    .addColumn("notes", "text")
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .addColumn("completed_at", t.timestamp)
    .execute();
  await db.schema
    .createTable("plan_task")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", ws)
    .addColumn("plan_id", "text", (c) => c.notNull().references("change_plan.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("phase", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("detail", "text")
    .addColumn("account_id", "text")
    .addColumn("guide", "text")
    .addColumn("action", t.json, (c) => c.notNull())
    .addColumn("blocked_by", t.json, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("assignee_user_id", "text", (c) => c.references("user.id").onDelete("set null"))
    .addColumn("due_on", "text")
    .addColumn("evidence", "text")
    .addColumn("done_by", "text")
    .addColumn("done_at", t.timestamp)
    .execute();
  await db.schema.createIndex("plan_task_plan").on("plan_task").columns(["plan_id", "position"]).execute();
  await db.schema.createIndex("plan_task_key").on("plan_task").columns(["plan_id", "key"]).unique().execute();

  await db.schema
    .createTable("account_change_rule")
    .addColumn("account_id", "text", (c) =>
      c.primaryKey().references("platform_account.id").onDelete("cascade"),
    )
    .addColumn("workspace_id", "text", ws)
    .addColumn("notify", "text")
    .addColumn("remove_within_days", "integer")
    .addColumn("successor_person_id", "text", (c) => c.references("person.id").onDelete("set null"))
    .addColumn("notes", "text")
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("notification")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", ws)
    .addColumn("user_id", "text", (c) => c.notNull().references("user.id").onDelete("cascade"))
    .addColumn("topic", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("link", "text", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("read_at", t.timestamp)
    .addColumn("emailed_at", t.timestamp)
    .addUniqueConstraint("notification_once", ["user_id", "key"])
    .execute();
  await db.schema
    .createIndex("notification_inbox")
    .on("notification")
    .columns(["workspace_id", "user_id", "created_at"])
    .execute();

  await db.schema
    .createTable("notification_setting")
    .addColumn("workspace_id", "text", ws)
    .addColumn("user_id", "text", (c) => c.notNull().references("user.id").onDelete("cascade"))
    .addColumn("email", t.boolean, (c) => c.notNull())
    .addColumn("muted_topics", t.json, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("notification_setting_pk", ["workspace_id", "user_id"])
    .execute();

  await db.schema
    .createTable("calendar_feed")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", ws)
    .addColumn("user_id", "text", (c) => c.notNull().references("user.id").onDelete("cascade"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("last_used_at", t.timestamp)
    .execute();

  await db.schema
    .createTable("scheduled_job")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", ws)
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("payload", t.json, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("claimed_by", "text")
    .addColumn("claimed_at", t.timestamp)
    .addColumn("done_at", t.timestamp)
    .addColumn("error", "text")
    .execute();
  await db.schema.createIndex("scheduled_job_open").on("scheduled_job").columns(["done_at"]).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "scheduled_job",
    "calendar_feed",
    "notification_setting",
    "notification",
    "account_change_rule",
    "plan_task",
    "change_plan",
    "access_request",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
