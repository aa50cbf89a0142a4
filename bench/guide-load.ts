// npm run bench:guide-load [-- --rate 1000 --seconds 20 --connections 50] — the public guide site
// of a real `delvia serve` on loopback under a fixed rate of page views (hubs, action guides,
// searches): throughput, client-side p50/p97.5/p99, errors, and the server's own time per request.
//
// Two runs of the same mix: autocannon at `--rate`, and the same rate evenly paced. autocannon's
// rate limit lets each connection send its share of a second back to back and then wait for the
// next second, so at 50 connections the server sees bursts of 50 requests at once; the paced run
// sends one request every 1000/rate ms (open loop, latency counted from when it was due).
// Exits 1 when the server's p99 misses the target in the paced run, or on any error.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { GUIDE_PLATFORMS } from "../src/core/guides/schema.ts";
import { readGuides } from "../src/server/guides/load.ts";
import { type Backend, cpuSeconds, log, ms, n, paced, printTable, startServer } from "./load-common.ts";
import { rng } from "./synthetic.ts";

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!(v > 0)) throw new Error(`--${name} takes a positive number`);
  return v;
};
const RATE = arg("rate", 1000);
const SECONDS = arg("seconds", 20);
const CONNECTIONS = arg("connections", 50);
/** The brief's target for the server's own time per request. */
const SERVER_P99_TARGET_MS = 5;

const MIX = [
  { kind: "platform hub", weight: 25 },
  { kind: "action guide", weight: 50 },
  { kind: "search", weight: 25 },
] as const;
type Kind = (typeof MIX)[number]["kind"];
const QUERIES = [
  "add agency tiktok",
  "remove partner meta",
  "invite expired",
  "youtube manager",
  "google ads admin",
  "someone left the company",
  "shared password",
  "business center owner",
];

const { guides } = readGuides(join(import.meta.dirname, "..", "content", "guides"));
const hubs = GUIDE_PLATFORMS.filter((p) => guides.some((g) => g.platform === p.key)).map(
  (p) => `/guides/${p.key}`,
);
const actions = guides.filter((g) => g.kind === "action").map((g) => `/guides/${g.ref}`);
if (!hubs.length || !actions.length) throw new Error("no guides found under content/guides");

function mixer(seed: number): () => { kind: Kind; path: string } {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const total = MIX.reduce((s, m) => s + m.weight, 0);
  return () => {
    let x = r() * total;
    let kind: Kind = "search";
    for (const m of MIX) {
      x -= m.weight;
      if (x < 0) {
        kind = m.kind;
        break;
      }
    }
    if (kind === "platform hub") return { kind, path: pick(hubs) };
    if (kind === "action guide") return { kind, path: pick(actions) };
    return { kind, path: `/guides/search?q=${encodeURIComponent(pick(QUERIES))}` };
  };
}

/**
 * Loaded into the server with NODE_OPTIONS=--import: times each request from the HTTP server's
 * "request" event to the response's "finish" (routing, rendering, middleware, and any wait for the
 * event loop once the request is parsed). GET /__bench/timing (answered here, never by Delvia)
 * hands over the samples taken since the last ask.
 */
const TIMING_PROBE = `data:text/javascript,${encodeURIComponent(
  'import{Server}from"node:http";const t=[];const e=Server.prototype.emit;Server.prototype.emit=function(n,q,s){if(n==="request"){if(q.url==="/__bench/timing"){s.setHeader("content-type","application/json");s.end(JSON.stringify(t.splice(0)));return true}const a=process.hrtime.bigint();s.once("finish",()=>t.push(Number(process.hrtime.bigint()-a)/1e6))}return e.apply(this,arguments)};',
)}`;

const dataDir = mkdtempSync(join(tmpdir(), "delvia-guide-load-"));
const backend: Backend = {
  kind: "sqlite",
  databaseUrl: join(dataDir, "delvia.db"),
  dataDir,
  ids: { workspaceId: "", accounts: [], assets: [], people: [], grants: [] },
  seedSeconds: 0,
  cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
};

