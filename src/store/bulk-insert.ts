import type { Kysely } from "kysely";
import type { DB } from "./schema.ts";
import { bindable, type NodeSqliteDatabase } from "./sqlite.ts";

/**
 * Bulk inserts for imports. On SQLite, one prepared statement is reused row by row on the same
 * connection (so it joins the caller's transaction): several times faster than multi-row
 * statements built and compiled per batch. On PostgreSQL, multi-row inserts.
 */
const sqliteHandles = new WeakMap<object, NodeSqliteDatabase>();

export function registerSqlite(db: Kysely<DB>, sqlite: NodeSqliteDatabase): void {
  sqliteHandles.set(db, sqlite);
}

/** The node:sqlite handle behind a Kysely instance on SQLite, or undefined on PostgreSQL. */
export function sqliteOf(db: Kysely<DB>): NodeSqliteDatabase | undefined {
  return sqliteHandles.get(db);
}

/**
 * Resolve once every write made through this database is on stable storage. SQLite commits
 * without syncing (synchronous=NORMAL) and syncs its WAL here, off the event loop; PostgreSQL
 * has synced on commit already.
 */
export async function durable(db: Kysely<DB>): Promise<void> {
  await sqliteHandles.get(db)?.flush();
}

export async function bulkInsert<T extends Record<string, unknown>>(
  root: Kysely<DB>,
  trx: Kysely<DB>,
  table: string,
  rows: T[],
  batch = 1000,
): Promise<void> {
  if (rows.length === 0) return;
  const sqlite = sqliteHandles.get(root);
  if (sqlite) {
    const columns = Object.keys(rows[0]!);
    const stmt = sqlite.raw.prepare(
      `insert into "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) values (${columns.map(() => "?").join(", ")})`,
    );
    for (const row of rows) stmt.run(...columns.map((c) => bindable(row[c])));
    return;
  }
  for (let i = 0; i < rows.length; i += batch) {
    // biome-ignore lint/suspicious/noExplicitAny: rows were typed by the caller for this table
    await (trx as Kysely<any>)
      .insertInto(table)
      .values(rows.slice(i, i + batch))
      .execute();
  }
}
