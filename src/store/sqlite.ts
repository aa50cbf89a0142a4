import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { Worker } from "node:worker_threads";
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

/**
 * The page size of a database Delvia creates, in bytes (SQLite's default is 4 KiB). A grant is
 * about 300 bytes in its table and 500 more in its indexes, and an import's history event lists
 * up to 200 grants: with 16 KiB pages each B-tree has fewer, fuller pages and a quarter of the
 * page headers and WAL frames, so an import of 100,000 grants writes about 20% less and its commit
 * copies less into the WAL. Reads load a whole page; the server keeps its hot pages in its own
 * cache (below). SQLite applies it only when it creates the file: an existing database keeps its
 * page size (changing it takes a VACUUM outside WAL mode).
 */
export const PAGE_SIZE = 16 * 1024;

/** The page cache of the server's connection, in KiB (see the constructor). */
const SERVER_CACHE_KIB = 128 * 1024;

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

/**
 * What one unit of work (an HTTP request) wrote through any connection: the write count (see
 * `NodeSqliteDatabase.flush`) after its last write, or 0. Set as its statements run, so the work
 * can wait for exactly its own writes to be synced (`writesOf`).
 */
export interface WriteScope {
  wrote: number;
}
const writeScopes = new AsyncLocalStorage<WriteScope>();

/** Run `fn`, noting in `scope` the writes its statements make on any SQLite connection. */
export function writesOf<T>(scope: WriteScope, fn: () => T): T {
  return writeScopes.run(scope, fn);
}

/** Statements that may write: everything but a plain SELECT (INSERT … RETURNING reads back too). */
const mayWrite = (sql: string) => !/^\s*select\b/i.test(sql);

