import { type Kysely, type MigrationResultSet, Migrator } from "kysely";
import { MIGRATIONS } from "./migrations/index.ts";

export interface MigrationReport {
  applied: string[];
}

/** Bring the schema up to date. Each migration runs in a transaction with a lock (Kysely's migrator). */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<MigrationReport> {
  // Name the schema of the migration tables: Kysely looks for them across every schema it can
  // see, so without this a database in its own schema could find another's tables.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let result: MigrationResultSet = await migrator.migrateToLatest();
  // Kysely's check for its own tables lists the tables of every schema; another schema dropped at
  // that moment (a concurrent test run cleaning up) fails it with "schema … does not exist".
  // Nothing was migrated then: try again.
  for (let attempt = 0; attempt < 3 && isVanishedSchema(result.error, schema); attempt++)
    result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(
      `Migration ${failed ?? "?"} failed: ${String((result.error as Error).message ?? result.error)}`,
      {
        cause: result.error,
      },
    );
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName),
  };
}

function isVanishedSchema(error: unknown, own: string | undefined): boolean {
  const m = /schema "([^"]+)" does not exist/.exec(String((error as Error | undefined)?.message ?? ""));
  return !!m && m[1] !== own;
}
