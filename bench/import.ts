// npm run bench:import [-- SIZES [DATABASES]] — end-to-end access-sheet import (CSV parse → check,
// as the import route does → one all-or-nothing transaction, committed) into a fresh SQLite file,
// and into PostgreSQL when DELVIA_TEST_DATABASE_URL is set; then the same file again, which must
// change nothing. SIZES defaults to 10000,100000,1000000. DATABASES is "sqlite", "postgres" or
// both (the default: SQLite at every size, PostgreSQL up to 100,000 rows).
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { readSheet } from "../src/server/import-export.ts";
import { dropPostgresSchema, ensurePostgresSchema, openDatabase } from "../src/store/database.ts";
import { importSheet } from "../src/store/import-sheet.ts";
import { migrateToLatest } from "../src/store/migrate.ts";
import { testWorkspaces } from "../src/store/test-schema.ts";
import { rng } from "./synthetic.ts";

const sizes = (process.argv[2] ?? "10000,100000,1000000").split(",").map(Number);
const databases = process.argv[3]?.split(",");
const pg = process.env.DELVIA_TEST_DATABASE_URL;
const wanted = (kind: "sqlite" | "postgres", rows: number) =>
  databases
    ? databases.includes(kind) && (kind === "sqlite" || !!pg)
    : kind === "sqlite" || (!!pg && rows <= 100_000);

/** An agency's sheet: clients' Business Centers, agency people assigned inside the agency's BC. */
function sheet(rows: number): string {
  const r = rng(1);
  const lines = [
    "platform,account,account_id,account_org,asset,asset_type,asset_id,subject,subject_type,email,subject_org,role,status,granted_on",
  ];
  const clients = Math.max(5, Math.round(rows / 200));
  const people = Math.max(20, Math.round(rows / 20));
  const seen = new Set<string>();
  for (let i = 0; lines.length <= rows; i++) {
    const c = Math.floor(r() * clients);
    const p = Math.floor(r() * people);
    const asset = Math.floor(r() * 8);
    const key = `${c}/${p}/${asset}`;
    if (seen.has(key)) continue; // one row per grant, as the importer requires
    seen.add(key);
    lines.push(
      `tiktok,Client ${c} BC,${7_000_000 + c},Client ${c},Client ${c} ads ${asset},ad_account,${9_000_000 + c * 10 + asset},Person ${p},person,p${p}@agency.test,Agency,${["Admin", "Operator", "Analyst"][i % 3]},active,2026-0${1 + (i % 9)}-15`,
    );
  }
  return `${lines.join("\n")}\n`;
}

async function run(kind: "sqlite" | "postgres", rows: number): Promise<string[]> {
  const text = sheet(rows);
  const dir = mkdtempSync(join(tmpdir(), "delvia-bench-"));
  const schema = `bench_${Date.now()}`;
  if (kind === "postgres") await ensurePostgresSchema(pg!, schema);
  const database =
    kind === "sqlite"
      ? // As the server opens it: the WAL is checkpointed from a worker, not inside the import's commit.
        openDatabase({ kind: "sqlite", path: join(dir, "bench.db") }, { backgroundCheckpoints: true })
      : openDatabase({ kind: "postgres", url: pg! }, { schema });
  try {
    await migrateToLatest(database.db, database.schema);
    const [ws] = await testWorkspaces(database.db, new Date(), ["Bench"]);
    const ctx = () => ({ workspaceId: ws!, actor: { userId: null, label: "bench" }, now: new Date() });
    const t0 = performance.now();
    const checked = readSheet(text);
    const t1 = performance.now();
    const summary = await importSheet(database.db, ctx(), checked);
    const t2 = performance.now();
    if (summary.created.grants !== rows) throw new Error(`created ${summary.created.grants} grants`);
    const t3 = performance.now();
    const again = await importSheet(database.db, ctx(), readSheet(text));
    const t4 = performance.now();
    if (again.unchangedRows !== rows) throw new Error(`re-import: ${JSON.stringify(again)}`);
    return [
      kind,
      rows.toLocaleString("en"),
      `${((t1 - t0) / 1000).toFixed(2)} s`,
      `${((t2 - t1) / 1000).toFixed(2)} s`,
      `${((t2 - t0) / 1000).toFixed(2)} s`,
      Math.round(rows / ((t2 - t0) / 1000)).toLocaleString("en"),
      `${((t4 - t3) / 1000).toFixed(2)} s`,
    ];
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
    if (kind === "postgres") await dropPostgresSchema(pg!, schema);
  }
}

const out: string[][] = [];
const load = loadavg().map((l) => l.toFixed(1));
for (const n of sizes)
  for (const kind of ["sqlite", "postgres"] as const) if (wanted(kind, n)) out.push(await run(kind, n));
const header = [
  "database",
  "rows",
  "parse+check",
  "write (1 tx)",
  "end to end",
  "rows/s",
  "re-import (no change)",
];
const w = header.map((h, i) => Math.max(h.length, ...out.map((r) => r[i]!.length)));
const line = (c: string[]) => `| ${c.map((x, i) => x.padStart(w[i]!)).join(" | ")} |`;
console.log(line(header));
console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
for (const r of out) console.log(line(r));
const after = loadavg().map((l) => l.toFixed(1));
console.log(`\nload average (1, 5, 15 min) before: ${load.join(", ")}; after: ${after.join(", ")}`);
