import type { Kysely } from "kysely";
import { sql } from "kysely";

/**
 * The latest finding event of a workspace, in one index lookup: every decision on a stored finding
 * and every finding a scan opens, reopens or resolves appends a history event of entity type
 * "finding", so the newest one's sequence number is, with the scan mark, a version of the findings
 * table (`findingsVersion`), under which each server keeps the counts and pages it has read. A
 * partial index holds the finding events alone, so record writes do not pay for it.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("history_finding_seq_idx")
    .on("history")
    .columns(["workspace_id", "seq"])
    .where(sql.ref("entity_type"), "=", sql.lit("finding"))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("history_finding_seq_idx").execute();
}
