/**
 * Crash safety: the real `delvia serve` is SIGKILLed mid-write, again and again, and restarted on
 * the same database. Every write the client saw acknowledged (a full 2xx body) must survive;
 * writes in flight may land or not, but nothing that was never sent may appear, the database must
 * pass its integrity check and the history chain must verify. A second test counts fsyncs with
 * strace: at least one per acknowledged transaction on SQLite.
 *
 * Replay a run with DELVIA_CRASH_SEED=<seed> (printed at the start).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../src/store/schema.ts";
import {
  api,
  crash,
  createWorkspace,
  type Fixture,
  freePort,
  grantBody,
  killGroup,
  mulberry32,
  type Proc,
  personBody,
  pgClient,
  readOnlySqlite,
  readWorkspaces,
  type Snapshot,
  signUp,
  sleep,
  spawnServer,
  straceUsable,
  withDatabase,
} from "./crash-helpers.ts";

const SEED = Number(process.env.DELVIA_CRASH_SEED ?? 0x5eed_c4a5);
const WRITERS = 8;
const SQLITE_ROUNDS = Number(process.env.DELVIA_CRASH_ROUNDS ?? 50);
const PG_ROUNDS = Number(process.env.DELVIA_CRASH_PG_ROUNDS ?? 50);
const PG_URL = process.env.DELVIA_TEST_DATABASE_URL || undefined;

type Kind = "grant" | "person";

interface Backend {
  name: string;
  databaseUrl: string;
  rounds: number;
  /** How many workspaces the writers share out: one, so all writers extend one history chain. */
  workspaces: number;
  /** Read the database as the crash left it (before the restart). */
  inspect(workspaceIds: string[]): Promise<Snapshot>;
}

interface Totals {
  rounds: number;
  acknowledged: number;
  inFlightKept: number;
  inFlightLost: number;
  /** Rounds where the kill landed while at least one write was in flight. */
  killedMidWrite: number;
  historyEvents: number;
  ms: number;
}

/** Everything the client ever sent, and what it learned about each write. */
interface Ledger {
  kind: Map<string, Kind>;
  acked: Set<string>;
  rejected: Map<string, string>;
  /** In-flight writes, once a crash settled them: kept (committed) or lost. */
  kept: Set<string>;
  lost: Set<string>;
}

