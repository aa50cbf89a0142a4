import { type Kysely, PostgresAdapter } from "kysely";

/**
 * Column types that differ between the two databases, so each migration is written once.
 * SQLite has no native boolean or timestamp: booleans are 0/1 integers and times ISO-8601 text.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export function columnTypes(db: Kysely<any>) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    pg,
    timestamp: pg ? ("timestamptz" as const) : ("text" as const),
    boolean: pg ? ("boolean" as const) : ("integer" as const),
    bigint: pg ? ("bigint" as const) : ("integer" as const),
    json: pg ? ("jsonb" as const) : ("text" as const),
  };
}
