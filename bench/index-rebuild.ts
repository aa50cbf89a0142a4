// npm run bench:index-rebuild [-- 1000000] — rebuild the access index of a workspace from its
// SQLite store (what `delvia serve` does at start and after an import), three times, in process.
// The workspace is seeded through the importer like bench:load (DELVIA_BENCH_CACHE=DIR keeps the
// seeded file for later runs).
import { availableParallelism, loadavg } from "node:os";
import { AccessIndex } from "../src/core/access/index.ts";
import { getPlatform, reachesAllAssets } from "../src/core/catalog/index.ts";
import { loadSnapshot } from "../src/store/access-snapshot.ts";
import { openDatabase } from "../src/store/database.ts";
import { log, mb, n, printTable, seed } from "./load-common.ts";

const sizes = (process.argv[2] ?? "100000,1000000").split(",").map((s) => Number(s.replaceAll("_", "")));
const policy = { reachesAllAssets: (p: string, role: string) => reachesAllAssets(getPlatform(p)!, role) };
const rows: string[][] = [];
for (const size of sizes) {
  log(`seeding ${n(size)} grants`);
  const backend = await seed("sqlite", size);
  const database = openDatabase({ kind: "sqlite", path: backend.databaseUrl });
  try {
    for (let run = 1; run <= 3; run++) {
      globalThis.gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const index = new AccessIndex(policy);
      index.load(await loadSnapshot(database.db, backend.ids.workspaceId));
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      globalThis.gc?.();
      const heap = process.memoryUsage().heapUsed - heap0;
      rows.push([
        n(index.grantCount),
        String(run),
        `${(wall / 1000).toFixed(2)} s`,
        `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`,
        `${mb(heap)}`,
      ]);
    }
  } finally {
    await database.close();
    await backend.cleanup();
  }
}
console.log(`\nAccess index rebuilt from the SQLite store (target ≤ 3 s at 1M grants)\n`);
printTable(["grants", "run", "wall", "CPU", "index heap"], rows);
console.log(`\nHost load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`);