async function crashRounds(backend: Backend, seed: number): Promise<Totals> {
  const started = Date.now();
  const rng = mulberry32(seed);
  const dataDir = mkdtempSync(join(tmpdir(), "delvia-crash-"));
  const settings = { port: await freePort(), dataDir, databaseUrl: backend.databaseUrl };
  const ledger: Ledger = {
    kind: new Map(),
    acked: new Set(),
    rejected: new Map(),
    kept: new Set(),
    lost: new Set(),
  };
  const totals: Totals = {
    rounds: 0,
    acknowledged: 0,
    inFlightKept: 0,
    inFlightLost: 0,
    killedMidWrite: 0,
    historyEvents: 0,
    ms: 0,
  };
  let server: Proc = await spawnServer(settings);
  try {
    const session = await signUp(server.url);
    const workspaces: Fixture[] = [];
    for (let i = 1; i <= backend.workspaces; i++)
      workspaces.push(await createWorkspace(session, `Crash ${i}`));
    const ids = workspaces.map((w) => w.workspaceId);
    for (let round = 1; round <= backend.rounds; round++) {
      const delay = 20 + Math.floor(rng() * 380);
      const where = `${backend.name} seed ${seed} round ${round} (kill after ${delay} ms)`;
      const inFlight = new Set<string>();
      let stopped = false;
      const writer = async (w: number) => {
        const kind: Kind = w % 2 === 0 ? "grant" : "person";
        const f = workspaces[w % workspaces.length]!;
        const path = `/api/v1/workspaces/${f.workspaceId}/${kind === "grant" ? "grants" : "people"}`;
        for (let n = 0; !stopped; n++) {
          const marker = `w-${round}-${w}-${n}`;
          ledger.kind.set(marker, kind);
          inFlight.add(marker);
          let res: Response;
          let text: string;
          try {
            res = await fetch(`${server.url}${path}`, {
              method: "POST",
              headers: { origin: server.url, cookie: session.cookie, "content-type": "application/json" },
              body: JSON.stringify(kind === "grant" ? grantBody(f, marker) : personBody(f, marker)),
            });
            text = await res.text(); // acknowledged only once the whole body has arrived
          } catch {
            return; // the server died under this request: it stays in flight
          }
          inFlight.delete(marker);
          if (!res.ok) {
            ledger.rejected.set(marker, `${res.status} ${text}`);
            continue;
          }
          const body = JSON.parse(text) as { reason?: string; name?: string };
          if ((kind === "grant" ? body.reason : body.name) !== marker)
            ledger.rejected.set(marker, `answered for another write: ${text}`);
          else ledger.acked.add(marker);
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      await sleep(delay);
      stopped = true;
      if (inFlight.size > 0) totals.killedMidWrite++;
      await crash(server);
      await Promise.all(writers);

      const seen = await backend.inspect(ids);
      const present = (m: string) => (ledger.kind.get(m) === "grant" ? seen.grants : seen.people).has(m);
      const check = (what: string, markers: string[]) =>
        expect(markers.slice(0, 20), `${what} after ${where} (${markers.length} in all)`).toEqual([]);
      check(
        "acknowledged writes missing",
        [...ledger.acked].filter((m) => !present(m)),
      );
      check(
        "markers that were never sent",
        [...seen.grants.keys(), ...seen.people.keys()].filter((m) => !ledger.kind.has(m)),
      );
      check("markers stored as the wrong kind", [
        ...[...seen.grants.keys()].filter((m) => ledger.kind.get(m) !== "grant"),
        ...[...seen.people.keys()].filter((m) => ledger.kind.get(m) !== "person"),
      ]);
      check("markers stored twice", seen.duplicates);
      check("refused writes stored", [...ledger.rejected.keys()].filter(present));
      check(
        "earlier in-flight writes that vanished",
        [...ledger.kept].filter((m) => !present(m)),
      );
      check("earlier lost writes that reappeared", [...ledger.lost].filter(present));
      check(
        "rows without their history event",
        [...seen.grants.values(), ...seen.people.values()].filter((id) => !seen.createdInHistory.has(id)),
      );
      expect(seen.integrity, `integrity check after ${where}`).toBe("ok");
      expect(seen.history, `history chain after ${where}`).toMatchObject({ ok: true });
      for (const m of inFlight) {
        if (present(m)) {
          ledger.kept.add(m);
          totals.inFlightKept++;
        } else {
          ledger.lost.add(m);
          totals.inFlightLost++;
        }
      }
      totals.historyEvents = seen.history.events;

      // The restarted server comes up on the same database and serves exactly what it holds.
      server = await spawnServer(settings);
      const s = { url: server.url, cookie: session.cookie };
      const viaApi = { grants: [] as string[], people: [] as string[] };
      for (const id of ids) {
        const grants = (await api(s, "GET", `/api/v1/workspaces/${id}/grants`)).grants as {
          reason: string | null;
        }[];
        const people = (await api(s, "GET", `/api/v1/workspaces/${id}/people`)).people as { name: string }[];
        viaApi.grants.push(...grants.map((g) => g.reason ?? "").filter((r) => r.startsWith("w-")));
        viaApi.people.push(...people.map((p) => p.name).filter((n) => n.startsWith("w-")));
      }
      expect(viaApi.grants.sort(), `grants through the API after restart, ${where}`).toEqual(
        [...seen.grants.keys()].sort(),
      );
      expect(viaApi.people.sort(), `people through the API after restart, ${where}`).toEqual(
        [...seen.people.keys()].sort(),
      );
      totals.rounds = round;
    }
    expect([...ledger.rejected].slice(0, 3), `writes refused (${ledger.rejected.size} in all)`).toEqual([]);
    totals.acknowledged = ledger.acked.size;
    totals.ms = Date.now() - started;
    return totals;
  } catch (err) {
    const log = server.log().slice(-4000);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- server log (end) ---\n${log}`, {
      cause: err,
    });
  } finally {
    killGroup(server, "SIGKILL");
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function summary(backend: string, t: Totals): string {
  return (
    `crash (${backend}, seed ${SEED}): ${t.rounds} rounds, ${t.acknowledged} acknowledged writes, all present, ` +
    `${t.inFlightLost}/${t.inFlightKept} in-flight lost/kept, integrity ok, history chain ok ` +
    `(${t.historyEvents} events); killed mid-write in ${t.killedMidWrite}/${t.rounds} rounds; ${(t.ms / 1000).toFixed(1)} s`
  );
}

describe("crash safety: SIGKILL mid-write, restart, nothing acknowledged is lost", () => {
  beforeAll(() => console.log(`crash: seed ${SEED} (replay with DELVIA_CRASH_SEED=${SEED})`));

  it("SQLite", { timeout: 420_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "delvia-crash-db-"));
    const file = join(dir, "delvia.db");
    try {
      const totals = await crashRounds(
        {
          name: "SQLite",
          databaseUrl: file,
          rounds: SQLITE_ROUNDS,
          workspaces: 1,
          inspect: async (workspaceIds) => {
            // Opened read-only straight after the kill, before a restart can recover anything.
            const { raw, db } = readOnlySqlite(file);
            try {
              const integrity = (raw.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[])
                .map((r) => r.integrity_check)
                .join("; ");
              const fk = raw.prepare("PRAGMA foreign_key_check").all();
              return {
                ...(await readWorkspaces(db, workspaceIds)),
                integrity: fk.length === 0 ? integrity : `${integrity}; foreign keys: ${JSON.stringify(fk)}`,
              };
            } finally {
              await db.destroy();
            }
          },
        },
        SEED,
      );
      console.log(summary("SQLite", totals));
      expect(totals.acknowledged).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("PostgreSQL", { timeout: 400_000 }, async (ctx) => {
    if (!PG_URL) {
      console.log("crash (PostgreSQL): skipped, DELVIA_TEST_DATABASE_URL is not set");
      return ctx.skip("DELVIA_TEST_DATABASE_URL is not set");
    }
    // The server has no schema setting: it gets a database of its own, dropped at the end.
    // All writers share one workspace, as on SQLite: concurrent appends to one history chain
    // serialise on the workspace row (FOR NO KEY UPDATE) without deadlocking.
    const name = `crash_${SEED.toString(16)}_${process.pid}_${Date.now().toString(36)}`;
    const admin = await pgClient(PG_URL);
    await admin.query(`create database "${name}"`);
    const url = withDatabase(PG_URL, name);
    const inspector = "delvia-crash-inspect";
    const pool = new pg.Pool({ connectionString: url, max: 2, application_name: inspector });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    let amcheck: boolean | undefined;
    try {
      const totals = await crashRounds(
        {
          name: "PostgreSQL",
          databaseUrl: url,
          rounds: PG_ROUNDS,
          workspaces: 1,
          inspect: async (workspaceIds) => {
            // A COMMIT the killed server had already sent still lands: its PostgreSQL session
            // finishes the statement before it notices the client is gone. Read once every
            // session of the killed server has ended, so what is read is final.
            for (let i = 0; ; i++) {
              const r = await admin.query(
                "select count(*)::int as n from pg_stat_activity where datname = $1 and application_name <> $2",
                [name, inspector],
              );
              if (r.rows[0].n === 0) break;
              if (i === 200)
                throw new Error(`the killed server's PostgreSQL sessions did not end: ${r.rows[0].n}`);
              await sleep(50);
            }
            if (amcheck === undefined) {
              try {
                await sql`create extension if not exists amcheck`.execute(db);
                amcheck = true;
              } catch {
                amcheck = false;
              }
            }
            let integrity = "ok";
            if (amcheck) {
              // Every B-tree index agrees with its table (heapallindexed): PostgreSQL's integrity check.
              const indexes = await sql<{ oid: number; name: string }>`
                select c.oid, c.relname as name from pg_index i
                join pg_class c on c.oid = i.indexrelid
                join pg_am a on a.oid = c.relam
                join pg_namespace n on n.oid = c.relnamespace
                where a.amname = 'btree' and n.nspname = 'public' and c.relpersistence <> 't'`.execute(db);
              for (const ix of indexes.rows) {
                try {
                  await sql`select bt_index_check(${ix.oid}::regclass, true)`.execute(db);
                } catch (err) {
                  integrity = `index ${ix.name}: ${(err as Error).message}`;
                }
              }
            }
            return { ...(await readWorkspaces(db, workspaceIds)), integrity };
          },
        },
        SEED,
      );
      console.log(
        `${summary("PostgreSQL", totals)}${amcheck ? " (amcheck on every B-tree index)" : " (amcheck unavailable: indexes not checked)"}`,
      );
      expect(totals.acknowledged).toBeGreaterThan(0);
    } finally {
      await db.destroy();
      // Let the killed servers' sessions go before dropping (FORCE would end our own pool's too).
      for (let i = 0; i < 50; i++) {
        const r = await admin.query("select count(*)::int as n from pg_stat_activity where datname = $1", [
          name,
        ]);
        if (r.rows[0].n === 0) break;
        await sleep(100);
      }
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});

