// npm run bench:access — in-process who-can-reach / reach over synthetic agency workspaces.
import { AccessIndex } from "../src/core/access/index.ts";
import { getPlatform, reachesAllAssets } from "../src/core/catalog/index.ts";
import { agencyWorkspace, rng } from "./synthetic.ts";

const sizes = (process.argv[2] ?? "10000,100000,1000000").split(",").map(Number);
const QUERIES = 10_000;
/** Grants then applied one by one, as a server applies each write. */
const WRITES = 30_000;
const policy = { reachesAllAssets: (p: string, role: string) => reachesAllAssets(getPlatform(p)!, role) };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

const rows: string[][] = [];
for (const size of sizes) {
  globalThis.gc?.();
  const mem = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const before = mem();
  let snapshot: ReturnType<typeof agencyWorkspace> | null = agencyWorkspace({ grants: size });
  const grantCount = snapshot.grants.length;
  const sample = { assets: snapshot.assets.map((a) => a.id), people: snapshot.people.map((p) => p.id) };
  const holders = snapshot.assets.map((a) => [a.id, a.accountId] as const);
  const t0 = performance.now();
  const index = new AccessIndex(policy);
  index.load(snapshot);
  const loadMs = performance.now() - t0;
  // Drop the snapshot so what remains is the index (and the sampled ID lists, which it shares).
  snapshot = null;
  globalThis.gc?.();
  const heapMb = (mem() - before) / 1024 / 1024;
  const r = rng(7);
  const who: number[] = [];
  const reach: number[] = [];
  let answers = 0;
  for (let q = 0; q < QUERIES; q++) {
    const asset = sample.assets[Math.floor(r() * sample.assets.length)]!;
    let s = performance.now();
    answers += index.whoCanReach({ assetId: asset }, "2026-11-24").length;
    who.push(performance.now() - s);
    const person = sample.people[Math.floor(r() * sample.people.length)]!;
    s = performance.now();
    answers += index.reach(person, "2026-11-24").length;
    reach.push(performance.now() - s);
  }
  who.sort((a, b) => a - b);
  reach.sort((a, b) => a - b);
  // A server applies each write to the index as it comes: the memory that adds after a load.
  const assetsHeld = new Map(holders);
  globalThis.gc?.();
  const held = mem();
  const w0 = performance.now();
  for (let k = 0; k < WRITES; k++) {
    const asset = sample.assets[Math.floor(r() * sample.assets.length)]!;
    index.apply({
      kind: "grant",
      value: {
        id: `ffffffff-0000-7000-8000-${String(k).padStart(12, "0")}`,
        subject: { type: "person", personId: sample.people[Math.floor(r() * sample.people.length)]! },
        target: { accountId: assetsHeld.get(asset)!, assetId: asset },
        role: "Analyst",
        status: "active",
        expiresOn: null,
      },
    });
  }
  const writeUs = ((performance.now() - w0) * 1000) / WRITES;
  globalThis.gc?.();
  const afterWrites = (mem() - held) / 1024 / 1024;
  rows.push([
    grantCount.toLocaleString("en"),
    `${loadMs.toFixed(0)} ms`,
    `${heapMb.toFixed(1)} MiB`,
    us(percentile(who, 50)),
    us(percentile(who, 99)),
    us(percentile(reach, 50)),
    us(percentile(reach, 99)),
    (answers / QUERIES / 2).toFixed(1),
    `${writeUs.toFixed(1)} µs`,
    `${afterWrites >= 0 ? "+" : ""}${afterWrites.toFixed(1)} MiB`,
  ]);
}
const header = [
  "grants",
  "index load",
  "index memory",
  "who p50",
  "who p99",
  "reach p50",
  "reach p99",
  "answers/query",
  "single write",
  `memory after ${WRITES.toLocaleString("en")} writes`,
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
console.log(
  `\n${QUERIES.toLocaleString("en")} queries of each kind per size, then ${WRITES.toLocaleString("en")} grants applied one by one; heap measured with --expose-gc.`,
);
