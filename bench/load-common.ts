/**
 * Shared code of the load and soak benchmarks: seed a workspace of N grants straight through the
 * store, start the real `delvia serve` as a child process on loopback against that database, sign
 * in, and drive a weighted mix of reads and writes with autocannon at a fixed overall rate.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { hashPassword } from "better-auth/crypto";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { sheetCatalog } from "../src/core/catalog/sheet-catalog.ts";
import { checkAccessSheet } from "../src/core/record/access-sheet.ts";
import { parseCsv } from "../src/server/import-export.ts";
import { openDatabase } from "../src/store/database.ts";
import { importSheet } from "../src/store/import-sheet.ts";
import { migrateToLatest } from "../src/store/migrate.ts";
import type { DB } from "../src/store/schema.ts";
import { createWorkspace } from "../src/store/workspaces.ts";
import { rng } from "./synthetic.ts";

export type Kind = "sqlite" | "postgres";

const EMAIL = "load@bench.test";
const PASSWORD = "correct horse battery staple";
const CHUNK = 100_000;

// ---------------------------------------------------------------------------------------------
// Arguments and output

/**
 * `[grants] [--minutes N] [--no-findings] [--db sqlite|postgres]`: the first bare number is the
 * number of grants; --no-findings drops the findings share from the mix (the other weights keep
 * their ratios); databases: SQLite, and PostgreSQL too when DELVIA_TEST_DATABASE_URL is set.
 */
export function parseArgs(argv: string[], defaults: { grants: number; minutes?: number }) {
  let grants = defaults.grants;
  let minutes = defaults.minutes ?? 0;
  let findings = true;
  let kinds: Kind[] = process.env.DELVIA_TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--no-findings") findings = false;
    else if (a === "--db") {
      const k = argv[++i];
      if (k !== "sqlite" && k !== "postgres") throw new Error("--db takes sqlite or postgres");
      if (k === "postgres" && !process.env.DELVIA_TEST_DATABASE_URL)
        throw new Error("--db postgres needs DELVIA_TEST_DATABASE_URL");
      kinds = [k];
    } else if (a === "--minutes") minutes = Number(argv[++i]);
    else if (a.startsWith("--minutes=")) minutes = Number(a.slice("--minutes=".length));
    else if (/^\d[\d_]*$/.test(a)) grants = Number(a.replaceAll("_", ""));
    else throw new Error(`Unknown argument ${a}: give a number of grants, --minutes N, --no-findings, --db`);
  }
  if (!(grants >= 1000)) throw new Error("The number of grants must be at least 1000.");
  if (!(minutes > 0) && defaults.minutes !== undefined) throw new Error("--minutes must be positive.");
  if (!findings)
    MIX.splice(
      MIX.findIndex((m) => m.kind === "findings"),
      1,
    );
  return { grants, minutes, findings, kinds };
}

export function printTable(header: string[], rows: string[][]): void {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (x ?? "").padStart(w[i]!)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const ms = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`;
export const n = (x: number) => x.toLocaleString("en");
export const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** Stop servers and remove databases on Ctrl-C too, not only in `finally`. */
const onInterrupt = new Set<() => Promise<void>>();
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, async () => {
    log(`${signal}: stopping the server and removing the bench's files`);
    for (const f of [...onInterrupt].reverse()) await f().catch(() => {});
    process.exit(130);
  });

// ---------------------------------------------------------------------------------------------
// Seeding

/**
 * An agency's access sheet, generated in chunks: clients' TikTok Business Centers with eight ad
 * accounts each, agency people assigned to them (one row per grant, no repeats across chunks).
 */
