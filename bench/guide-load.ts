// npm run bench:guide-load [-- --rate 1000 --seconds 20] — the public guide site of a real
// `delvia serve` on loopback under a fixed rate of page views (hubs, action guides, searches):
// throughput, client-side p50/p97.5/p99, errors, and the server's own time per request.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { GUIDE_PLATFORMS } from "../src/core/guides/schema.ts";
import { readGuides } from "../src/server/guides/load.ts";
import { type Backend, log, ms, n, printTable, startServer } from "./load-common.ts";
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

let failed = false;
try {
  // Warm up: every page once, so the run measures steady state (JIT, search index, SQLite cache).
  const t0 = performance.now();
  for (const path of [
    ...hubs,
    ...actions,
    ...QUERIES.map((q) => `/guides/search?q=${encodeURIComponent(q)}`),
  ]) {
    const res = await fetch(`${server.url}${path}`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}\n${server.log()}`);
  }
  log(`warmed ${hubs.length + actions.length + QUERIES.length} pages in ${ms(performance.now() - t0)}`);
  await serverTimes();

  const next = mixer(42);
  const byKind = new Map<Kind, { count: number; non2xx: number; latencies: number[] }>(
    MIX.map((m) => [m.kind, { count: 0, non2xx: 0, latencies: [] }]),
  );
  type Ctx = { kind?: Kind; t0?: number };
  const errorKinds = new Map<string, number>();
  log(`${n(RATE)} requests/s for ${SECONDS} s over ${CONNECTIONS} connections`);
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
          if (!ctx.kind || ctx.t0 === undefined) return;
          const s = byKind.get(ctx.kind)!;
          s.count++;
          if (status < 200 || status > 299) s.non2xx++;
          s.latencies.push(performance.now() - ctx.t0);
        },
      },
    ],
  }) as unknown as Promise<autocannon.Result> & autocannon.Instance;
  run.on("reqError", (err: Error & { code?: string }) => {
    const key = err.code ?? err.message;
    errorKinds.set(key, (errorKinds.get(key) ?? 0) + 1);
  });
  const result = await run;
  const inServer = (await serverTimes()).sort((a, b) => a - b);

  console.log(
    `\nGuide site under load: ${n(RATE)} requests/s for ${SECONDS} s, ${CONNECTIONS} connections, ${MIX.map((m) => `${m.weight}% ${m.kind}`).join(", ")}\n`,
  );
  printTable(
    ["requests", "throughput", "p50", "p97.5", "p99", "max", "errors", "timeouts", "non-2xx"],
    [
      [
        n(result.requests.total),
        `${n(Math.round(result.requests.total / SECONDS))}/s`,
        ms(result.latency.p50),
        ms(result.latency.p97_5),
        ms(result.latency.p99),
        ms(result.latency.max),
        n(result.errors),
        n(result.timeouts),
        n(result.non2xx),
      ],
    ],
  );
  if (errorKinds.size) console.log(`errors: ${[...errorKinds].map(([k, c]) => `${c}× ${k}`).join(", ")}`);
  console.log("\nBy page kind (client side):\n");
  printTable(
    ["kind", "requests", "non-2xx", "p50", "p99"],
    [...byKind].map(([kind, s]) => {
      const sorted = s.latencies.sort((a, b) => a - b);
      return [kind, n(s.count), n(s.non2xx), ms(pct(sorted, 50)), ms(pct(sorted, 99))];
    }),
  );
  const p99 = pct(inServer, 99);
  failed = !(p99 <= SERVER_P99_TARGET_MS) || result.errors > 0 || result.non2xx > 0;
  console.log("\nServer time per request (in the server: request event to response finish):\n");
  printTable(
    ["samples", "p50", "p97.5", "p99", "max", `target p99 ≤ ${SERVER_P99_TARGET_MS} ms`],
    [
      [
        n(inServer.length),
        ms(pct(inServer, 50)),
        ms(pct(inServer, 97.5)),
        ms(p99),
        ms(inServer.at(-1) ?? Number.NaN),
        p99 <= SERVER_P99_TARGET_MS ? "met" : "MISSED",
      ],
    ],
  );
} finally {
  await server.stop();
  await backend.cleanup();
}
if (failed) process.exitCode = 1;
