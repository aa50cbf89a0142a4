// npm run bench:access-cte — the in-process AccessIndex against recursive SQL CTEs in SQLite, on
// the same synthetic agency workspaces as bench:access: who-can-reach an asset, who-can-reach an
// account, reach(person); p50/p99 of each and the ratio, after checking both give the same nodes.
// Arguments: sizes (default 10000,100000,1000000); --queries N timed queries of each kind (2,000);
// --slow-queries N for the CTEs on the schema as migrated, whose full scans take far longer (200).
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  AccessIndex,
  type IndexGrant,
  type IndexSnapshot,
  type ReachAnswer,
} from "../src/core/access/index.ts";
import { getPlatform, reachesAllAssets } from "../src/core/catalog/index.ts";
import {
  CTE_INDEXES,
  CTE_MMAP,
  createAllAssetsRoleTable,
  createDatabase,
  loadWorkspace,
  reachSql,
  WHO_ACCOUNT,
  WHO_ASSET,
  WS,
} from "./access-cte-sql.ts";
import { agencyWorkspace, rng } from "./synthetic.ts";

const argv = process.argv.slice(2);
let queries = 2_000;
let slowQueries = 200;
let sizeArg = "10000,100000,1000000";
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === "--queries") queries = Number(argv[++i]);
  else if (a === "--slow-queries") slowQueries = Number(argv[++i]);
  else if (/^[\d_,]+$/.test(a)) sizeArg = a;
  else throw new Error(`Unknown argument ${a}: give sizes like 10000,100000, --queries N, --slow-queries N`);
}
const sizes = sizeArg.split(",").map((s) => Number(s.replaceAll("_", "")));
const SAMPLE = 200;
const WARM_UP = 100;
const DAY = "2026-11-24";
const policy = { reachesAllAssets: (p: string, role: string) => reachesAllAssets(getPlatform(p)!, role) };

type Kind = "asset" | "account" | "person";
const KINDS: Kind[] = ["asset", "account", "person"];
const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const time = (x: number) => (x < 1 ? `${(x * 1000).toFixed(1)} µs` : `${x.toFixed(x < 10 ? 2 : 1)} ms`);

/** The engine's answer as the set of reachable (node type, node id). */
function engineSet(index: AccessIndex, kind: Kind, id: string): Set<string> {
  const answers: ReachAnswer[] =
    kind === "asset"
      ? index.whoCanReach({ assetId: id }, DAY)
      : kind === "account"
        ? index.whoCanReach({ accountId: id }, DAY)
        : index.reach(id, DAY);
  return new Set(answers.map((a) => `${a.node.type}:${a.node.id}`));
}

type Run = (kind: Kind, id: string) => unknown;

/** Null when the CTE gives the engine's nodes, else what differs. */
function differs(index: AccessIndex, run: Run, kind: Kind, id: string): string | null {
  const expected = engineSet(index, kind, id);
  const got = new Set((run(kind, id) as { type: string; id: string }[]).map((r) => `${r.type}:${r.id}`));
  const missing = [...expected].filter((x) => !got.has(x));
  const extra = [...got].filter((x) => !expected.has(x));
  if (missing.length === 0 && extra.length === 0) return null;
  return `${kind} ${id}: missing ${missing.slice(0, 5).join(" ")}; extra ${extra.slice(0, 5).join(" ")}`;
}

/**
 * A small workspace the synthetic agency never produces: partner chains and cycles (an account
 * a partner of itself too), account-level partner grants, assignments inside partners' accounts
 * with and without the partner still holding the asset, shared logins, system users, revoked,
 * pending and expired grants, role names in other cases, aliases and stray spaces.
 */
