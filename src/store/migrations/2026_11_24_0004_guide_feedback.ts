import type { Kysely } from "kysely";

/** Per-guide, per-day counts of "did this solve it?" answers. No reader data at all. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("guide_feedback")
    .addColumn("guide_ref", "text", (c) => c.notNull())
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("yes", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("no", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("guide_feedback_pk", ["guide_ref", "day"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("guide_feedback").execute();
}
