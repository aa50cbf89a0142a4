import type { Kysely } from "kysely";
import { sql } from "kysely";

/**
 * The latest history event of a workspace that is not about a grant, a finding or a plan, in one
 * index lookup. Grants, and the requests and reviews that name their account, are listed under
 * the accounts they concern (`history_ref`); what else changes (people, organizations, accounts,
 * assets, shared logins…) can show on any account's page by name. An account page is kept while
 * its account's latest listed event, this one and the latest finding event stand
 * (`accountPageVersion`). A partial index, so grant writes do not pay for it.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index history_outside_seq_idx on history (workspace_id, seq)
    where entity_type not in ('grant', 'finding', 'plan')`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("history_outside_seq_idx").execute();
}
