import type { Kysely } from "kysely";
import { sql } from "kysely";

/**
 * The latest history event of a workspace that is not about a grant, a finding or a plan, in one
 * index lookup. Grants, and the requests and reviews that name their account, are listed under
 * the accounts they concern (`history_ref`); what else changes (people, organizations, accounts,
 * assets, shared logins…) can show on any account's page by name. An account page is kept while
 * its account's latest listed event, this one and the latest events of its findings stand
 * (`accountPageVersion`). A partial index, so grant writes do not pay for it. A finding's events
 * are listed apart under its account (`findings:` and the account's ID, not on its timeline).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index history_outside_seq_idx on history (workspace_id, seq)
    where entity_type not in ('grant', 'finding', 'plan')`.execute(db);
  await backfillFindingRefs(db);
}

/**
 * Finding events written from now on are listed under "findings:" and their account
 * (`findingsRef`); list those already written from the findings they are about.
 */
// biome-ignore lint/suspicious/noExplicitAny: see up
export async function backfillFindingRefs(db: Kysely<any>): Promise<void> {
  await sql`insert into history_ref (workspace_id, ref_id, seq)
    select h.workspace_id, 'findings:' || f.account_id, h.seq
    from history h join finding f on f.workspace_id = h.workspace_id and f.key = h.entity_id
    where h.entity_type = 'finding' and f.account_id is not null`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from history_ref where ref_id like 'findings:%'`.execute(db);
  await db.schema.dropIndex("history_outside_seq_idx").execute();
}
