// npm run bench:access-cte — the in-process AccessIndex against recursive SQL CTEs in SQLite, on
// the same synthetic agency workspaces as bench:access: who-can-reach an asset, who-can-reach an
// account, reach(person); p50/p99 of each and the ratio, after checking both give the same nodes.
// Arguments: sizes (default 10000,100000,1000000); --queries N timed queries of each kind (2,000);
// --slow-queries N for the CTEs on the schema as migrated, whose full scans take far longer (200).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StatementSync } from "node:sqlite";
import { AccessIndex, type ReachAnswer } from "../src/core/access/index.ts";
import { getPlatform, reachesAllAssets } from "../src/core/catalog/index.ts";
import {
  CTE_INDEXES,
  createAllAssetsRoleTable,
  createDatabase,
  loadWorkspace,
  REACH,
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

// ---------------------------------------------------------------------------------------------
// Measuring

interface Timings {
  p50: Record<Kind, number>;
  p99: Record<Kind, number>;
}

function measure(
  run: (kind: Kind, id: string) => unknown,
  pick: Record<Kind, () => string>,
  count: number,
): Timings {
  const t: Record<Kind, number[]> = { asset: [], account: [], person: [] };
  globalThis.gc?.();
  for (let q = -WARM_UP; q < count; q++) {
    for (const kind of KINDS) {
      const id = pick[kind]();
      const s = performance.now();
      run(kind, id);
      const d = performance.now() - s;
      if (q >= 0) t[kind].push(d);
    }
  }
  const p50 = {} as Record<Kind, number>;
  const p99 = {} as Record<Kind, number>;
  for (const kind of KINDS) {
    const sorted = t[kind].sort((a, b) => a - b);
    p50[kind] = pct(sorted, 50);
    p99[kind] = pct(sorted, 99);
  }
  return { p50, p99 };
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

for (const size of sizes) {
  const snapshot = agencyWorkspace({ grants: size });
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
  const engineTimes = measure(
    (kind, id) =>
      kind === "asset"
        ? index.whoCanReach({ assetId: id }, DAY)
        : kind === "account"
          ? index.whoCanReach({ accountId: id }, DAY)
          : index.reach(id, DAY),
    picker(7),
    queries,
  );
  rows.push({
    grants,
    method: "AccessIndex",
    load: indexLoad,
    queries,
    timings: engineTimes,
    agree: "reference",
  });

  const dir = mkdtempSync(join(tmpdir(), "delvia-cte-"));
  try {
    log(`${grants.toLocaleString("en")} grants: loading SQLite (all migrations, then the rows)`);
    t0 = performance.now();
    const sqlite = await createDatabase(join(dir, "bench.db"));
    const db = sqlite.raw;
    loadWorkspace(db, snapshot);
    createAllAssetsRoleTable(db);
    const dbLoad = performance.now() - t0;
    const modes: [string, number, () => void][] = [
      ["CTE, schema as migrated", slowQueries, () => {}],
      [
        "CTE, + 4 indexes, ANALYZE",
        queries,
        () => {
          for (const ddl of CTE_INDEXES) db.exec(ddl);
          db.exec("analyze");
        },
      ],
    ];
    for (const [method, count, prepare] of modes) {
      const p0 = performance.now();
      prepare();
      const prepMs = performance.now() - p0;
      const stmts: Record<Kind, StatementSync> = {
        asset: db.prepare(WHO_ASSET),
        account: db.prepare(WHO_ACCOUNT),
        person: db.prepare(REACH),
      };
      const run = (kind: Kind, id: string) => stmts[kind].all({ ws: WS, day: DAY, [kind]: id });
      // Correctness: the same nodes as the engine on a sample of random queries of each kind.
      const pick = picker(99);
      const agreed: Record<Kind, number> = { asset: 0, account: 0, person: 0 };
      for (let q = 0; q < SAMPLE; q++)
        for (const kind of KINDS) {
          const id = pick[kind]();
          const expected = engineSet(index, kind, id);
          const got = new Set(
            (run(kind, id) as { type: string; id: string }[]).map((r) => `${r.type}:${r.id}`),
          );
          const missing = [...expected].filter((x) => !got.has(x));
          const extra = [...got].filter((x) => !expected.has(x));
          if (missing.length === 0 && extra.length === 0) agreed[kind]++;
          else if (disagreements.length < 10)
            disagreements.push(
              `${grants} ${method} ${kind} ${id}: missing ${missing.slice(0, 5).join(" ")}; extra ${extra.slice(0, 5).join(" ")}`,
            );
        }
      log(`${grants.toLocaleString("en")} grants: ${method}: timing ${count} queries of each kind`);
      const timings = measure(run, picker(7), count);
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
    ` The engine returns full paths; the CTEs only the nodes. Total ${((performance.now() - started) / 1000).toFixed(0)} s.`,
);
if (disagreements.length) {
  console.log("\nDisagreements (first 10):");
  for (const d of disagreements) console.log(`  ${d}`);
  process.exitCode = 1;
}