class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  readonly #writes: boolean;
  readonly #fresh: () => StatementSync;
  readonly #wrote: () => void;
  constructor(
    stmt: StatementSync,
    reader: boolean,
    writes: boolean,
    fresh: () => StatementSync,
    wrote: () => void,
  ) {
    this.#stmt = stmt;
    this.reader = reader;
    this.#writes = writes;
    this.#fresh = fresh;
    this.#wrote = wrote;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    // A write that returns rows (better-auth inserts users and sessions with RETURNING) comes
    // through here: counted like any other, so `flush` syncs it.
    if (this.#writes) this.#wrote();
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
  /**
   * backgroundCheckpoints: copy the WAL into the database file from a worker thread instead of
   * inside whichever commit crosses SQLite's threshold (1,000 pages), where it would hold the
   * event loop for the copy and two fsyncs: see `Checkpointer`.
   */
  constructor(path: string, options: { backgroundCheckpoints?: boolean } = {}) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#path = path;
    this.raw = new DatabaseSync(path);
    this.raw.exec(`PRAGMA page_size = ${PAGE_SIZE}`);
    for (const [name, value] of REQUIRED_PRAGMAS) this.raw.exec(`PRAGMA ${name} = ${value}`);
    assertPragmas(this.raw, path === ":memory:");
    if (options.backgroundCheckpoints && path !== ":memory:") {
      // The server's connection keeps up to this much of the database in its own memory, taken
      // only as pages are read: every index's upper levels and the hot pages of a large workspace
      // (SQLite's default is 2 MiB). A lookup then reads its leaf page at most, rather than each
      // level of the tree from the operating system, which may have evicted them under memory
      // pressure and must then wait for the disk while the event loop waits too.
      this.raw.exec(`PRAGMA cache_size = ${-SERVER_CACHE_KIB}`);
      this.raw.exec("PRAGMA wal_autocheckpoint = 0");
      this.#checkpointer = new Checkpointer(path, () => this.#written);
    }
  }
  readonly #checkpointer: Checkpointer | null = null;

  /** Checkpoint now (when checkpoints run in the background): how many WAL frames there were and were copied. */
  async checkpoint(): Promise<{ log: number; checkpointed: number } | null> {
    return this.#checkpointer ? this.#checkpointer.run() : null;
  }
  /** Background checkpoints completed so far. */
  get checkpoints(): number {
    return this.#checkpointer?.completed ?? 0;
  }
  /** Stop background checkpoints (before closing). */
  async stopCheckpoints(): Promise<void> {
    await this.#checkpointer?.stop();
  }
  /** Compiled statements by SQL text: Kysely prepares every query anew, and compiling costs. */
  readonly #cache = new Map<string, { stmt: StatementSync; reader: boolean; writes: boolean }>();
  prepare(sql: string): SqliteStatement {
    let hit = this.#cache.get(sql);
    if (hit) {
      // Least recently used last: re-insert.
      this.#cache.delete(sql);
    } else {
      const stmt = this.raw.prepare(sql);
      hit = { stmt, reader: stmt.columns().length > 0, writes: mayWrite(sql) };
      // Schema changes (migrations) compile fresh statements; cache only ordinary work.
      if (this.#cache.size >= STATEMENT_CACHE) this.#cache.delete(this.#cache.keys().next().value!);
    }
    if (!/^\s*(create|drop|alter|pragma|begin|commit|rollback|savepoint|release)\b/i.test(sql))
      this.#cache.set(sql, hit);
    return new Statement(hit.stmt, hit.reader, hit.writes, () => this.raw.prepare(sql), this.#onWrite);
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
    const scope = writeScopes.getStore();
    if (scope) scope.wrote = this.#written;
  };
  /** Syncs of the WAL completed so far. */
  syncs = 0;

  /**
   * Resolve once everything written so far is on stable storage, or with `upTo`, the writes
   * counted up to it (a `WriteScope`'s): a request waits for its own writes, which a sync covers
   * with every commit made before it started, not for those of requests still running beside it.
   */
  async flush(upTo?: number): Promise<void> {
    const need = upTo ?? this.#written;
    while (this.#synced < need) {
      const running = this.#syncing;
      if (running) {
        await running.done;
        continue;
      }
      const covers = this.#written;
      const done = this.#syncFiles().then(() => {
        this.#synced = Math.max(this.#synced, covers);
        this.syncs++;
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
    void this.#checkpointer?.stop();
    if (this.raw.isOpen) this.raw.close();
  }
}

/** How often the background checkpointer looks for new commits. */
const CHECKPOINT_EVERY_MS = 1000;

/**
 * A second connection, in a worker thread, that runs `PRAGMA wal_checkpoint(PASSIVE)` about once a
 * second while there are new commits. PASSIVE copies what no reader still needs and never waits
 * for a lock, so the server's own connection is never blocked by it; SQLite syncs the WAL before
 * the copy and the database file after it, on the worker's thread. The worker starts at the first
 * checkpoint, so a short-lived connection (a CLI command) never starts one; on close the last
 * connection checkpoints whatever is left, as SQLite always does.
 */
class Checkpointer {
  readonly #path: string;
  readonly #written: () => number;
  #worker: Worker | null = null;
  #done: number;
  #running: Promise<{ log: number; checkpointed: number }> | null = null;
  readonly #timer: NodeJS.Timeout;
  constructor(path: string, written: () => number) {
    this.#path = path;
    this.#written = written;
    this.#done = written();
    this.#timer = setInterval(() => {
      if (this.#written() !== this.#done && !this.#running) this.run().catch(() => undefined);
    }, CHECKPOINT_EVERY_MS);
    this.#timer.unref();
  }

  run(): Promise<{ log: number; checkpointed: number }> {
    if (this.#running) return this.#running;
    const covers = this.#written();
    const worker = this.#start();
    const running = new Promise<{ log: number; checkpointed: number }>((resolve, reject) => {
      const failed = (err: Error) => {
        // The worker is gone: the next checkpoint starts a new one.
        if (this.#worker === worker) this.#worker = null;
        reject(err);
      };
      worker.once("error", failed);
      worker.once("message", (m: { log: number; checkpointed: number } | { error: string }) => {
        worker.off("error", failed);
        if ("error" in m) reject(new Error(`SQLite checkpoint failed: ${m.error}`));
        else {
          this.#done = covers;
          this.completed++;
          resolve(m);
        }
      });
      worker.postMessage("checkpoint");
    }).finally(() => {
      this.#running = null;
    });
    this.#running = running;
    return running;
  }

  /** Checkpoints completed by the worker so far. */
  completed = 0;

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
    const worker = this.#worker;
    this.#worker = null;
    if (!worker) return;
    // Its connection closed first, so that the server's connection is the last one and cleans up.
    await new Promise<void>((resolve) => {
      worker.once("message", () => resolve());
      worker.once("error", () => resolve());
      worker.postMessage("close");
    });
    await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(CHECKPOINT_WORKER, { eval: true, workerData: { path: this.#path } });
    worker.unref();
    this.#worker = worker;
    return worker;
  }
}

const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(workerData.path);
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
parentPort.on("message", (m) => {
  if (m === "close") {
    db.close();
    parentPort.postMessage("closed");
    return;
  }
  try {
    const r = checkpoint.get();
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

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
