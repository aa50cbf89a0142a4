#!/usr/bin/env node
// Delvia runs its TypeScript sources directly, which needs Node 24. The project installs Node 24
// as a dependency; if an older Node started this file, hand over to that one.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const major = Number(process.versions.node.split(".")[0]);
if (major >= 24) {
  await import(join(root, "src/cli/main.ts"));
} else {
  const node = join(root, "node_modules/node/bin/node");
  const result = spawnSync(node, [join(root, "src/cli/main.ts"), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  if (result.error) {
    console.error(`Delvia needs Node 24; run 'npm ci' in ${root} first (${result.error.message}).`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}
