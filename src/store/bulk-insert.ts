import { type Compilable, type Kysely, sql } from "kysely";
import type { DB } from "./schema.ts";
import { isPostgres } from "./schema.ts";
import { bindable, type NodeSqliteDatabase } from "./sqlite.ts";

/**
 * Bulk writes for imports and findings scans, inside the caller's transaction. On SQLite, one
 * prepared statement is reused row by row on the same connection (so it joins the transaction):
 * several times faster than multi-row statements built and compiled per batch. On PostgreSQL,
 * inserts gather rows column by column and send them as arrays, `insert … select * from
 * unnest($1::text[], …)`: one short statement per 10,000 rows, whatever the number of columns;
 * updates send one `UPDATE … FROM (VALUES …)` per batch.
 */
const sqliteHandles = new WeakMap<object, NodeSqliteDatabase>();

export function registerSqlite(db: Kysely<DB>, sqlite: NodeSqliteDatabase): void {
  sqliteHandles.set(db, sqlite);
}

/** The node:sqlite connection behind a database opened by `openDatabase`, if it is SQLite. */
export function sqliteOf(db: Kysely<DB>): NodeSqliteDatabase | undefined {
  return sqliteHandles.get(db);
}

/**
 * Resolve once every write made through this database is on stable storage, or with `upTo` (a
 * `WriteScope`'s count), those counted up to it. SQLite commits without syncing
 * (synchronous=NORMAL) and syncs its WAL here, off the event loop; PostgreSQL has synced on
 * commit already.
 */
export async function durable(db: Kysely<DB>, upTo?: number): Promise<void> {
  await sqliteHandles.get(db)?.flush(upTo);
}

/** A bulk write of this many rows or more refreshes PostgreSQL's planner statistics at once. */
const ANALYZE_AFTER_ROWS = 10_000;

/**
 * PostgreSQL plans from table statistics that autovacuum refreshes within a minute or so of a
 * large change; until then a workspace that just grew by a large import or a first findings scan
 * gets plans made for nearly empty tables (the findings re-check's join went from 7 ms to 300 ms
 * at 100,000 grants). After a bulk write of `rows` rows, where the connecting role owns the
 * tables, this refreshes their statistics at once; elsewhere PostgreSQL skips them with a warning
 * and autovacuum does it. SQLite plans without statistics: nothing to do.
 */
export async function refreshPlannerStatistics(
  db: Kysely<DB>,
  rows: number,
  tables: readonly (keyof DB & string)[],
): Promise<void> {
  if (rows < ANALYZE_AFTER_ROWS || sqliteHandles.has(db)) return;
  if (!isPostgres(db)) return;
  await sql`analyze ${sql.raw(tables.map((t) => `"${t}"`).join(", "))}`.execute(db);
}

/** A bulk insert of at least this many rows may build its table's indexes afresh (see `withIndexesBuiltAfter`). */
export const BUILD_INDEXES_AFTER_ROWS = 10_000;

/**
 * Run `write`, which inserts `rows` rows into `table` inside the caller's transaction. On SQLite,
 * when they are at least `BUILD_INDEXES_AFTER_ROWS` and at least as many as the table has ever held
 * (its largest rowid: a first large import into a new or nearly empty instance), the table's own
 * indexes are dropped before and created again after, in the same transaction. SQLite then builds
 * each index by sorting its entries once, instead of placing them one at a time in a tree that
 * grows as they come (a grant's person index takes them in random order): an import of 100,000
 * grants writes them about 20% faster. The rebuild reads at most twice the rows written, so its
 * cost follows the import's size. Indexes that enforce a key (primary key, unique) stay. The
 * schema change is part of the transaction: a rollback (an import's preview, a failure) leaves the
 * indexes as they were, and no other connection ever sees the table without them.
 */
export async function withIndexesBuiltAfter<T>(
  root: Kysely<DB>,
  table: keyof DB & string,
  rows: number,
  write: () => Promise<T>,
): Promise<T> {
  const sqlite = sqliteHandles.get(root)?.raw;
  let indexes: { name: string; sql: string }[] = [];
  if (sqlite && rows >= BUILD_INDEXES_AFTER_ROWS) {
    const held = sqlite.prepare(`select max(rowid) as n from "${table}"`).get() as { n: number | null };
    if (rows >= Number(held.n ?? 0)) {
      indexes = sqlite
        .prepare(
          "select name, sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null",
        )
        .all(table) as { name: string; sql: string }[];
      for (const i of indexes) sqlite.exec(`drop index "${i.name}"`);
    }
  }
  const result = await write();
  for (const i of indexes) sqlite!.exec(i.sql);
  return result;
}

/** Rows for one table, given as values in the order of its `columns`. */
export interface RowWriter {
  /** Write (SQLite) or gather (PostgreSQL) one row. `values` may be reused by the caller. */
  add(values: readonly unknown[]): void;
  /** Send what was gathered; call once, after the last `add`. */
  end(): Promise<void>;
}

const PG_CHUNK = 10_000;