function tangledWorkspace(seed: number): IndexSnapshot {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const id = (kind: number, k: number) =>
    `${kind.toString(16).padStart(8, "0")}-0000-7000-8000-${k.toString(16).padStart(12, "0")}`;
  const s: IndexSnapshot = { people: [], accounts: [], assets: [], sharedLogins: [], grants: [] };
  const roles: Record<string, string[]> = {
    tiktok: ["Admin", "Standard", "admin", " ADMIN ", "administrator", "Operator", "Analyst"],
    meta: ["Full control", "Partial access", "full", "employee", "Business Admin"],
    "google-ads": ["Admin", "Standard", "Read-only", "Email-only", "Billing"],
  };
  for (let i = 0; i < 8; i++)
    s.people.push({ id: id(1, i), name: `P${i}`, status: r() < 0.2 ? "departed" : "active", leftOn: null });
  for (let i = 0; i < 7; i++)
    s.accounts.push({ id: id(2, i), name: `A${i}`, platform: pick(Object.keys(roles)) });
  for (let i = 0; i < 18; i++)
    s.assets.push({ id: id(3, i), name: `X${i}`, accountId: s.accounts[i % 7]!.id });
  for (let i = 0; i < 3; i++)
    s.sharedLogins.push({
      id: id(4, i),
      label: `L${i}`,
      knownByPersonIds: s.people.filter(() => r() < 0.3).map((p) => p.id),
    });
  for (let i = 0; i < 60; i++) {
    const account = pick(s.accounts);
    const own = s.assets.filter((x) => x.accountId === account.id);
    const t = r();
    const subject: IndexGrant["subject"] =
      t < 0.45
        ? { type: "person", personId: pick(s.people).id }
        : t < 0.8
          ? { type: "partner", accountId: pick(s.accounts).id }
          : t < 0.93
            ? { type: "shared_login", sharedLoginId: pick(s.sharedLogins).id }
            : { type: "system_user", name: `bot ${i}` };
    const a = r();
    s.grants.push({
      id: id(5, i),
      subject,
      target: {
        accountId: account.id,
        assetId: a < 0.45 ? null : a < 0.75 && own.length ? pick(own).id : pick(s.assets).id,
      },
      role: pick(roles[account.platform]!),
      status: r() < 0.1 ? "revoked" : r() < 0.1 ? "pending" : "active",
      expiresOn: r() < 0.1 ? "2026-06-30" : r() < 0.1 ? "2026-11-24" : null,
    });
  }
  return s;
}

/** Every query on many tangled workspaces: [agreeing, total, first differences]. */
async function tangledCheck(workspaces: number): Promise<[number, number, string[]]> {
  let agree = 0;
  let total = 0;
  const diffs: string[] = [];
  for (let w = 0; w < workspaces; w++) {
    const s = tangledWorkspace(1000 + w);
    const index = new AccessIndex(policy);
    index.load(s);
    const sqlite = await createDatabase(":memory:");
    loadWorkspace(sqlite.raw, s);
    createAllAssetsRoleTable(sqlite.raw);
    const stmts = prepareAll(sqlite.raw, w % 2 ? "lookup" : "scan");
    const run: Run = (kind, id) => stmts[kind].all({ ws: WS, day: DAY, [kind]: id });
    const all: [Kind, string[]][] = [
      ["asset", s.assets.map((x) => x.id)],
      ["account", s.accounts.map((x) => x.id)],
      ["person", s.people.map((x) => x.id)],
    ];
    for (const [kind, ids] of all)
      for (const id of ids) {
        total++;
        const d = differs(index, run, kind, id);
        if (d === null) agree++;
        else if (diffs.length < 5) diffs.push(`tangled #${w} ${d}`);
      }
    sqlite.close();
  }
  return [agree, total, diffs];
}

const prepareAll = (db: DatabaseSync, partnerCheck: "lookup" | "scan"): Record<Kind, StatementSync> => ({
  asset: db.prepare(WHO_ASSET),
  account: db.prepare(WHO_ACCOUNT),
  person: db.prepare(reachSql(partnerCheck)),
});

// ---------------------------------------------------------------------------------------------
// Measuring

interface Timings {
  p50: Record<Kind, number>;
  p99: Record<Kind, number>;
}

/**
 * Time each method on the same random targets, query by query in turn (the order alternating),
 * so a busy moment on the machine or a GC pause lands on all methods alike.
 */
