import type { Kysely } from "kysely";
import { columnTypes } from "./types.ts";

/**
 * Signed heads of each workspace's history chain. The MAC key lives outside the database (derived
 * from the instance secret), so removing events from the end of the chain — which the chain alone
 * cannot reveal — no longer matches the last seal.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("history_seal")
    .addColumn("workspace_id", "text", (c) => c.notNull().references("organization.id").onDelete("cascade"))
    .addColumn("sealed_at", t.timestamp, (c) => c.notNull())
    .addColumn("seq", t.bigint, (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("mac", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("history_seal_pk", ["workspace_id", "sealed_at"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("history_seal").execute();
}