// The server is a child process that inherits this environment.
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import=${TIMING_PROBE}`.trim();
const server = await startServer(backend);
delete process.env.NODE_OPTIONS;

/** The server's samples since the last ask. */
async function serverTimes(): Promise<number[]> {
  return (await (await fetch(`${server.url}/__bench/timing`)).json()) as number[];
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;

/** Client-side results of one run, by page kind. */
class Tally {
  readonly byKind = new Map<Kind, { non2xx: number; latencies: number[] }>(
    MIX.map((m) => [m.kind, { non2xx: 0, latencies: [] }]),
  );
  readonly errors = new Map<string, number>();
  add(kind: Kind, status: number, latency: number) {
    const s = this.byKind.get(kind)!;
    if (status < 200 || status > 299) s.non2xx++;
    s.latencies.push(latency);
  }
  error(key: string) {
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }
  get all() {
    return [...this.byKind.values()].flatMap((s) => s.latencies).sort((a, b) => a - b);
  }
  get non2xx() {
    return [...this.byKind.values()].reduce((t, s) => t + s.non2xx, 0);
  }
  get errorCount() {
    return [...this.errors.values()].reduce((t, c) => t + c, 0);
  }
}

/** autocannon at RATE requests/s overall over CONNECTIONS connections. */
async function withAutocannon(next: () => { kind: Kind; path: string }): Promise<Tally> {
  const tally = new Tally();
  type Ctx = { kind?: Kind; t0?: number };
  const run = autocannon({
    url: server.url,
    connections: CONNECTIONS,
    overallRate: RATE,
    duration: SECONDS,
    timeout: 10,
    ignoreCoordinatedOmission: true,
    requests: [
      {
        setupRequest: (req, context) => {
          const q = next();
          const ctx = context as Ctx;
          ctx.kind = q.kind;
          ctx.t0 = performance.now();
          return { ...req, method: "GET", path: q.path, headers: { "accept-encoding": "identity" } };
        },
        onResponse: (status, _body, context) => {
          const ctx = context as Ctx;
          // The first request of each connection is built before the run starts: not timed.
          if (ctx.kind && ctx.t0 !== undefined) tally.add(ctx.kind, status, performance.now() - ctx.t0);
        },
      },
    ],
  }) as unknown as Promise<autocannon.Result> & autocannon.Instance;
  run.on("reqError", (err: Error & { code?: string }) => tally.error(err.code ?? err.message));
  const result = await run;
  for (let i = 0; i < result.timeouts; i++) tally.error("timeout");
  return tally;
}

/** One request every 1000/RATE ms for SECONDS, over keep-alive connections; latency from when it was due. */
async function evenly(next: () => { kind: Kind; path: string }): Promise<Tally> {
  const tally = new Tally();
  await paced(server.url, next, {
    rate: RATE,
    seconds: SECONDS,
    connections: 64,
    done: (q, status, latency) => tally.add(q.kind, status, latency),
    failed: (_q, code) => tally.error(code),
  });
  return tally;
}

let failed = false;
try {
  // Warm up: every page once, so the runs measure steady state (JIT, search index, SQLite cache).
  const t0 = performance.now();
  const warmPaths = [...hubs, ...actions, ...QUERIES.map((q) => `/guides/search?q=${encodeURIComponent(q)}`)];
  for (const path of warmPaths) {
    const res = await fetch(`${server.url}${path}`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}\n${server.log()}`);
  }
  log(`warmed ${warmPaths.length} pages in ${ms(performance.now() - t0)}`);
  await serverTimes();

  const runs: [string, Tally, number[], number, number][] = [];
  for (const [name, run] of [
    [`paced, ${n(RATE)}/s`, () => evenly(mixer(42))],
    [`autocannon, ${CONNECTIONS} conn.`, () => withAutocannon(mixer(43))],
  ] as const) {
    log(`${name}: ${n(RATE)} requests/s for ${SECONDS} s`);
    const cpu0 = cpuSeconds(server.pid);
    const own0 = process.cpuUsage();
    const w0 = performance.now();
    const tally = await run();
    const wall = (performance.now() - w0) / 1000;
    const cpu = (cpuSeconds(server.pid) - cpu0) / wall;
    const own = process.cpuUsage(own0);
    const clientCpu = (own.user + own.system) / 1e6 / wall;
    runs.push([name, tally, (await serverTimes()).sort((a, b) => a - b), cpu, clientCpu]);
  }

  console.log(
    `\nGuide site under load for ${SECONDS} s a run: ${MIX.map((m) => `${m.weight}% ${m.kind}`).join(", ")}; server time = in the server, from the request event to the response's finish; CPU = share of one core (the client is this process)\n`,
  );
  printTable(
    [
      "run",
      "requests",
      "throughput",
      "p50",
      "p97.5",
      "p99",
      "max",
      "errors",
      "non-2xx",
      "server p50",
      "server p99",
      "server max",
      "server CPU",
      "client CPU",
    ],
    runs.map(([name, t, inServer, cpu, clientCpu]) => {
      const all = t.all;
      return [
        name,
        n(all.length),
        `${n(Math.round(all.length / SECONDS))}/s`,
        ms(pct(all, 50)),
        ms(pct(all, 97.5)),
        ms(pct(all, 99)),
        ms(all.at(-1) ?? Number.NaN),
        n(t.errorCount),
        n(t.non2xx),
        ms(pct(inServer, 50)),
        ms(pct(inServer, 99)),
        ms(inServer.at(-1) ?? Number.NaN),
        `${Math.round(cpu * 100)}%`,
        `${Math.round(clientCpu * 100)}%`,
      ];
    }),
  );
  for (const [name, t] of runs)
    if (t.errors.size)
      console.log(`${name} errors: ${[...t.errors].map(([k, c]) => `${c}× ${k}`).join(", ")}`);
  console.log("\nClient p50 / p99 by page kind:\n");
  printTable(
    ["kind", ...runs.map(([name]) => name)],
    MIX.map((m) => [
      m.kind,
      ...runs.map(([, t]) => {
        const sorted = t.byKind.get(m.kind)!.latencies.sort((x, y) => x - y);
        return `${ms(pct(sorted, 50))} / ${ms(pct(sorted, 99))}`;
      }),
    ]),
  );
  console.log(
    `\nLoad average of the machine at the end (other work on it skews the tails): ${loadavg()
      .map((x) => x.toFixed(1))
      .join(", ")}`,
  );
  const serverP99 = pct(runs[0]![2], 99);
  failed = !(serverP99 <= SERVER_P99_TARGET_MS) || runs.some(([, t]) => t.errorCount > 0 || t.non2xx > 0);
  console.log(
    `\nTarget: server p99 ≤ ${SERVER_P99_TARGET_MS} ms at ${n(RATE)} requests/s (paced run): ${serverP99 <= SERVER_P99_TARGET_MS ? "met" : "MISSED"} (${ms(serverP99)}).`,
  );
} finally {
  await server.stop();
  await backend.cleanup();
}
if (failed) process.exitCode = 1;