function* sheetChunks(total: number): Generator<string> {
  const r = rng(7);
  const clients = Math.max(5, Math.round(total / 200));
  // About 40 grants a person: 25,000 people at 1M. (Above 32,766 people, listing people on
  // SQLite fails with "too many SQL variables", so GET /findings and GET /people answer 500.)
  const people = Math.max(20, Math.round(total / 40));
  const seen = new Set<number>();
  const roles = ["Admin", "Operator", "Analyst"];
  let made = 0;
  let i = 0;
  while (made < total) {
    const lines = [
      "platform,account,account_id,account_org,asset,asset_type,asset_id,subject,subject_type,email,subject_org,role,status,granted_on",
    ];
    const end = Math.min(total, made + CHUNK);
    while (made < end) {
      const c = Math.floor(r() * clients);
      const p = Math.floor(r() * people);
      const asset = Math.floor(r() * 8);
      const key = (c * 8 + asset) * people + p; // < 2^53 for any size we run
      i++;
      if (seen.has(key)) continue;
      seen.add(key);
      made++;
      lines.push(
        `tiktok,Client ${c} BC,${7_000_000 + c},Client ${c},Client ${c} ads ${asset},ad_account,${9_000_000 + c * 10 + asset},Person ${p},person,p${p}@agency.test,Agency,${roles[i % 3]},active,2026-0${1 + (i % 9)}-15`,
      );
    }
    yield `${lines.join("\n")}\n`;
  }
}

/** IDs the request mix picks from at random. */
export interface Ids {
  workspaceId: string;
  accounts: string[];
  assets: { id: string; accountId: string }[];
  people: string[];
  grants: string[];
}

export interface Backend {
  kind: Kind;
  /** What the server gets as DELVIA_DATABASE_URL. */
  databaseUrl: string;
  dataDir: string;
  ids: Ids;
  seedSeconds: number;
  cleanup(): Promise<void>;
}

/** Fills a fresh workspace with about `grants` grants, logging its progress. */
export type Fill = (db: Kysely<DB>, workspaceId: string, grants: number, t0: number) => Promise<void>;

