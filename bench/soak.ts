// npm run bench:soak [-- 100000] [-- --minutes 2] — the load mix at 500 requests/s for 10 minutes
// (or --minutes N) against a real `delvia serve` on 127.0.0.1, sampling the server's RSS
// (/proc/<pid>/status VmRSS) and V8 heap every 10 s. SQLite, and PostgreSQL too when
// DELVIA_TEST_DATABASE_URL is set.
//
// Verdict. The first half of the run is warm-up: the server's caches fill up to their bounds as the
// mix reaches more of the workspace (SQLite's page cache of up to 128 MiB, the pages and counts it
// keeps), which raises RSS by design and then stops. A leak does not stop. So the verdict is taken
// from the second half alone: the least-squares slope of RSS over its samples, and of the V8 heap
// as major collections leave it (its smallest reading in each minute: heap used at a random moment
// swings with uncollected garbage), projected over the whole run's length, must each stay below
// 5% of that half's mean ("no growth").
// RSS from minute 1 to the end, warm-up included, is printed beside it.
import { loadavg } from "node:os";
import {
  errorSummary,
  kindRows,
  log,
  type Memory,
  mb,
  ms,
  n,
  parseArgs,
  printTable,
  runMix,
  seed,
  serverProblems,
  signIn,
  startServer,
  warm,
} from "./load-common.ts";

const RATE = 500;
const CONNECTIONS = 50;
const SAMPLE_SECONDS = 10;
/** The most a trend may add over the run's length, as a share of the second half's mean. */
const TREND_LIMIT = 0.05;

