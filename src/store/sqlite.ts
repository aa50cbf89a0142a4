import { mkdirSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** PRAGMAs Delvia requires, with the value each must read back as. */
const REQUIRED_PRAGMAS = [
  // WAL lets readers run beside the single writer.
  ["journal_mode", "WAL", "wal"],
  ["foreign_keys", "ON", 1],
  // In WAL mode NORMAL commits without syncing (the database stays consistent; only the last
  // commits can be lost on power loss). Delvia syncs the WAL itself, off the event loop, before
  // any write is acknowledged: see `flush` and docs/decisions/0002-wal-sync-off-the-event-loop.md.
  ["synchronous", "NORMAL", 1],
  ["busy_timeout", "5000", 5000],
] as const;

/** How many compiled statements a connection keeps. */
const STATEMENT_CACHE = 500;

/** node:sqlite binds only strings, numbers, bigints, null and bytes: map the rest. */
export function bindable(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return value;
  if (value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  readonly #fresh: () => StatementSync;
  readonly #wrote: () => void;
  constructor(stmt: StatementSync, reader: boolean, fresh: () => StatementSync, wrote: () => void) {
    this.#stmt = stmt;
    this.reader = reader;
    this.#fresh = fresh;
    this.#wrote = wrote;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#stmt.all(...parameters.map(bindable));
  }
  run(parameters: ReadonlyArray<unknown>) {
    this.#wrote();
    const r = this.#stmt.run(...parameters.map(bindable));
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    // A stream stays open across awaits: give it a statement of its own, not the shared one.
    return this.#fresh().iterate(...parameters.map(bindable));
  }
}

/**
 * Kysely's SqliteDialect drives any database with `prepare` and `close`; this adapts Node's
 * built-in `node:sqlite`, whose statements take spread parameters and report `columns()`.
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly raw: DatabaseSync;
  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#path = path;
    this.raw = new DatabaseSync(path);
    for (const [name, value] of REQUIRED_PRAGMAS) this.raw.exec(`PRAGMA ${name} = ${value}`);
    assertPragmas(this.raw, path === ":memory:");
  }
  /** Compiled statements by SQL text: Kysely prepares every query anew, and compiling costs. */
  readonly #cache = new Map<string, { stmt: StatementSync; reader: boolean }>();
  prepare(sql: string): SqliteStatement {
    let hit = this.#cache.get(sql);
    if (hit) {
      // Least recently used last: re-insert.
      this.#cache.delete(sql);
    } else {
      const stmt = this.raw.prepare(sql);
      hit = { stmt, reader: stmt.columns().length > 0 };
      // Schema changes (migrations) compile fresh statements; cache only ordinary work.
      if (this.#cache.size >= STATEMENT_CACHE) this.#cache.delete(this.#cache.keys().next().value!);
    }
    if (!/^\s*(create|drop|alter|pragma|begin|commit|rollback|savepoint|release)\b/i.test(sql))
      this.#cache.set(sql, hit);
    return new Statement(hit.stmt, hit.reader, () => this.raw.prepare(sql), this.#onWrite);
  }

  // ── Durability ──────────────────────────────────────────────────────────────
  // Statements that may have written (every `run`: inserts, updates, commits) are counted; `flush`
  // returns once an fsync of the WAL that started after the count it saw has completed. The sync
  // runs on libuv's thread pool, so the event loop keeps serving reads meanwhile, and one sync
  // covers every commit made before it started.
  #written = 0;
  #synced = 0;
  #syncing: { covers: number; done: Promise<void> } | null = null;
  #dirSynced = false;
  readonly #path: string;
  /** The database file (or ":memory:"). */
  get path(): string {
    return this.#path;
  }
  readonly #onWrite = () => {
    this.#written++;
  };

  /** Resolve once everything written so far is on stable storage. */
  async flush(): Promise<void> {
    const need = this.#written;
    while (this.#synced < need) {
      const running = this.#syncing;
      if (running) {
        await running.done;
        continue;
      }
      const covers = this.#written;
      const done = this.#syncFiles().then(() => {
        this.#synced = Math.max(this.#synced, covers);
      });
      const mine = { covers, done };
      this.#syncing = mine;
      try {
        await done;
      } finally {
        if (this.#syncing === mine) this.#syncing = null;
      }
    }
  }

  async #syncFiles(): Promise<void> {
    if (this.#path === ":memory:") return;
    // Opened afresh each time: SQLite may truncate or, when its last connection closes,
    // delete and recreate the WAL; a kept descriptor could end up syncing a dead file.
    for (const file of [`${this.#path}-wal`, ...(this.#dirSynced ? [] : [dirname(this.#path)])]) {
      let handle: FileHandle;
      try {
        handle = await open(file, "r");
      } catch (err) {
        // No WAL: every commit is already checkpointed into the database file, which SQLite
        // syncs at each checkpoint.
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw err;
      }
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    // The directory entry of the WAL file, once per process.
    this.#dirSynced = true;
  }
  close(): void {
    if (this.raw.isOpen) this.raw.close();
  }
}

/** Fail start-up rather than run with weaker durability than promised. */
export function assertPragmas(db: DatabaseSync, inMemory: boolean): void {
  for (const [name, , expected] of REQUIRED_PRAGMAS) {
    if (name === "journal_mode" && inMemory) continue; // in-memory databases have no WAL
    const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
    const actual = row ? Object.values(row)[0] : undefined;
    const same =
      typeof expected === "string" ? String(actual).toLowerCase() === expected : Number(actual) === expected;
    if (!same)
      throw new Error(`SQLite PRAGMA ${name} is ${String(actual)}, expected ${expected}: refusing to start.`);
  }
}
