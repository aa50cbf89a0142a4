import type { Kysely } from "kysely";
import { columnTypes } from "./types.ts";

/** The state of each finding (by its stable key), and when each workspace was last scanned. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("finding")
    .addColumn("workspace_id", "text", (c) => c.notNull().references("organization.id").onDelete("cascade"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("account_id", "text")
    .addColumn("asset_id", "text")
    .addColumn("subject", t.json)
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("guide", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("decided_by", "text")
    .addColumn("decided_at", t.timestamp)
    .addColumn("snoozed_until", "text")
    .addColumn("first_seen", t.timestamp, (c) => c.notNull())
    .addColumn("resolved_at", t.timestamp)
    .addPrimaryKeyConstraint("finding_pk", ["workspace_id", "key"])
    .execute();
  await db.schema
    .createTable("finding_scan")
    .addColumn("workspace_id", "text", (c) =>
      c.primaryKey().references("organization.id").onDelete("cascade"),
    )
    .addColumn("history_head", t.bigint, (c) => c.notNull())
    .addColumn("as_of", "text", (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("finding_scan").execute();
  await db.schema.dropTable("finding").execute();
}
