import type { Kysely } from "kysely";
import { columnTypes } from "./types.ts";

/** Access reviews of an account: each grant confirmed, changed or removed; kept as evidence. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("access_review")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("organization.id").onDelete("cascade"))
    .addColumn("account_id", "text", (c) => c.notNull().references("platform_account.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("previous_review_id", "text")
    .addColumn("started_by", "text", (c) => c.notNull())
    .addColumn("started_at", t.timestamp, (c) => c.notNull())
    .addColumn("completed_by", "text")
    .addColumn("completed_at", t.timestamp)
    .addColumn("notes", "text")
    .execute();
  await db.schema
    .createIndex("access_review_account")
    .on("access_review")
    .columns(["workspace_id", "account_id"])
    .execute();
  await db.schema
    .createTable("review_item")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workspace_id", "text", (c) => c.notNull().references("organization.id").onDelete("cascade"))
    .addColumn("review_id", "text", (c) => c.notNull().references("access_review.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("grant_id", "text")
    .addColumn("who", "text", (c) => c.notNull())
    .addColumn("what", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("grant_status", "text", (c) => c.notNull())
    .addColumn("change", "text", (c) => c.notNull())
    .addColumn("previous_role", "text")
    .addColumn("decision", "text")
    .addColumn("new_role", "text")
    .addColumn("note", "text")
    .addColumn("decided_by", "text")
    .addColumn("decided_at", t.timestamp)
    .execute();
  await db.schema
    .createIndex("review_item_review")
    .on("review_item")
    .columns(["review_id", "position"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("review_item").execute();
  await db.schema.dropTable("access_review").execute();
}
