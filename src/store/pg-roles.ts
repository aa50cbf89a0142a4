import { type Kysely, sql } from "kysely";

/** The role name in a postgres:// URL. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || "postgres";
}

/**
 * Give the application's role exactly what it needs, run as the role that owns the tables (after
 * migrations): use of the schema, reading and writing rows, the sequences — and no UPDATE or DELETE
 * on history, so even a compromised app cannot rewrite it. The app role owns nothing and cannot
 * change the schema.
 */
// biome-ignore lint/suspicious/noExplicitAny: works on any schema
export async function grantAppRole(owner: Kysely<any>, appRole: string, schema = "public"): Promise<void> {
  if (!/^[A-Za-z_][A-Za-z0-9_$-]*$/.test(appRole)) throw new Error(`Unusual role name ${appRole}`);
  const role = sql.id(appRole);
  const s = sql.id(schema);
  await sql`grant usage on schema ${s} to ${role}`.execute(owner);
  await sql`grant select, insert, update, delete on all tables in schema ${s} to ${role}`.execute(owner);
  await sql`revoke update, delete, truncate on ${s}.history from ${role}`.execute(owner);
  await sql`revoke update, delete, truncate on ${s}.history_seal from ${role}`.execute(owner);
  await sql`revoke update, delete, truncate on ${s}.history_ref from ${role}`.execute(owner);
  await sql`revoke insert, update, delete, truncate on ${s}.kysely_migration, ${s}.kysely_migration_lock from ${role}`.execute(
    owner,
  );
  await sql`grant usage, select on all sequences in schema ${s} to ${role}`.execute(owner);
}