function measure(runs: Run[], pick: Record<Kind, () => string>, count: number): Timings[] {
  const t = runs.map((): Record<Kind, number[]> => ({ asset: [], account: [], person: [] }));
  globalThis.gc?.();
  for (let q = -WARM_UP; q < count; q++) {
    for (const kind of KINDS) {
      const id = pick[kind]();
      for (let k = 0; k < runs.length; k++) {
        const m = (q + WARM_UP + k) % runs.length;
        const s = performance.now();
        runs[m]!(kind, id);
        const d = performance.now() - s;
        if (q >= 0) t[m]![kind].push(d);
      }
    }
  }
  return t.map((byKind) => {
    const p50 = {} as Record<Kind, number>;
    const p99 = {} as Record<Kind, number>;
    for (const kind of KINDS) {
      const sorted = byKind[kind].sort((x, y) => x - y);
      p50[kind] = pct(sorted, 50);
      p99[kind] = pct(sorted, 99);
    }
    return { p50, p99 };
  });
}

interface Row {
  grants: number;
  method: string;
  load: number;
  queries: number;
  timings: Timings;
  agree: string;
}

const rows: Row[] = [];
const disagreements: string[] = [];
const started = performance.now();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
const loadAtStart = load();
const TANGLED = 200;
log(`checking every query on ${TANGLED} small tangled workspaces`);
const [tangledAgree, tangledTotal, tangledDiffs] = await tangledCheck(TANGLED);
disagreements.push(...tangledDiffs);

