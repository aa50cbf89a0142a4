// `npm test`: format and lint, type-check, then every unit, HTTP and store test. The PostgreSQL
// half of the store suite runs when DELVIA_TEST_DATABASE_URL is set, and this says so either way.
import { spawnSync } from "node:child_process";

const pg = process.env.DELVIA_TEST_DATABASE_URL;
const steps: [string, string[]][] = [
  ["Format and lint (Biome)", ["biome", "ci", "--reporter=summary", "."]],
  ["Type-check (tsc)", ["tsc", "--noEmit", "-p", "tsconfig.json"]],
  [
    "Unused files and dependencies (knip)",
    ["knip", "--include", "files,dependencies,unlisted,binaries", "--no-progress"],
  ],
  ["Tests (Vitest)", ["vitest", "run", ...process.argv.slice(2)]],
];

console.log(
  pg
    ? `PostgreSQL suite: ON (DELVIA_TEST_DATABASE_URL is set; each test file uses a schema of its own).`
    : "PostgreSQL suite: SKIPPED — set DELVIA_TEST_DATABASE_URL=postgres://user@host:5432/db to run the store and API suites on PostgreSQL too.",
);
for (const [title, [bin, ...args]] of steps) {
  console.log(`\n▶ ${title}`);
  const started = Date.now();
  const r = spawnSync("npx", ["--no-install", bin!, ...args], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`\n✗ ${title} failed.`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
if (!pg) console.log("\nNote: the PostgreSQL suite was SKIPPED (DELVIA_TEST_DATABASE_URL not set).");
