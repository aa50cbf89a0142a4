// npm run bench:load [-- 100000] — 30 s at 500 mixed requests/s (reads and writes) against a real
// `delvia serve` on 127.0.0.1 whose workspace holds 1,000,000 grants (or the number given), on
// SQLite, and on PostgreSQL too when DELVIA_TEST_DATABASE_URL is set.
//
// After 10 s of the mix to warm up, three runs each: the requests evenly paced (one every 2 ms,
// each timed from when it was due; the target applies to this run); then arriving independently
// at the same mean rate (Poisson), as requests from many people do, so some come close together;
// then autocannon's own rate limit, which sends each connection's share of a second back to back,
// so the server meets bursts of 50 requests at once.
import { availableParallelism, loadavg } from "node:os";
import {
  cpuSeconds,
  errorSummary,
  kindRows,
  log,
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

const SECONDS = 30;
const RATE = 500;
const CONNECTIONS = 50;
const WARM_SECONDS = 10;

const { grants, findings, kinds } = parseArgs(process.argv.slice(2), { grants: 1_000_000 });
const mix = findings ? "full mix" : "mix without findings";

const summary: string[][] = [];
for (const kind of kinds) {
  log(`${kind}: seeding ${n(grants)} grants`);
  const backend = await seed(kind, grants);
  try {
    log(`${kind}: seeded in ${backend.seedSeconds.toFixed(1)} s; starting the server`);
    const server = await startServer(backend);
    try {
      const cookie = await signIn(server.url);
      const warmRows = await warm(server, cookie, backend.ids);
      // Then the mix itself for a while, unmeasured: the first seconds of a fresh process are
      // spent compiling and collecting the start-up's garbage, not serving at its steady pace.
      log(`${kind}: warming up at ${RATE} req/s (even) for ${WARM_SECONDS} s`);
      const warmUp = await runMix(server, cookie, backend.ids, {
        seconds: WARM_SECONDS,
        rate: RATE,
        connections: CONNECTIONS,
        pace: "even",
        seed: 7,
      });
      warmRows.push([
        `${WARM_SECONDS} s of the mix, unmeasured (p50 / p99)`,
        `${ms(warmUp.p50)} / ${ms(warmUp.p99)}`,
      ]);
      for (const pace of ["even", "poisson", "autocannon"] as const) {
        const before = await server.memory();
        const cpu0 = [cpuSeconds(server.pid), cpuSeconds()];
        log(`${kind}: running ${RATE} req/s (${pace}) for ${SECONDS} s over ${CONNECTIONS} connections`);
        const r = await runMix(server, cookie, backend.ids, {
          seconds: SECONDS,
          rate: RATE,
          connections: CONNECTIONS,
          pace,
        });
        const cpu = [cpuSeconds(server.pid) - cpu0[0]!, cpuSeconds() - cpu0[1]!].map(
          (c) => `${Math.round((100 * c) / SECONDS)}%`,
        );
        const after = await server.memory();
        const load = loadavg()[0]!;
        const paceLabel = {
          even: "evenly paced",
          poisson: "Poisson arrivals",
          autocannon: `autocannon (bursts of ${CONNECTIONS})`,
        }[pace];

        console.log(`\n## ${kind}, ${n(grants)} grants, ${mix}, ${paceLabel}\n`);
        if (pace === "even") {
          printTable(
            ["step", "time"],
            [
              ["seed (store, 100k chunks)", `${backend.seedSeconds.toFixed(1)} s`],
              ["server start", `${server.startSeconds.toFixed(1)} s`],
              ...warmRows,
            ],
          );
          console.log();
        }
        printTable(["kind", "requests", "non-2xx", "p50", "p99"], kindRows(r.byKind));
        if (r.byWindow) {
          console.log();
          printTable(["due in", "requests", "p50", "p99", "max"], r.byWindow);
        }
        if (r.errorKinds.size) console.log(`\nClient-side errors: ${errorSummary(r)}`);
        summary.push([
          kind,
          paceLabel,
          n(grants),
          `${n(Math.round(r.throughput))}/s`,
          ms(r.p50),
          ms(r.p975),
          ms(r.p99),
          ms(r.max),
          n(r.errors),
          n(r.timeouts),
          n(r.non2xx),
          `${mb(before.rss)} → ${mb(after.rss)}`,
          `${mb(before.heapUsed)} → ${mb(after.heapUsed)}`,
          `${cpu[0]} / ${cpu[1]}`,
          `${load.toFixed(1)} / ${availableParallelism()} CPUs`,
        ]);
      }
      const slow = server
        .log()
        .split("\n")
        .filter((l) => l.includes("slow database query"));
      if (slow.length) {
        const bySql = new Map<string, { n: number; ms: number }>();
        for (const l of slow) {
          try {
            const { sql, ms } = JSON.parse(l) as { sql: string; ms: number };
            const key = sql.replace(/\s+/g, " ").slice(0, 160);
            const e = bySql.get(key) ?? { n: 0, ms: 0 };
            e.n++;
            e.ms += ms;
            bySql.set(key, e);
          } catch {}
        }
        console.log(`\nSlow queries (≥ 250 ms) in the server's last log lines, by statement:`);
        printTable(
          ["statement", "times", "total"],
          [...bySql]
            .sort((a, b) => b[1].ms - a[1].ms)
            .slice(0, 8)
            .map(([k, e]) => [k, n(e.n), ms(e.ms)]),
        );
      }
      const problems = serverProblems(server);
      if (problems.length) console.log(`\nServer errors (last ${problems.length}):\n${problems.join("\n")}`);
    } finally {
      await server.stop();
    }
  } finally {
    await backend.cleanup();
  }
}

console.log(
  `\n## ${RATE} mixed requests/s for ${SECONDS} s, ${mix} (target: p99 ≤ 50 ms evenly paced on SQLite, 0 errors)\n`,
);
printTable(
  [
    "database",
    "pacing",
    "grants",
    "throughput",
    "p50",
    "p97.5",
    "p99",
    "max",
    "errors",
    "timeouts",
    "non-2xx",
    "server RSS before → after",
    "heap used",
    "CPU: server / bench",
    "host load (1 min)",
  ],
  summary,
);
