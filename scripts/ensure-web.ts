// Build the Record web app when dist/web is missing or older than its sources, so `npm start`
// on a fresh clone serves a working app and later starts skip the build.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const built = join(root, "dist/web/index.html");

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

const stale = !existsSync(built) || newest(join(root, "src/web")) > statSync(built).mtimeMs;
if (stale) {
  console.log("Building the web app (first start, or its sources changed)…");
  const r = spawnSync(
    "npx",
    ["--no-install", "vite", "build", "--config", "src/web/vite.config.ts", "--logLevel", "warn"],
    { cwd: root, stdio: "inherit" },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