describe("durability: fsync before the acknowledgement", () => {
  it("SQLite syncs at least once per acknowledged transaction (strace)", {
    timeout: 120_000,
  }, async (ctx) => {
    const usable = straceUsable();
    if (!usable.ok) {
      console.log(`fsync: skipped, ${usable.why}`);
      return ctx.skip(usable.why);
    }
    const K = 50;
    const dir = mkdtempSync(join(tmpdir(), "delvia-fsync-"));
    const trace = join(dir, "strace.txt");
    const settings = {
      port: await freePort(),
      dataDir: dir,
      databaseUrl: join(dir, "delvia.db"),
      wrap: ["/usr/bin/strace", "-f", "-ttt", "-y", "-e", "trace=fsync,fdatasync", "-o", trace],
    };
    const server = await spawnServer(settings, 60_000);
    try {
      const s = await signUp(server.url);
      const f = await createWorkspace(s, "Fsync");
      const base = `/api/v1/workspaces/${f.workspaceId}`;
      const windows: [number, number][] = [];
      for (let i = 0; i < K; i++) {
        const start = Date.now();
        const g = await api(s, "POST", `${base}/grants`, grantBody(f, `fsync-${i}`));
        expect(g.reason).toBe(`fsync-${i}`);
        windows.push([start, Date.now() + 1]);
      }
      // A clean stop lets strace flush its output.
      killGroup(server, "SIGTERM");
      await server.exited;
      await sleep(200);
      const calls = readFileSync(trace, "utf8")
        .split("\n")
        .map((line) => /^\d+\s+(\d+\.\d+)\s+(fsync|fdatasync)\((\d+)(<[^>]*>)?/.exec(line))
        .filter((m) => m !== null)
        .map((m) => ({ at: Number(m[1]) * 1000, call: m[2]!, file: (m[4] ?? `<fd ${m[3]}>`).slice(1, -1) }));
      const [from, to] = [windows[0]![0], windows.at(-1)![1]];
      const during = calls.filter((c) => c.at >= from && c.at <= to);
      const byFile = new Map<string, number>();
      for (const c of during) {
        const key = `${c.call} ${c.file.replace(dir, "<dir>")}`;
        byFile.set(key, (byFile.get(key) ?? 0) + 1);
      }
      const unsynced = windows.filter(([a, b]) => !calls.some((c) => c.at >= a && c.at <= b)).length;
      console.log(
        `fsync: ${during.length} fsync/fdatasync calls during ${K} acknowledged writes ` +
          `(${(during.length / K).toFixed(2)} per write; ${calls.length} in the whole run); ` +
          `${K - unsynced}/${K} writes saw a sync between request and acknowledgement; ` +
          [...byFile].map(([k, n]) => `${k}: ${n}`).join(", "),
      );
      expect(during.length).toBeGreaterThanOrEqual(K);
      expect(unsynced).toBe(0);
    } finally {
      killGroup(server, "SIGKILL");
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
