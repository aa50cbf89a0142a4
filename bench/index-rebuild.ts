// npm run bench:index-rebuild [-- 1000000] — rebuild the access index of a workspace from its
// SQLite store (what `delvia serve` does at start and after an import), three times, in process.
// The workspace is seeded through the importer like bench:load (DELVIA_BENCH_CACHE=DIR keeps the
// seeded file for later runs).
import { availableParallelism, loadavg } from "node:os";
import { AccessIndex } from "../src/core/access/index.ts";
import { getPlatform, reachesAllAssets } from "../src/core/catalog/index.ts";
import { loadIndex, loadSnapshot } from "../src/store/access-snapshot.ts";
import { openDatabase } from "../src/store/database.ts";
import { log, mb, n, printTable, seed } from "./load-common.ts";

const workers = Math.min(4, Math.max(2, availableParallelism()));
const sizes = (process.argv[2] ?? "100000,1000000").split(",").map((s) => Number(s.replaceAll("_", "")));
const policy = { reachesAllAssets: (p: string, role: string) => reachesAllAssets(getPlatform(p)!, role) };
const rows: string[][] = [];
/**
 * One load, in a function of its own: an index kept in a loop's variable would stay alive (in
 * the async frame) until the next one replaced it, and count in the next run's baseline.
 */
async function measure(load: (index: AccessIndex) => Promise<void>) {
  await settle();
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const index = new AccessIndex(policy);
  await load(index);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  await settle();
  const m1 = process.memoryUsage();
  const memory = m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers);
  return { grants: index.grantCount, wall, cpu: cpu.user + cpu.system, memory };
}

/** Collect garbage until freed array buffers are released too (they go a turn after the GC). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((r) => setImmediate(r));
  }
}
for (const size of sizes) {
  log(`seeding ${n(size)} grants`);
  const backend = await seed("sqlite", size);
  const database = openDatabase({ kind: "sqlite", path: backend.databaseUrl });
  try {
    const methods: [string, (index: AccessIndex) => Promise<void>][] = [
      [
        "one thread, streamed",
        async (index) => index.load(await loadSnapshot(database.db, backend.ids.workspaceId)),
      ],
      [
        `${workers} worker threads (the server's way)`,
        (index) => loadIndex(index, database.db, backend.ids.workspaceId, { minGrants: 0, workers }),
      ],
    ];
    for (const [method, load] of methods)
      for (let run = 1; run <= 3; run++) {
        const r = await measure(load);
        rows.push([
          n(r.grants),
          method,
          String(run),
          `${(r.wall / 1000).toFixed(2)} s`,
          `${(r.cpu / 1e6).toFixed(2)} s`,
          `${mb(r.memory)}`,
        ]);
      }
  } finally {
    await database.close();
    await backend.cleanup();
  }
}
console.log(`\nAccess index rebuilt from the SQLite store (target ≤ 3 s at 1M grants)\n`);
printTable(["grants", "method", "run", "wall", "CPU (all threads)", "index memory"], rows);
console.log(`\nHost load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`);
