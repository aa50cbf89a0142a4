import type { Kysely } from "kysely";
import { columnTypes } from "./types.ts";

/**
 * Two counts on each workspace's scan mark: the stored scans that changed any finding row
 * (`rows_version`: opened, reopened, re-worded or resolved one), and those that changed what the
 * counts by state and severity read (`counts_version`: opened, reopened or resolved one, or changed
 * a severity). With the latest finding event (decisions, openings, closings) and the day, they
 * version the finding rows and their counts (`findingsVersion`). Before, the version carried the
 * scan mark's history head, so a re-check that only re-worded a finding, as adding an admin to an
 * account with too many re-words its finding, made each server read the counts again: 2.8 ms at
 * 42,000 findings, for most findings requests while records were being written.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .alterTable("finding_scan")
    .addColumn("rows_version", t.bigint, (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("finding_scan")
    .addColumn("counts_version", t.bigint, (c) => c.notNull().defaultTo(0))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("finding_scan").dropColumn("counts_version").execute();
  await db.schema.alterTable("finding_scan").dropColumn("rows_version").execute();
}