/** The agency access sheet of `sheetChunks`, imported through the store 100,000 rows at a time. */
const importSheetChunks: Fill = async (db, workspaceId, grants, t0) => {
  let done = 0;
  for (const text of sheetChunks(grants)) {
    const { header, rows } = parseCsv(text);
    const checked = checkAccessSheet(header, rows, sheetCatalog);
    if (checked.problems.length) throw new Error(JSON.stringify(checked.problems.slice(0, 3)));
    await importSheet(
      db,
      { workspaceId, actor: { userId: null, label: "load bench" }, now: new Date() },
      checked.rows,
    );
    done += checked.rows.length;
    log(`seeded ${n(done)} / ${n(grants)} grants (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
};

/**
 * A fresh database (SQLite file, or a PostgreSQL database of its own) holding `grants` grants:
 * the agency sheet imported through the store, or what `fill` writes.
 */
export async function seed(kind: Kind, grants: number, fill: Fill = importSheetChunks): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), "delvia-load-"));
  let databaseUrl = join(dataDir, "delvia.db");
  let dropDatabase = async () => {};
  if (kind === "postgres") {
    const base = process.env.DELVIA_TEST_DATABASE_URL;
    if (!base) throw new Error("DELVIA_TEST_DATABASE_URL is not set");
    // The server has no setting for a schema, so the bench gets a database of its own.
    const name = `delvia_load_${Date.now()}`;
    await adminQuery(base, `create database "${name}"`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDatabase = () => adminQuery(base, `drop database if exists "${name}" with (force)`);
  }
  const cleanup = async () => {
    onInterrupt.delete(cleanup);
    rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase();
  };
  onInterrupt.add(cleanup);
  // DELVIA_BENCH_CACHE=DIR keeps each seeded SQLite file there and copies it for later runs.
  const cache = kind === "sqlite" ? process.env.DELVIA_BENCH_CACHE : undefined;
  // Named by what fills it too: bench:account-page seeds another workspace than bench:load.
  const cached = cache && join(cache, `seed-${fill.name}-${grants}.db`);
  if (cached && existsSync(cached) && existsSync(`${cached}.json`)) {
    const t0 = performance.now();
    copyFileSync(cached, databaseUrl);
    // On disk before the server starts: otherwise the kernel writes the copy's gigabytes back while
    // the benchmark runs, and the server's WAL syncs and checkpoints queue behind them.
    const fd = openSync(databaseUrl, "r+");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const ids = JSON.parse(readFileSync(`${cached}.json`, "utf8")) as Ids;
    log(`${kind}: copied the seeded database from ${cached}`);
    return { kind, databaseUrl, dataDir, ids, seedSeconds: (performance.now() - t0) / 1000, cleanup };
  }
  try {
    const t0 = performance.now();
    const database = openDatabase(
      kind === "sqlite" ? { kind: "sqlite", path: databaseUrl } : { kind: "postgres", url: databaseUrl },
    );
    let ids: Ids;
    try {
      await migrateToLatest(database.db);
      const workspaceId = await owner(database.db);
      await fill(database.db, workspaceId, grants, t0);
      // What autovacuum does within a minute of the seed, before the first request is timed.
      if (kind === "postgres") await sql`analyze`.execute(database.db);
      ids = await pickIds(database.db, workspaceId);
    } finally {
      await database.close();
    }
    if (cached) {
      mkdirSync(cache, { recursive: true });
      copyFileSync(databaseUrl, cached);
      writeFileSync(`${cached}.json`, JSON.stringify(ids));
    }
    return { kind, databaseUrl, dataDir, ids, seedSeconds: (performance.now() - t0) / 1000, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A user with a real (scrypt) password who owns the workspace; returns the workspace ID. */
async function owner(db: Kysely<DB>): Promise<string> {
  const at = new Date().toISOString();
  const userId = "00000000-0000-7000-8000-0000000010ad";
  await db
    .insertInto("user")
    .values({
      id: userId,
      email: EMAIL,
      name: "Load bench",
      emailVerified: true,
      image: null,
      twoFactorEnabled: false,
      createdAt: at,
      updatedAt: at,
    })
    .execute();
  // biome-ignore lint/suspicious/noExplicitAny: better-auth's table, not in Delvia's schema type
  await (db as Kysely<any>)
    .insertInto("account")
    .values({
      id: "00000000-0000-7000-8000-0000000acc71",
      accountId: userId,
      providerId: "credential",
      userId,
      password: await hashPassword(PASSWORD),
      createdAt: at,
      updatedAt: at,
    })
    .execute();
  const ws = await createWorkspace(db, { name: "Load", slug: "load", ownerUserId: userId, now: new Date() });
  return ws.id;
}

async function pickIds(db: Kysely<DB>, workspaceId: string): Promise<Ids> {
  const accounts = await db
    .selectFrom("platform_account")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .execute();
  const assets = await db
    .selectFrom("platform_asset")
    .select(["id", "account_id"])
    .where("workspace_id", "=", workspaceId)
    .execute();
  const people = await db.selectFrom("person").select("id").where("workspace_id", "=", workspaceId).execute();
  const grants = await db
    .selectFrom("access_grant")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .orderBy(sql`random()`)
    .limit(20_000)
    .execute();
  return {
    workspaceId,
    accounts: accounts.map((a) => a.id),
    assets: assets.map((a) => ({ id: a.id, accountId: a.account_id })),
    people: people.map((p) => p.id),
    grants: grants.map((g) => g.id),
  };
}

// ---------------------------------------------------------------------------------------------
// The server

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export interface Memory {
  rss: number;
  heapUsed: number;
  /** V8 heap used as the last major (mark-compact) collection left it: the live heap, without garbage. */
  heapAfterGc: number;
  heapTotal: number;
  external: number;
}

export interface Server {
  url: string;
  pid: number;
  startSeconds: number;
  /** RSS from /proc/<pid>/status (VmRSS) and the V8 heap, asked of the child over IPC. */
  memory(): Promise<Memory>;
  /** The last lines the server wrote (warnings and errors only). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Loaded into the server with --import: answers "mem" over the IPC channel with
 * process.memoryUsage() and the heap used after the last major collection (noted by a "gc"
 * performance observer; heap used at any other moment includes garbage not yet collected). The
 * channel is unref'd so it never keeps the server alive.
 */
const MEMORY_PROBE = `data:text/javascript,${encodeURIComponent(
  [
    'import { PerformanceObserver, constants } from "node:perf_hooks";',
    "let live = Number.NaN;",
    "new PerformanceObserver((list) => {",
    "  for (const e of list.getEntries())",
    "    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) live = process.memoryUsage().heapUsed;",
    '}).observe({ entryTypes: ["gc"] });',
    'process.on("message", (m) => { if (m === "mem") process.send({ mem: process.memoryUsage(), live }); });',
    "process.channel?.unref();",
  ].join("\n"),
)}`;

/** CPU seconds a process has used so far (user + system, from /proc). */
export function cpuSeconds(pid: number = process.pid): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

export function vmRssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

export async function startServer(backend: Backend): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    // DELVIA_BENCH_SERVER_LOG=FILE: the server's whole output, not only its last lines.
    if (process.env.DELVIA_BENCH_SERVER_LOG) appendFileSync(process.env.DELVIA_BENCH_SERVER_LOG, d);
    lines.push(...d.toString().split("\n").filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    // DELVIA_BENCH_SERVER_ARGS: extra Node options for the server, e.g. "--cpu-prof --cpu-prof-dir=DIR".
    [
      ...(process.env.DELVIA_BENCH_SERVER_ARGS?.split(" ").filter(Boolean) ?? []),
      `--import=${MEMORY_PROBE}`,
      "src/cli/main.ts",
      "serve",
    ],
    {
      cwd: join(import.meta.dirname, ".."),
      env: {
        ...process.env,
        DELVIA_PORT: String(port),
        DELVIA_HOST: "127.0.0.1",
        DELVIA_DATA_DIR: backend.dataDir,
        DELVIA_DATABASE_URL: backend.databaseUrl,
        DELVIA_PUBLIC_URL: url,
        DELVIA_SECRET: "load-bench-secret-load-bench-secret-0123",
        DELVIA_LOG_LEVEL: "warn",
        DELVIA_SMTP_URL: "",
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    },
  );
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    onInterrupt.delete(stop);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  onInterrupt.add(stop);
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/readyz`)).ok) break;
      } catch {}
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`server did not start:\n${lines.join("\n")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const memory = async (): Promise<Memory> => {
    const rss = vmRssBytes(child.pid!);
    // The answer waits for the server's event loop, which a long findings scan can hold for a while.
    const heap = await new Promise<NodeJS.MemoryUsage & { live: number }>((resolve, reject) => {
      const onMessage = (m: { mem: NodeJS.MemoryUsage; live: number | null }) => {
        clearTimeout(timer);
        // NaN crosses the IPC channel (JSON) as null: no major collection yet.
        resolve({ ...m.mem, live: m.live ?? Number.NaN });
      };
      const timer = setTimeout(() => {
        child.off("message", onMessage);
        reject(new Error("no memory answer from the server in 120 s"));
      }, 120_000);
      child.once("message", onMessage);
      child.send("mem");
    });
    return {
      rss,
      heapUsed: heap.heapUsed,
      heapAfterGc: heap.live,
      heapTotal: heap.heapTotal,
      external: heap.external,
    };
  };
  return {
    url,
    pid: child.pid!,
    startSeconds: (performance.now() - t0) / 1000,
    memory,
    log: () => lines.join("\n"),
    stop,
  };
}

/** Sign in through better-auth, as the app does; returns the Cookie header. */
export async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

// ---------------------------------------------------------------------------------------------
// The mix

interface Req {
  kind: string;
  method: "GET" | "POST" | "PATCH";
  path: string;
  body?: unknown;
}

export const MIX: { kind: string; weight: number }[] = [
  { kind: "who-can-reach account", weight: 17.5 },
  { kind: "who-can-reach asset", weight: 17.5 },
  { kind: "person reach", weight: 20 },
  { kind: "findings", weight: 10 },
  { kind: "get grant", weight: 10 },
  { kind: "get account", weight: 5 },
  { kind: "post grant", weight: 10 },
  { kind: "patch person notes", weight: 10 },
];

function mixer(ids: Ids, seed: number): () => Req {
  const r = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const total = MIX.reduce((s, m) => s + m.weight, 0);
  const w = `/api/v1/workspaces/${ids.workspaceId}`;
  let notes = 0;
  return () => {
    let x = r() * total;
    let kind = MIX[MIX.length - 1]!.kind;
    for (const m of MIX) {
      x -= m.weight;
      if (x < 0) {
        kind = m.kind;
        break;
      }
    }
    switch (kind) {
      case "who-can-reach account":
        return { kind, method: "GET", path: `${w}/who-can-reach?accountId=${pick(ids.accounts)}` };
      case "who-can-reach asset":
        return { kind, method: "GET", path: `${w}/who-can-reach?assetId=${pick(ids.assets).id}` };
      case "person reach":
        return { kind, method: "GET", path: `${w}/people/${pick(ids.people)}/reach` };
      case "findings":
        return { kind, method: "GET", path: `${w}/findings` };
      case "get grant":
        return { kind, method: "GET", path: `${w}/grants/${pick(ids.grants)}` };
      case "get account":
        return { kind, method: "GET", path: `${w}/accounts/${pick(ids.accounts)}` };
      case "post grant": {
        const asset = pick(ids.assets);
        return {
          kind,
          method: "POST",
          path: `${w}/grants`,
          body: {
            subject: { type: "person", personId: pick(ids.people) },
            target: { accountId: asset.accountId, assetId: asset.id },
            role: pick(["Admin", "Operator", "Analyst"]),
            grantedOn: "2026-11-01",
            reason: "load bench",
          },
        };
      }
      default:
        return {
          kind,
          method: "PATCH",
          path: `${w}/people/${pick(ids.people)}`,
          body: { notes: `Load bench note ${++notes}` },
        };
    }
  };
}

export interface KindStats {
  count: number;
  non2xx: number;
  statuses: Map<number, number>;
  latencies: number[];
}

export interface MixResult {
  seconds: number;
  requests: number;
  throughput: number;
  p50: number;
  p975: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Connection errors and timeouts by code or message. */
  errorKinds: Map<string, number>;
  byKind: Map<string, KindStats>;
  /** Paced runs: requests, p50, p99 and max by 5-second window (when they were due). */
  byWindow?: string[][];
}

/**
 * Run the mix at `rate` requests/s overall for `seconds`.
 *
 * - pace "autocannon" (default): autocannon's rate limit, which lets each connection send its
 *   share of a second back to back and then wait for the next second: the server sees bursts of
 *   `connections` requests at once, and a request's time includes waiting behind its burst.
 * - pace "even": one request every 1000/rate ms (open loop, over at most `connections`
 *   keep-alive connections), each timed from when it was due, so a stalled server is not let off
 *   by sending less (no coordinated omission).
 * - pace "poisson": the same, with independent (Poisson) arrivals at the same mean rate.
 */
export async function runMix(
  server: Server,
  cookie: string,
  ids: Ids,
  opts: {
    seconds: number;
    rate: number;
    connections: number;
    seed?: number;
    pace?: "autocannon" | "even" | "poisson";
  },
): Promise<MixResult> {
  const next = mixer(ids, opts.seed ?? 99);
  const byKind = new Map<string, KindStats>(
    MIX.map((m) => [m.kind, { count: 0, non2xx: 0, statuses: new Map(), latencies: [] }]),
  );
  const headers = { cookie, origin: server.url, "content-type": "application/json" };
  type Ctx = { kind?: string; t0?: number };
  const errorKinds = new Map<string, number>();
  if (opts.pace === "even" || opts.pace === "poisson") {
    const latencies: number[] = [];
    const windows: number[][] = [];
    const t0 = performance.now();
    let timeouts = 0;
    await paced(server.url, next, {
      ...opts,
      arrivals: opts.pace,
      headers,
      done: (q, status, latency) => {
        // By the 5-second window it was due in (now − latency).
        const w = Math.max(0, Math.floor((performance.now() - latency - t0) / 5000));
        const window = windows[w] ?? [];
        windows[w] = window;
        window.push(latency);
        const s = byKind.get(q.kind)!;
        s.count++;
        if (status < 200 || status > 299) s.non2xx++;
        s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
        s.latencies.push(latency);
        latencies.push(latency);
      },
      failed: (_q, code) => {
        if (code === "timeout") timeouts++;
        errorKinds.set(code, (errorKinds.get(code) ?? 0) + 1);
      },
    });
    latencies.sort((a, b) => a - b);
    const all = [...byKind.values()];
    const byWindow = windows.map((w, i) => {
      w.sort((a, b) => a - b);
      return [
        `${i * 5}–${i * 5 + 5} s`,
        n(w.length),
        ms(percentile(w, 50)),
        ms(percentile(w, 99)),
        ms(w.at(-1)!),
      ];
    });
    const errors = [...errorKinds.values()].reduce((t, c) => t + c, 0);
    return {
      seconds: opts.seconds,
      requests: latencies.length + errors,
      // Answers per second from the first request to the last answer (a server that falls
      // behind answers the last ones after the run's seconds have passed).
      throughput: latencies.length / Math.max(opts.seconds, (performance.now() - t0) / 1000),
      p50: percentile(latencies, 50),
      p975: percentile(latencies, 97.5),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      errors,
      timeouts,
      non2xx: all.reduce((t, k) => t + k.non2xx, 0),
      errorKinds,
      byKind,
      byWindow,
    };
  }
  const run = autocannon({
    url: server.url,
    connections: opts.connections,
    overallRate: opts.rate,
    duration: opts.seconds,
    timeout: 30,
    // Plain response times: autocannon's correction assumes a 1 ms interval at any rate, which
    // turns one slow answer into thousands of made-up samples.
    ignoreCoordinatedOmission: true,
    requests: [
      {
        setupRequest: (req, context) => {
          const q = next();
          const ctx = context as Ctx;
          ctx.kind = q.kind;
          ctx.t0 = performance.now();
          return {
            ...req,
            method: q.method,
            path: q.path,
            // A fresh object each time: autocannon writes Content-Length into the one it is given.
            headers: { ...headers },
            ...(q.body === undefined ? {} : { body: JSON.stringify(q.body) }),
          };
        },
        onResponse: (status, _body, context) => {
          const ctx = context as Ctx;
          // The first request of each connection is built before the run starts: not timed.
          if (!ctx.kind || ctx.t0 === undefined) return;
          const s = byKind.get(ctx.kind)!;
          s.count++;
          if (status < 200 || status > 299) s.non2xx++;
          s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
          s.latencies.push(performance.now() - ctx.t0);
        },
      },
    ],
  }) as unknown as Promise<autocannon.Result> & autocannon.Instance;
  run.on("reqError", (err: Error & { code?: string }) => {
    const key = err.code ?? err.message;
    errorKinds.set(key, (errorKinds.get(key) ?? 0) + 1);
  });
  const result = await run;
  return {
    seconds: opts.seconds,
    requests: result.requests.total,
    throughput: result.requests.total / opts.seconds,
    p50: result.latency.p50,
    p975: result.latency.p97_5,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    errorKinds,
    byKind,
  };
}

/** One request of a paced run. */
export interface PacedRequest {
  method?: string;
  path: string;
  body?: unknown;
}

/**
 * Send `next()` at `rate` requests/s for `seconds` (open loop) over at most `connections`
 * keep-alive connections, and report each answer's status and its time from when the request was
 * due. Arrivals "even": one every 1000/rate ms; "poisson": independent arrivals at the same mean
 * rate (exponential gaps from a seeded generator), as many users acting on their own produce, so
 * requests sometimes come close together.
 */
export async function paced<Q extends PacedRequest>(
  url: string,
  next: () => Q,
  opts: {
    rate: number;
    seconds: number;
    connections: number;
    headers?: Record<string, string>;
    done: (q: Q, status: number, latencyMs: number) => void;
    failed: (q: Q, code: string) => void;
    arrivals?: "even" | "poisson";
    seed?: number;
  },
): Promise<void> {
  // FIFO over a bounded pool keeps every connection busy, so none sits idle until the server closes it.
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections, scheduling: "fifo" });
  const total = Math.round(opts.rate * opts.seconds);
  const interval = 1000 / opts.rate;
  const start = performance.now() + 5;
  // When each request is due, in ms after `start`.
  const offsets = new Float64Array(total);
  const random = rng(opts.seed ?? 1);
  for (let i = 1; i < total; i++)
    offsets[i] =
      opts.arrivals === "poisson" ? offsets[i - 1]! - interval * Math.log(1 - random()) : i * interval;
  let sent = 0;
  let finished = 0;
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++finished === total) resolve();
    };
    const fire = (due: number) => {
      const q = next();
      const body = q.body === undefined ? undefined : JSON.stringify(q.body);
      const req = httpRequest(
        `${url}${q.path}`,
        {
          agent,
          method: q.method ?? "GET",
          headers: {
            "accept-encoding": "identity",
            ...opts.headers,
            ...(body === undefined ? {} : { "content-length": Buffer.byteLength(body) }),
          },
          timeout: 30_000,
        },
        (res) => {
          res.resume();
          res.once("end", () => {
            opts.done(q, res.statusCode ?? 0, performance.now() - due);
            finish();
          });
        },
      );
      req.once("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "timeout" })));
      req.once("error", (err: Error & { code?: string }) => {
        opts.failed(q, err.code ?? err.message);
        finish();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + offsets[sent]! <= now) fire(start + offsets[sent++]!);
      if (sent < total) setTimeout(tick, Math.max(0, start + offsets[sent]! - performance.now()));
    };
    setTimeout(tick, 5);
  });
  agent.destroy();
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;

/** Rows for a per-kind table: requests, non-2xx (with statuses), p50 and p99 measured in the bench. */
export function kindRows(byKind: Map<string, KindStats>): string[][] {
  return [...byKind].map(([kind, s]) => {
    const sorted = s.latencies.sort((a, b) => a - b);
    const odd = [...s.statuses].filter(([c]) => c < 200 || c > 299).map(([c, k]) => `${k}×${c}`);
    return [
      kind,
      n(s.count),
      odd.length ? `${n(s.non2xx)} (${odd.join(", ")})` : "0",
      ms(percentile(sorted, 50)),
      ms(percentile(sorted, 99)),
    ];
  });
}

/** First requests: loads the access index and runs the first findings scan, so the run measures steady state. */
export async function warm(server: Server, cookie: string, ids: Ids): Promise<string[][]> {
  const w = `${server.url}/api/v1/workspaces/${ids.workspaceId}`;
  const headers = { cookie, origin: server.url };
  const rows: string[][] = [];
  for (const [what, path] of [
    ["first who-can-reach (index load)", `${w}/who-can-reach?accountId=${ids.accounts[0]}`],
    ["first findings (scan)", `${w}/findings`],
    ["second findings", `${w}/findings`],
    ["first person reach", `${w}/people/${ids.people[0]}/reach`],
  ] as const) {
    // Without findings in the mix (--no-findings), nothing asks for them: no scan to warm.
    if (path.endsWith("/findings") && !MIX.some((m) => m.kind === "findings")) continue;
    const t0 = performance.now();
    const res = await fetch(path, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${what}: ${res.status}\n${server.log()}`);
    rows.push([what, ms(performance.now() - t0)]);
  }
  return rows;
}

export const errorSummary = (r: MixResult) => [...r.errorKinds].map(([k, c]) => `${c}× ${k}`).join(", ");

/** Error and warning lines the server logged (5xx are logged as "unhandled error"). */
export function serverProblems(server: Server): string[] {
  return server
    .log()
    .split("\n")
    .filter((l) => /"level":(50|60)|unhandled error|Error/i.test(l))
    .slice(-10);
}
