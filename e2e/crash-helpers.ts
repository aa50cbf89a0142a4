import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { DatabaseSync } from "node:sqlite";
import { Kysely, type SqliteDatabase, SqliteDialect } from "kysely";
import pg from "pg";
import { verifyHistory } from "../src/store/history.ts";
import type { DB } from "../src/store/schema.ts";
import { bindable } from "../src/store/sqlite.ts";

/** A small seeded generator (mulberry32): the same seed replays the same rounds and delays. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServerSettings {
  port: number;
  dataDir: string;
  /** SQLite file path or postgres:// URL. */
  databaseUrl: string;
  /** Command put in front of `node src/cli/main.ts serve` (e.g. strace and its flags). */
  wrap?: string[];
}

export interface Proc {
  url: string;
  child: ChildProcess;
  /** Resolves when the process (the group leader) has exited. */
  exited: Promise<void>;
  log: () => string;
}

/** A fixed secret so sessions survive restarts without reading the generated one back. */
const SECRET = "crash-test-secret-crash-test-secret-0123456789";

/**
 * Start `delvia serve` in a process group of its own (detached), so a SIGKILL sent to the group
 * takes down the server (and a wrapper such as strace) at once, mid-write.
 */
export async function spawnServer(s: ServerSettings, readyTimeoutMs = 30_000): Promise<Proc> {
  const url = `http://127.0.0.1:${s.port}`;
  const argv = [...(s.wrap ?? []), process.execPath, "src/cli/main.ts", "serve"];
  let output = "";
  const child = spawn(argv[0]!, argv.slice(1), {
    detached: true,
    env: {
      ...process.env,
      DELVIA_PORT: String(s.port),
      DELVIA_HOST: "127.0.0.1",
      DELVIA_DATA_DIR: s.dataDir,
      DELVIA_DATABASE_URL: s.databaseUrl,
      DELVIA_PUBLIC_URL: url,
      DELVIA_SECRET: SECRET,
      DELVIA_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const proc: Proc = { url, child, exited, log: () => output };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      killGroup(proc);
      throw new Error(`server did not start:\n${output}`);
    }
    await sleep(50);
  }
  return proc;
}

/** SIGKILL the whole process group and wait until the leader is gone. */
export async function crash(p: Proc): Promise<void> {
  killGroup(p, "SIGKILL");
  await p.exited;
  // The group's other members (none for a plain server) die with the same signal.
}

export function killGroup(p: Proc, signal: NodeJS.Signals = "SIGKILL"): void {
  if (p.child.pid === undefined) return;
  try {
    process.kill(-p.child.pid, signal);
  } catch {}
}

export interface Session {
  url: string;
  cookie: string;
}

async function ok(res: Response, what: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function api(
  s: Session,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { origin: s.url, cookie: s.cookie, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return ok(res, `${method} ${path}`);
}

/** One workspace with an organization, an account and a person to hold grants. */
export interface Fixture {
  workspaceId: string;
  slug: string;
  organizationId: string;
  accountId: string;
  personId: string;
}

/** Sign up over HTTP and return a session for the API. */
export async function signUp(url: string): Promise<Session> {
  const res = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { origin: url, "content-type": "application/json" },
    body: JSON.stringify({ email: "crash@delvia.test", password: "correct horse battery", name: "Crash" }),
  });
  await ok(res, "sign-up");
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { url, cookie };
}

export async function createWorkspace(s: Session, name: string): Promise<Fixture> {
  const ws = await api(s, "POST", "/api/v1/workspaces", { name });
  const base = `/api/v1/workspaces/${ws.id}`;
  const org = await api(s, "POST", `${base}/organizations`, { name, kind: "own" });
  const account = await api(s, "POST", `${base}/accounts`, {
    platform: "meta",
    name: `${name} ads`,
    organizationId: org.id,
  });
  const person = await api(s, "POST", `${base}/people`, { name: "Holder", organizationId: org.id });
  return {
    workspaceId: String(ws.id),
    slug: String(ws.slug),
    organizationId: String(org.id),
    accountId: String(account.id),
    personId: String(person.id),
  };
}

/** A grant held by the fixture's person whose `reason` carries the marker. */
export function grantBody(f: Fixture, marker: string) {
  return {
    subject: { type: "person", personId: f.personId },
    target: { accountId: f.accountId },
    role: "Admin",
    reason: marker,
  };
}

export function personBody(f: Fixture, marker: string) {
  return { name: marker, organizationId: f.organizationId };
}

/** What the database holds, across the test's workspaces. */
export interface Snapshot {
  grants: Map<string, string>; // marker -> grant id
  people: Map<string, string>; // marker -> person id
  duplicates: string[];
  /** Ids of grants and people that have a history "create" event. */
  createdInHistory: Set<string>;
  /** "ok", or what the integrity check reported. */
  integrity: string;
  /** The history chains of all the workspaces, verified one by one. */
  history: { ok: boolean; events: number; reason?: string };
}

/** Kysely over a read-only node:sqlite connection (the server's adapter would set PRAGMAs). */
export function readOnlySqlite(path: string): { raw: DatabaseSync; db: Kysely<DB> } {
  const raw = new DatabaseSync(path, { readOnly: true });
  const adapter: SqliteDatabase = {
    prepare(sqlText) {
      const st = raw.prepare(sqlText);
      return {
        reader: st.columns().length > 0,
        all: (p) => st.all(...p.map(bindable)),
        run: (p) => {
          const r = st.run(...p.map(bindable));
          return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
        },
        iterate: (p) => st.iterate(...p.map(bindable)),
      };
    },
    close() {
      if (raw.isOpen) raw.close();
    },
  };
  return { raw, db: new Kysely<DB>({ dialect: new SqliteDialect({ database: adapter }) }) };
}

/**
 * Markers (grant reasons and people names starting with `w-`), the history "create" events, and
 * the verified history chain of every workspace.
 */
export async function readWorkspaces(
  db: Kysely<DB>,
  workspaceIds: string[],
): Promise<Omit<Snapshot, "integrity">> {
  const grants = new Map<string, string>();
  const people = new Map<string, string>();
  const duplicates: string[] = [];
  const grantRows = await db
    .selectFrom("access_grant")
    .select(["id", "reason"])
    .where("workspace_id", "in", workspaceIds)
    .where("reason", "like", "w-%")
    .execute();
  for (const r of grantRows) {
    if (grants.has(r.reason!)) duplicates.push(r.reason!);
    grants.set(r.reason!, r.id);
  }
  const personRows = await db
    .selectFrom("person")
    .select(["id", "name"])
    .where("workspace_id", "in", workspaceIds)
    .where("name", "like", "w-%")
    .execute();
  for (const r of personRows) {
    if (people.has(r.name)) duplicates.push(r.name);
    people.set(r.name, r.id);
  }
  const created = await db
    .selectFrom("history")
    .select("entity_id")
    .where("workspace_id", "in", workspaceIds)
    .where("action", "=", "create")
    .where("entity_type", "in", ["grant", "person"])
    .execute();
  let events = 0;
  let history: Snapshot["history"] = { ok: true, events: 0 };
  for (const id of workspaceIds) {
    const v = await verifyHistory(db, id);
    events += v.events;
    if (!v.ok) history = { ok: false, events: v.events, reason: `workspace ${id}: ${v.reason}` };
  }
  if (history.ok) history = { ok: true, events };
  return { grants, people, duplicates, createdInHistory: new Set(created.map((r) => r.entity_id)), history };
}

/** Open a PostgreSQL admin connection (to the test URL's database). */
export async function pgClient(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Whether strace can trace here (missing binary or ptrace denied in a container means no). */
export function straceUsable(): { ok: true } | { ok: false; why: string } {
  const r = spawnSync("/usr/bin/strace", ["-f", "-e", "trace=fsync,fdatasync", "-o", "/dev/null", "true"], {
    encoding: "utf8",
  });
  if (r.error) return { ok: false, why: `strace is missing (${r.error.message})` };
  if (r.status !== 0) return { ok: false, why: `strace cannot trace here: ${r.stderr.trim()}` };
  return { ok: true };
}
