// npm run bench:findings — a full findings scan over synthetic agency workspaces.
import { findingsCatalog } from "../src/core/catalog/findings-catalog.ts";
import type { FindingsInput } from "../src/core/findings/rules.ts";
import { scanFindings } from "../src/core/findings/rules.ts";
import { agencyWorkspace } from "./synthetic.ts";

const sizes = (process.argv[2] ?? "10000,100000,1000000").split(",").map(Number);
const rows: string[][] = [];
for (const size of sizes) {
  const s = agencyWorkspace({ grants: size });
  const input: FindingsInput = {
    asOf: "2026-11-24",
    people: s.people.map((p, i) => ({
      ...p,
      emails: [`p${i}@${i % 50 === 0 ? "gmail.com" : "acme.test"}`],
      organizationId: p.name.startsWith("Agency") ? "agency" : `client-${p.name.split(" ")[1]}`,
    })),
    accounts: s.accounts.map((a) => ({
      ...a,
      platformId: null,
      organizationId: a.name.startsWith("Agency") ? "agency" : `client-${a.name.split(" ")[1]}`,
      ownerPersonId: null,
      reviewCadenceDays: 90,
      lastReviewedOn: null,
      createdOn: "2026-01-01",
    })),
    assets: s.assets.map((a) => ({ ...a, type: "ad_account", platformId: null })),
    sharedLogins: s.sharedLogins,
    grants: s.grants.map((g) => ({ ...g, invitedOn: g.status === "pending" ? "2026-10-01" : null })),
  };
  const runs: number[] = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    count = scanFindings(input, findingsCatalog).length;
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  rows.push([
    input.grants.length.toLocaleString("en"),
    count.toLocaleString("en"),
    `${runs[0]!.toFixed(0)} ms`,
    `${runs[1]!.toFixed(0)} ms`,
  ]);
}
const header = ["grants", "findings", "full scan (best of 3)", "median"];
const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (c: string[]) => `| ${c.map((x, i) => x.padStart(w[i]!)).join(" | ")} |`;
console.log(line(header));
console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