export function rowWriter(
  root: Kysely<DB>,
  trx: Kysely<DB>,
  table: keyof DB & string,
  columns: readonly string[],
): RowWriter {
  const names = columns.map((c) => `"${c}"`).join(", ");
  const sqlite = sqliteHandles.get(root);
  if (sqlite) {
    const stmt = sqlite.raw.prepare(
      `insert into "${table}" (${names}) values (${columns.map(() => "?").join(", ")})`,
    );
    const args = new Array(columns.length);
    return {
      add(values) {
        for (let i = 0; i < args.length; i++) args[i] = bindable(values[i]);
        stmt.run(...args);
      },
      end: async () => {},
    };
  }
  if (!isPostgres(trx)) {
    // SQLite reached without its connection (a transaction started elsewhere): plain inserts.
    const objects: Record<string, unknown>[] = [];
    return {
      add(values) {
        objects.push(Object.fromEntries(columns.map((c, i) => [c, values[i]])));
      },
      async end() {
        for (let i = 0; i < objects.length; i += 500)
          // biome-ignore lint/suspicious/noExplicitAny: rows were typed by the caller for this table
          await (trx as Kysely<any>)
            .insertInto(table)
            .values(objects.slice(i, i + 500))
            .execute();
      },
    };
  }
  let gathered: unknown[][] = columns.map(() => []);
  let rows = 0;
  return {
    add(values) {
      for (let i = 0; i < columns.length; i++) gathered[i]!.push(values[i] ?? null);
      rows++;
    },
    async end() {
      if (rows === 0) return;
      const types = await columnTypes(trx, table);
      const arrays = columns.map((c) => {
        const type = types.get(c);
        if (!type) throw new Error(`${table} has no column ${c}`);
        return `${type}[]`;
      });
      for (let from = 0; from < rows; from += PG_CHUNK) {
        const params = gathered.map(
          (values, i) =>
            sql`${rows <= PG_CHUNK ? values : values.slice(from, from + PG_CHUNK)}::${sql.raw(arrays[i]!)}`,
        );
        await sql`insert into ${sql.raw(`"${table}"`)} (${sql.raw(names)}) select * from unnest(${sql.join(params)})`.execute(
          trx,
        );
      }
      gathered = [];
      rows = 0;
    },
  };
}

/** Column types of a PostgreSQL table (as found on the search path), for typed unnest arrays. */
async function columnTypes(trx: Kysely<DB>, table: string): Promise<Map<string, string>> {
  const { rows } = await sql<{ name: string; type: string }>`
    select attname as name, format_type(atttypid, atttypmod) as type
    from pg_attribute
    where attrelid = to_regclass(${`"${table}"`}) and attnum > 0 and not attisdropped`.execute(trx);
  return new Map(rows.map((r) => [r.name, r.type]));
}

/** Insert row objects (all of one shape: the first row's keys are the columns). */
export async function bulkInsert<T extends Record<string, unknown>>(
  root: Kysely<DB>,
  trx: Kysely<DB>,
  table: keyof DB & string,
  rows: T[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const writer = rowWriter(root, trx, table, columns);
  const values = new Array(columns.length);
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) values[i] = row[columns[i]!];
    writer.add(values);
  }
  await writer.end();
}

/**
 * Update many rows, each found by its `keys` columns and set to its other columns (every row has
 * the same columns). On SQLite, one prepared statement reused row by row; on PostgreSQL, one
 * `UPDATE … FROM (VALUES …)` per batch, each value cast to its column's type in `pgTypes`
 * (text when not named).
 */
export async function bulkUpdate(
  root: Kysely<DB>,
  trx: Kysely<DB>,
  table: string,
  keys: string[],
  rows: Record<string, unknown>[],
  pgTypes: Record<string, string> = {},
  batch = 500,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const sets = columns.filter((c) => !keys.includes(c));
  const sqlite = sqliteHandles.get(root);
  if (sqlite) {
    const stmt = sqlite.raw.prepare(
      `update "${table}" set ${sets.map((c) => `"${c}" = ?`).join(", ")} where ${keys.map((k) => `"${k}" = ?`).join(" and ")}`,
    );
    for (const row of rows) stmt.run(...[...sets, ...keys].map((c) => bindable(row[c])));
    return;
  }
  for (let i = 0; i < rows.length; i += batch) {
    const values = sql.join(
      rows
        .slice(i, i + batch)
        .map(
          (row) =>
            sql`(${sql.join(columns.map((c) => sql`${row[c] ?? null}::${sql.raw(pgTypes[c] ?? "text")}`))})`,
        ),
    );
    await sql`update ${sql.table(table)} as t set ${sql.join(sets.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`))}
      from (values ${values}) as v(${sql.join(columns.map((c) => sql.ref(c)))})
      where ${sql.join(
        keys.map((k) => sql`t.${sql.ref(k)} = v.${sql.ref(k)}`),
        sql` and `,
      )}`.execute(trx);
  }
}

/**
 * Run a select and give each row as an array of its column values, in the select's order. On
 * SQLite the rows stream from the raw connection with `setReturnArrays`: no object per row, and
 * no million arrays held at once (a large findings scan reads a million rows; reading them all
 * first spent most of its time collecting garbage). Elsewhere through Kysely.
 */
export async function selectArrays(root: Kysely<DB>, query: Compilable): Promise<Iterable<unknown[]>> {
  const compiled = query.compile();
  const sqlite = sqliteHandles.get(root);
  if (sqlite) {
    const stmt = sqlite.raw.prepare(compiled.sql);
    stmt.setReturnArrays(true);
    return stmt.iterate(...compiled.parameters.map(bindable)) as Iterable<unknown> as Iterable<unknown[]>;
  }
  return (await root.executeQuery(compiled)).rows.map((r) => Object.values(r as Record<string, unknown>));
}
