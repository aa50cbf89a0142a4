// npm run bench:soak [-- 100000] [-- --minutes 2] — the load mix at 500 requests/s for 10 minutes
// (or --minutes N) against a real `delvia serve` on 127.0.0.1, sampling the server's RSS
// (/proc/<pid>/status VmRSS) and V8 heap every 10 s. Verdict: "no growth" when RSS at the end is
// less than 10% above RSS at minute 1. SQLite, and PostgreSQL too when DELVIA_TEST_DATABASE_URL is set.
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
const GROWTH_LIMIT = 0.1;

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
            log(`${kind}: ${at.toFixed(0)} s: RSS ${mb(mem.rss)}, heap used ${mb(mem.heapUsed)}`);
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
        ["t", "RSS", "heap used", "heap total", "external", "host load"],
        samples.map(({ at, mem, load }) => [
          `${at.toFixed(0)} s`,
          mb(mem.rss),
          mb(mem.heapUsed),
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
      const heapGrowth = end.mem.heapUsed / base.mem.heapUsed - 1;
      verdicts.push([
        kind,
        n(grants),
        `${minutes} min`,
        `${n(Math.round(r.throughput))}/s`,
        ms(r.p50),
        ms(r.p99),
        n(r.errors + r.timeouts),
        n(r.non2xx),
        `${mb(base.mem.rss)} → ${mb(end.mem.rss)} (${(growth * 100).toFixed(1)}%)`,
        `${mb(base.mem.heapUsed)} → ${mb(end.mem.heapUsed)} (${(heapGrowth * 100).toFixed(1)}%)`,
        growth < GROWTH_LIMIT ? "no growth" : "GROWTH",
      ]);
    } finally {
      await server.stop();
    }
  } finally {
    await backend.cleanup();
  }
}

console.log(`\n## Soak verdict (RSS from minute 1 to the end; "no growth" below +${GROWTH_LIMIT * 100}%)\n`);
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
    "RSS minute 1 → end",
    "heap used",
    "verdict",
  ],
  verdicts,
);
