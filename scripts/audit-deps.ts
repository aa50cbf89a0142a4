// npm run audit:deps — the dependency-advisory gate: no high or critical advisory in production
// dependencies. Each remaining lower advisory must be listed with its reason in
// docs/security/advisories.json. Where the registry's advisory service cannot be reached (some
// networks allow only package downloads), it says so plainly instead of passing silently.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

interface Advisory {
  severity: "info" | "low" | "moderate" | "high" | "critical";
  via: (string | { title: string; url: string; source: number })[];
}

const accepted = JSON.parse(readFileSync("docs/security/advisories.json", "utf8")) as Record<string, string>;
const r = spawnSync("npm", ["audit", "--omit=dev", "--json"], { encoding: "utf8" });
const report = JSON.parse(r.stdout || "{}") as {
  statusCode?: number;
  message?: string;
  vulnerabilities?: Record<string, Advisory>;
};
if (!report.vulnerabilities) {
  console.log(
    `audit:deps UNAVAILABLE — the advisory service answered: ${report.message ?? r.stderr.trim()}. Run it where registry.npmjs.org/-/npm/v1/security is reachable.`,
  );
  process.exit(process.env.DELVIA_REQUIRE_AUDIT ? 1 : 0);
}
const rows = Object.entries(report.vulnerabilities).map(([name, v]) => ({
  name,
  severity: v.severity,
  titles: v.via.map((x) => (typeof x === "string" ? `via ${x}` : x.title)).join("; "),
  reason: accepted[name],
}));
const blocking = rows.filter((x) => x.severity === "high" || x.severity === "critical");
const unexplained = rows.filter((x) => !x.reason && !blocking.includes(x));
console.table(rows);
if (blocking.length || unexplained.length) {
  for (const b of blocking) console.error(`BLOCKING ${b.severity}: ${b.name} — ${b.titles}`);
  for (const u of unexplained)
    console.error(
      `UNEXPLAINED ${u.severity}: ${u.name} — add its reason to docs/security/advisories.json or upgrade`,
    );
  process.exit(1);
}
console.log(
  `audit:deps ok — ${rows.length} advisory(ies) in production dependencies, none high or critical, each explained.`,
);
