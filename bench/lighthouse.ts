// npm run bench:lighthouse [-- --runs 3] — Lighthouse (mobile preset) on the public guide site of a
// real `delvia serve` on loopback (home, all guides, a hub, an action and a troubleshooting page):
// scores, LCP/TBT/CLS, and what each category flagged. Exits 1 when a target is missed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { type Backend, log, printTable, startServer } from "./load-common.ts";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
/** The guide home, the list of all guides, a platform hub, an action page and a troubleshooting page. */
const PAGES = [
  ["home", "/"],
  ["all guides", "/guides"],
  ["hub", "/guides/tiktok"],
  ["action", "/guides/tiktok/add-member"],
  ["troubleshooting", "/guides/tiktok/invite-not-received"],
] as const;
/** Targets from the brief: on the hub and the action page. */
const TARGETS: Record<string, { performance: number; accessibility: number }> = {
  hub: { performance: 95, accessibility: 100 },
  action: { performance: 95, accessibility: 100 },
};

const argv = process.argv.slice(2);
const runsArg = argv.indexOf("--runs");
const runs = runsArg >= 0 ? Number(argv[runsArg + 1]) : 1;
if (!(Number.isInteger(runs) && runs >= 1 && runs <= 9)) throw new Error("--runs takes 1 to 9");

const dataDir = mkdtempSync(join(tmpdir(), "delvia-lighthouse-"));
const backend: Backend = {
  kind: "sqlite",
  databaseUrl: join(dataDir, "delvia.db"),
  dataDir,
  ids: { workspaceId: "", accounts: [], assets: [], people: [], grants: [] },
  seedSeconds: 0,
  cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
};

interface Run {
  scores: Record<(typeof CATEGORIES)[number], number>;
  lcp: number;
  tbt: number;
  cls: number;
  flagged: string[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One Lighthouse run; a run whose trace failed (NO_NAVSTART and the like) is tried again, twice at most. */
async function audit(port: number, url: string) {
  for (let attempt = 1; ; attempt++) {
    const result = await lighthouse(url, {
      port,
      output: "json",
      logLevel: "error",
      onlyCategories: [...CATEGORIES],
    });
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const { runtimeError } = result.lhr;
    if (!runtimeError) return result.lhr;
    if (attempt === 3) throw new Error(`${url}: ${runtimeError.code} ${runtimeError.message}`);
    log(`${url}: ${runtimeError.code}, trying again`);
  }
}

const server = await startServer(backend);
let chrome: chromeLauncher.LaunchedChrome | undefined;
let failed = false;
try {
  chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
  });
  const rows: string[][] = [];
  const flaggedByPage: [string, string[]][] = [];
  for (const [name, path] of PAGES) {
    const done: Run[] = [];
    for (let i = 0; i < runs; i++) {
      log(`${name} ${path} (run ${i + 1}/${runs})`);
      const lhr = await audit(chrome.port, `${server.url}${path}`);
      const flagged: string[] = [];
      for (const c of CATEGORIES)
        for (const ref of lhr.categories[c]?.auditRefs ?? []) {
          const a = lhr.audits[ref.id];
          if (!a || ref.weight === 0 || a.score === null || a.score >= 0.9) continue;
          if (a.scoreDisplayMode === "notApplicable" || a.scoreDisplayMode === "informative") continue;
          flagged.push(`${c}: ${a.id} (${Math.round(a.score * 100)}) ${a.displayValue ?? ""}`.trim());
        }
      done.push({
        scores: Object.fromEntries(
          CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]),
        ) as Run["scores"],
        lcp: lhr.audits["largest-contentful-paint"]?.numericValue ?? Number.NaN,
        tbt: lhr.audits["total-blocking-time"]?.numericValue ?? Number.NaN,
        cls: lhr.audits["cumulative-layout-shift"]?.numericValue ?? Number.NaN,
        flagged,
      });
    }
    const score = (c: (typeof CATEGORIES)[number]) => median(done.map((r) => r.scores[c]));
    const target = TARGETS[name];
    const miss =
      target && (score("performance") < target.performance || score("accessibility") < target.accessibility);
    if (miss) failed = true;
    rows.push([
      name,
      path,
      ...CATEGORIES.map((c) => String(score(c))),
      `${(median(done.map((r) => r.lcp)) / 1000).toFixed(1)} s`,
      `${Math.round(median(done.map((r) => r.tbt)))} ms`,
      median(done.map((r) => r.cls)).toFixed(3),
      target ? (miss ? "MISSED" : "met") : "—",
    ]);
    flaggedByPage.push([path, [...new Set(done.flatMap((r) => r.flagged))]]);
  }
  console.log(
    `Lighthouse ${runs > 1 ? `(median of ${runs} runs) ` : ""}— mobile preset (simulated slow 4G, 4× CPU slowdown), headless Chromium\n`,
  );
  printTable(
    ["page", "path", "perf", "a11y", "best pr.", "SEO", "LCP", "TBT", "CLS", "target (perf ≥ 95, a11y 100)"],
    rows,
  );
  for (const [path, flagged] of flaggedByPage)
    if (flagged.length) console.log(`\n${path} — flagged:\n${flagged.map((f) => `  ${f}`).join("\n")}`);
} finally {
  await chrome?.kill();
  await server.stop();
  await backend.cleanup();
}
if (failed) process.exitCode = 1;