for (const size of sizes) {
  let snapshot: IndexSnapshot | null = agencyWorkspace({ grants: size });
  const ids: Record<Kind, string[]> = {
    asset: snapshot.assets.map((a) => a.id),
    account: snapshot.accounts.map((a) => a.id),
    person: snapshot.people.map((p) => p.id),
  };
  const picker = (seed: number): Record<Kind, () => string> => {
    const r = rng(seed);
    return {
      asset: () => ids.asset[Math.floor(r() * ids.asset.length)]!,
      account: () => ids.account[Math.floor(r() * ids.account.length)]!,
      person: () => ids.person[Math.floor(r() * ids.person.length)]!,
    };
  };
  const grants = snapshot.grants.length;
  log(`${grants.toLocaleString("en")} grants: loading the AccessIndex`);
  let t0 = performance.now();
  const index = new AccessIndex(policy);
  index.load(snapshot);
  const indexLoad = performance.now() - t0;
  const engine: Run = (kind, id) =>
    kind === "asset"
      ? index.whoCanReach({ assetId: id }, DAY)
      : kind === "account"
        ? index.whoCanReach({ accountId: id }, DAY)
        : index.reach(id, DAY);

  const dir = mkdtempSync(join(tmpdir(), "delvia-cte-"));
  try {
    log(`${grants.toLocaleString("en")} grants: loading SQLite (all migrations, then the rows)`);
    t0 = performance.now();
    const sqlite = await createDatabase(join(dir, "bench.db"));
    const db = sqlite.raw;
    loadWorkspace(db, snapshot);
    // As in bench:access, drop the snapshot: what stays is the index, the database and the ID lists.
    snapshot = null;
    createAllAssetsRoleTable(db);
    const dbLoad = performance.now() - t0;
    const modes: [string, number, "lookup" | "scan", () => void][] = [
      ["CTE, schema as migrated", slowQueries, "scan", () => {}],
      [
        `CTE, + ${CTE_INDEXES.length} covering indexes, ANALYZE, mmap`,
        queries,
        "lookup",
        () => {
          for (const ddl of CTE_INDEXES) db.exec(ddl);
          db.exec("analyze");
          db.exec(CTE_MMAP);
        },
      ],
    ];
    for (const [method, count, partnerCheck, prepare] of modes) {
      const p0 = performance.now();
      prepare();
      const prepMs = performance.now() - p0;
      const stmts = prepareAll(db, partnerCheck);
      const run: Run = (kind, id) => stmts[kind].all({ ws: WS, day: DAY, [kind]: id });
      // Correctness: the same nodes as the engine on a sample of random queries of each kind.
      const pick = picker(99);
      const agreed: Record<Kind, number> = { asset: 0, account: 0, person: 0 };
      for (let q = 0; q < SAMPLE; q++)
        for (const kind of KINDS) {
          const d = differs(index, run, kind, pick[kind]());
          if (d === null) agreed[kind]++;
          else if (disagreements.length < 10) disagreements.push(`${grants} ${method} ${d}`);
        }
      // The schema as migrated alone (its full scans take long); the indexed CTEs beside the engine.
      const withEngine = partnerCheck === "lookup";
      log(
        `${grants.toLocaleString("en")} grants: ${method}: timing ${count} queries of each kind${withEngine ? ", beside the engine" : ""}`,
      );
      const timed = measure(withEngine ? [run, engine] : [run], picker(7), count);
      const timings = timed[0]!;
      if (withEngine)
        rows.splice(rows.length - 1, 0, {
          grants,
          method: "AccessIndex",
          load: indexLoad,
          queries: count,
          timings: timed[1]!,
          agree: "reference",
        });
      rows.push({
        grants,
        method,
        load: dbLoad + prepMs,
        queries: count,
        timings,
        agree: KINDS.map((k) => `${agreed[k]}/${SAMPLE}`).join(" "),
      });
    }
    sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Output

function printTable(header: string[], body: string[][]): void {
  const w = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (c: string[]) =>
    `| ${c.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
  for (const r of body) console.log(line(r));
}

const n = (x: number) => x.toLocaleString("en");
printTable(
  [
    "grants",
    "method",
    "load",
    "queries",
    "who(asset) p50",
    "p99",
    "who(account) p50",
    "p99",
    "reach p50",
    "p99",
    "agree (asset account reach)",
  ],
  rows.map((r) => [
    n(r.grants),
    r.method,
    r.load < 1000 ? `${r.load.toFixed(0)} ms` : `${(r.load / 1000).toFixed(1)} s`,
    n(r.queries),
    ...KINDS.flatMap((k) => [time(r.timings.p50[k]), time(r.timings.p99[k])]),
    r.agree,
  ]),
);
console.log("\nCTE time / AccessIndex time (× slower than the engine):");
const ratio = (a: number, b: number) => `${(a / b).toFixed(a / b < 10 ? 1 : 0)}×`;
printTable(
  ["grants", "method", "who(asset) p50", "p99", "who(account) p50", "p99", "reach p50", "p99"],
  rows
    .filter((r) => r.method !== "AccessIndex")
    .map((r) => {
      const e = rows.find((x) => x.grants === r.grants && x.method === "AccessIndex")!.timings;
      return [
        n(r.grants),
        r.method,
        ...KINDS.flatMap((k) => [ratio(r.timings.p50[k], e.p50[k]), ratio(r.timings.p99[k], e.p99[k])]),
      ];
    }),
);
console.log(
  `\nTimed queries: of each kind, random targets (the same sequence for every method), after ${WARM_UP} of warm-up;` +
    ` agreement on ${SAMPLE} other random queries of each kind: the same set of reachable (node type, node id).` +
    ` Edge cases: every query on ${TANGLED} small tangled workspaces (partner chains and cycles,` +
    ` account-level partner grants, logins, system users, dead grants): ${n(tangledAgree)}/${n(tangledTotal)} agree.` +
    ` The engine returns full paths; the CTEs only the nodes.` +
    ` Load average ${loadAtStart} at the start, ${load()} at the end, on ${availableParallelism()} CPUs:` +
    " on a shared machine, p99 also catches time slices lost to other processes." +
    ` Total ${((performance.now() - started) / 1000).toFixed(0)} s.`,
);
if (disagreements.length) {
  console.log("\nDisagreements (the first few):");
  for (const d of disagreements) console.log(`  ${d}`);
  process.exitCode = 1;
}
