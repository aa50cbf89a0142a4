import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { NodeSqliteDatabase, PAGE_SIZE, writesOf } from "./sqlite.ts";

const tmp = mkdtempSync(join(tmpdir(), "delvia-sqlite-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const walBytes = (path: string) => statSync(`${path}-wal`).size;
const PAGE = PAGE_SIZE;

/** `rows` single-row transactions of about 2 KB each, through the adapter as Kysely writes. */
function write(db: NodeSqliteDatabase, rows: number, from = 0) {
  for (let i = from; i < from + rows; i++) {
    db.prepare("begin").run([]);
    db.prepare("insert into t (id, body) values (?, ?)").run([i, "x".repeat(2000)]);
    db.prepare("commit").run([]);
  }
}

describe("SQLite checkpoints in the background", () => {
  it("commits never copy the WAL into the database; a worker does, and the WAL is then reused", async () => {
    const path = join(tmp, "checkpoints.db");
    const db = new NodeSqliteDatabase(path, { backgroundCheckpoints: true });
    try {
      expect(db.raw.prepare("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 0 });
      // The server's connection keeps 128 MiB of pages rather than SQLite's 2 MiB.
      expect(db.raw.prepare("PRAGMA cache_size").get()).toEqual({ cache_size: -131072 });
      db.raw.exec("create table t (id integer primary key, body text)");
      // 3,000 commits of ~2 KB: SQLite on its own would checkpoint inside a commit past 1,000 pages
      // and reuse the WAL from its start, so it would never grow past ~1,000 pages.
      write(db, 3000);
      expect(walBytes(path)).toBeGreaterThan(1400 * PAGE);
      const r = await db.checkpoint();
      expect(r).not.toBeNull();
      expect(r!.log).toBeGreaterThan(1400);
      expect(r!.checkpointed).toBe(r!.log);
      // Everything was copied: the next commits start the WAL over instead of growing it.
      const size = walBytes(path);
      write(db, 1000, 3000);
      expect(walBytes(path)).toBe(size);
      // The worker also runs by itself once there are new commits.
      const done = db.checkpoints;
      write(db, 10, 4000);
      while (db.checkpoints === done) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await db.stopCheckpoints();
      db.close();
    }
    // Nothing lost, and the last connection (the server's) cleaned up its WAL as usual.
    const again = new NodeSqliteDatabase(path);
    try {
      expect(again.raw.prepare("select count(*) as n from t").get()).toEqual({ n: 4010 });
      expect(again.raw.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    } finally {
      again.close();
    }
  });

  it("leaves checkpoints to SQLite when not asked to", async () => {
    const path = join(tmp, "plain.db");
    const db = new NodeSqliteDatabase(path);
    try {
      expect(db.raw.prepare("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 1000 });
      expect(await db.checkpoint()).toBeNull();
      db.raw.exec("create table t (id integer primary key, body text)");
      write(db, 3000);
      expect(walBytes(path)).toBeLessThan(1400 * PAGE);
    } finally {
      db.close();
    }
  });
});

describe("SQLite page size", () => {
  it("a new database gets 16 KiB pages; one made with another size keeps it and works as before", () => {
    const fresh = join(tmp, "fresh.db");
    const db = new NodeSqliteDatabase(fresh);
    try {
      db.raw.exec("create table t (id integer primary key, body text)");
      expect(db.raw.prepare("PRAGMA page_size").get()).toEqual({ page_size: 16384 });
    } finally {
      db.close();
    }
    // A database created before, with SQLite's default of 4 KiB.
    const older = join(tmp, "older.db");
    const plain = new DatabaseSync(older);
    plain.exec("PRAGMA journal_mode = WAL; create table t (id integer primary key, body text)");
    plain.prepare("insert into t (id, body) values (1, 'kept')").run();
    plain.close();
    const reopened = new NodeSqliteDatabase(older);
    try {
      expect(reopened.raw.prepare("PRAGMA page_size").get()).toEqual({ page_size: 4096 });
      write(reopened, 10, 2);
      expect(reopened.raw.prepare("select count(*) as n from t").get()).toEqual({ n: 11 });
      expect(reopened.raw.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    } finally {
      reopened.close();
    }
  });
});

describe("SQLite durability: what flush waits for", () => {
  it("syncs writes that return rows; a scope notes its own writes and not its reads", async () => {
    const path = join(tmp, "flush.db");
    const db = new NodeSqliteDatabase(path);
    try {
      db.raw.exec("create table t (id integer primary key, body text)");
      await db.flush();
      const synced = db.syncs;
      // Nothing written since: nothing to sync.
      await db.flush();
      expect(db.syncs).toBe(synced);
      // INSERT … RETURNING (how better-auth creates sessions and users) runs through `all`.
      const insert = db.prepare("insert into t (id, body) values (?, ?) returning id");
      expect(insert.reader).toBe(true);
      const scope = { wrote: 0 };
      await writesOf(scope, async () => {
        await Promise.resolve();
        expect(insert.all([1, "a"])).toEqual([{ id: 1 }]);
      });
      expect(scope.wrote).toBeGreaterThan(0);
      await db.flush(scope.wrote);
      expect(db.syncs).toBe(synced + 1);
      // Reads in a scope write nothing, and a flush up to nothing waits for no sync.
      const reads = { wrote: 0 };
      await writesOf(reads, async () => {
        await Promise.resolve();
        expect(db.prepare("select count(*) as n from t").all([])).toEqual([{ n: 1 }]);
      });
      expect(reads.wrote).toBe(0);
      db.prepare("insert into t (id, body) values (?, ?)").run([2, "b"]);
      await db.flush(reads.wrote);
      expect(db.syncs).toBe(synced + 1);
      // Everything written so far, the plain insert outside any scope included.
      await db.flush();
      expect(db.syncs).toBe(synced + 2);
    } finally {
      db.close();
    }
  });
});
