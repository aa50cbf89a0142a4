import { Kysely, type KyselyConfig, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { DatabaseTarget } from "../config/config.ts";
import { registerSqlite } from "./bulk-insert.ts";
import type { DB } from "./schema.ts";
import { NodeSqliteDatabase } from "./sqlite.ts";

export type Dialect = "sqlite" | "postgres";

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** PostgreSQL only: the schema this database lives in, when not the default. */
  readonly schema?: string;
  /** A cheap round trip, for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT (count(*), sums) as strings by default; our counts fit in a double.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export interface OpenOptions {
  /** PostgreSQL only: run in this schema (created if missing), so test runs never collide. */
  schema?: string;
  poolSize?: number;
  /** SQLite only: checkpoint the WAL from a worker thread (the server), not inside commits. */
  backgroundCheckpoints?: boolean;
  /** Told of every query that took longer than SLOW_QUERY_MS (the server logs it as a warning). */
  onSlowQuery?: (slow: { sql: string; ms: number }) => void;
}

/** A query slower than this is reported through `onSlowQuery`. */
export const SLOW_QUERY_MS = 250;

function slowQueryLog(options: OpenOptions): KyselyConfig["log"] {
  const report = options.onSlowQuery;
  if (!report) return undefined;
  return (event) => {
    if (event.queryDurationMillis >= SLOW_QUERY_MS)
      report({ sql: event.query.sql.slice(0, 500), ms: Math.round(event.queryDurationMillis) });
  };
}

export function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Database {
  if (target.kind === "sqlite") {
    const sqlite = new NodeSqliteDatabase(target.path, {
      backgroundCheckpoints: options.backgroundCheckpoints ?? false,
    });
    const db = new Kysely<DB>({
      dialect: new SqliteDialect({ database: sqlite }),
      log: slowQueryLog(options),
    });
    registerSqlite(db, sqlite);
    return {
      db,
      dialect: "sqlite",
      ping: async () => {
        sqlite.raw.prepare("select 1").get();
      },
      close: async () => {
        await sqlite.flush();
        await sqlite.stopCheckpoints();
        await db.destroy();
      },
    };
  }
  const schema = options.schema;
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: slowQueryLog(options) });
  return {
    db,
    dialect: "postgres",
    ...(schema ? { schema } : {}),
    ping: async () => {
      await pool.query("select 1");
    },
    close: () => db.destroy(),
  };
}

/** Create a PostgreSQL schema if needed (tests give each run its own). */
export async function ensurePostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } finally {
    await client.end();
  }
}

export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