/** Least-squares slope of `y` over `x` (units of y per unit of x). */
function slope(points: { x: number; y: number }[]): number {
  const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
  const my = points.reduce((a, p) => a + p.y, 0) / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Over the second half of the samples: the trend projected over `seconds`, as a share of the half's mean. */
function trend(samples: { at: number; value: number }[], seconds: number): number {
  const half = samples.filter((s) => s.at >= seconds / 2);
  if (half.length < 2) return 0;
  const mean = half.reduce((a, s) => a + s.value, 0) / half.length;
  return (slope(half.map((s) => ({ x: s.at, y: s.value }))) * seconds) / mean;
}

/**
 * The heap a major collection leaves is read when the "gc" observer runs, a little after the
 * collection, by which time requests have allocated again: each reading is the live heap plus a
 * varying amount of new garbage (74 to 96 MB within one minute at 1M grants). The smallest
 * reading of each minute is the closest to the live heap; the trend is taken over those.
 */
function floorsByMinute(
  samples: { at: number; value: number }[],
  seconds: number,
): { at: number; value: number }[] {
  const floors = new Map<number, { at: number; value: number }>();
  // The reading taken as the run ends belongs to its last minute, not to a minute of its own.
  const last = Math.max(0, Math.ceil(seconds / 60) - 1);
  for (const s of samples) {
    const minute = Math.min(Math.floor(s.at / 60), last);
    const f = floors.get(minute);
    if (!f || s.value < f.value) floors.set(minute, { at: minute * 60 + 30, value: s.value });
  }
  return [...floors.values()];
}

const { grants, minutes, findings, kinds } = parseArgs(process.argv.slice(2), {
  grants: 1_000_000,
  minutes: 10,
});
const mix = findings ? "full mix" : "mix without findings";
const seconds = Math.round(minutes * 60);
if (seconds < 2 * SAMPLE_SECONDS) throw new Error("Run for at least 20 s (--minutes 0.34).");

const verdicts: string[][] = [];
for (const kind of kinds) {
  log(`${kind}: seeding ${n(grants)} grants`);
  const backend = await seed(kind, grants);
  try {
    log(`${kind}: seeded in ${backend.seedSeconds.toFixed(1)} s; starting the server`);
    const server = await startServer(backend);
    try {
      const cookie = await signIn(server.url);
      await warm(server, cookie, backend.ids);
      const samples: { at: number; mem: Memory; load: number }[] = [
        { at: 0, mem: await server.memory(), load: loadavg()[0]! },
      ];
      const t0 = performance.now();
      let lastSample: Promise<void> = Promise.resolve();
      const sampler = setInterval(() => {
        const at = (performance.now() - t0) / 1000;
        lastSample = server.memory().then(
          (mem) => {
            samples.push({ at, mem, load: loadavg()[0]! });
            log(
              `${kind}: ${at.toFixed(0)} s: RSS ${mb(mem.rss)}, heap used ${mb(mem.heapUsed)}, after the last major GC ${mb(mem.heapAfterGc)}`,
            );
          },
          (err) => log(`${kind}: memory sample failed: ${err}`),
        );
      }, SAMPLE_SECONDS * 1000);
      log(`${kind}: running ${RATE} req/s for ${minutes} min over ${CONNECTIONS} connections`);
      let r: Awaited<ReturnType<typeof runMix>>;
      try {
        r = await runMix(server, cookie, backend.ids, { seconds, rate: RATE, connections: CONNECTIONS });
      } finally {
        clearInterval(sampler);
        await lastSample;
      }
      const endAt = (performance.now() - t0) / 1000;
      if (endAt - samples[samples.length - 1]!.at > 2)
        samples.push({ at: endAt, mem: await server.memory(), load: loadavg()[0]! });

      console.log(`\n## ${kind}, ${n(grants)} grants, ${minutes} min at ${RATE} req/s, ${mix}\n`);
      printTable(
        ["t", "RSS", "heap used", "heap after major GC", "heap total", "external", "host load"],
        samples.map(({ at, mem, load }) => [
          `${at.toFixed(0)} s`,
          mb(mem.rss),
          mb(mem.heapUsed),
          Number.isFinite(mem.heapAfterGc) ? mb(mem.heapAfterGc) : "none yet",
          mb(mem.heapTotal),
          mb(mem.external),
          load.toFixed(1),
        ]),
      );
      console.log();
      printTable(["kind", "requests", "non-2xx", "p50", "p99"], kindRows(r.byKind));
      if (r.errorKinds.size) console.log(`\nClient-side errors: ${errorSummary(r)}`);
      const problems = serverProblems(server);
      if (problems.length) console.log(`\nServer errors (last ${problems.length}):\n${problems.join("\n")}`);

      // Minute 1: the first sample at or after 60 s (or the first sample of a shorter run).
      const base = samples.find((s) => s.at >= Math.min(60, seconds / 2)) ?? samples[1]!;
      const end = samples[samples.length - 1]!;
      const growth = end.mem.rss / base.mem.rss - 1;
      const rssTrend = trend(
        samples.map((s) => ({ at: s.at, value: s.mem.rss })),
        seconds,
      );
      const heapTrend = trend(
        floorsByMinute(
          samples
            .filter((s) => Number.isFinite(s.mem.heapAfterGc))
            .map((s) => ({ at: s.at, value: s.mem.heapAfterGc })),
          seconds,
        ),
        seconds,
      );
      const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
      verdicts.push([
        kind,
        n(grants),
        `${minutes} min`,
        `${n(Math.round(r.throughput))}/s`,
        ms(r.p50),
        ms(r.p99),
        n(r.errors + r.timeouts),
        n(r.non2xx),
        `${mb(base.mem.rss)} → ${mb(end.mem.rss)} (${pct(growth)})`,
        pct(rssTrend),
        pct(heapTrend),
        rssTrend < TREND_LIMIT && heapTrend < TREND_LIMIT ? "no growth" : "GROWTH",
      ]);
    } finally {
      await server.stop();
    }
  } finally {
    await backend.cleanup();
  }
}

console.log(
  `\n## Soak verdict (trend over the second half, projected over the run: "no growth" below +${TREND_LIMIT * 100}% for RSS and the heap after major collections)\n`,
);
printTable(
  [
    "database",
    "grants",
    "duration",
    "throughput",
    "p50",
    "p99",
    "errors",
    "non-2xx",
    "RSS minute 1 → end (warm-up included)",
    "RSS trend",
    "heap trend (after major GC)",
    "verdict",
  ],
  verdicts,
);
