// npm run bench:findings [sizes] [--service sizes] — a full findings scan over synthetic agency
// workspaces, next to the incremental re-check after one grant change (in process), then the
// service path on SQLite (store load + re-check + reconcile) after one grant write.
import { findingsCatalog } from "../src/core/catalog/findings-catalog.ts";
import { recheckFindings } from "../src/core/findings/recheck.ts";
import type { FGrant, FindingsInput } from "../src/core/findings/rules.ts";
import { scanFindings } from "../src/core/findings/rules.ts";
import { serviceBench } from "./findings-service.ts";
import { ms, n, printTable } from "./load-common.ts";
import { agencyWorkspace, rng } from "./synthetic.ts";

const args = process.argv.slice(2);
const flag = args.indexOf("--service");
const list = (s: string | undefined, d: string) =>
  (s ?? d)
    .split(",")
    .filter(Boolean)
    .map((x) => Number(x.replaceAll("_", "")));
const sizes = list(args[0]?.startsWith("--") ? undefined : args[0], "10000,100000,1000000");
const serviceSizes = list(flag >= 0 ? args[flag + 1] : undefined, "100000");
const CHANGES = 50;

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

function input(size: number): FindingsInput {
  const s = agencyWorkspace({ grants: size });
  return {
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
    // One object shape per grant, as the store's rows map to.
    grants: s.grants.map(
      (g): FGrant => ({
        id: g.id,
        subject: g.subject,
        target: { accountId: g.target.accountId, assetId: g.target.assetId },
        role: g.role,
        status: g.status,
        invitedOn: g.status === "pending" ? "2026-10-01" : null,
        expiresOn: g.expiresOn,
      }),
    ),
  };
}

/** One random grant change: its status or role flips, or it moves to another account. */
function change(w: FindingsInput, r: () => number): { index: number; next: FGrant } {
  const index = Math.floor(r() * w.grants.length);
  const g = w.grants[index]!;
  const k = r();
  const next: FGrant =
    k < 0.4
      ? { ...g, status: g.status === "active" ? "revoked" : "active" }
      : k < 0.8
        ? { ...g, role: g.role === "Admin" ? "Standard" : "Admin" }
        : {
            ...g,
            target: { accountId: w.accounts[Math.floor(r() * w.accounts.length)]!.id, assetId: null },
          };
  return { index, next };
}

const rows: string[][] = [];
for (const size of sizes) {
  const w = input(size);
  const runs: number[] = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    count = scanFindings(w, findingsCatalog).length;
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);

  // Re-check after one grant change. The accounts it affects are its target before and after (the
  // history event's images). The slice of those accounts comes from a per-account index of the
  // grants, kept up to date like the database's index on target_account_id; the rules then run
  // over the slice only. "whole input" runs the same re-check over the full in-memory workspace.
  const byAccount = new Map<string, FGrant[]>();
  for (const g of w.grants) {
    const list = byAccount.get(g.target.accountId);
    if (list) list.push(g);
    else byAccount.set(g.target.accountId, [g]);
  }
  const accounts = new Map(w.accounts.map((a) => [a.id, a]));
  const people = new Map(w.people.map((p) => [p.id, p]));
  const logins = new Map(w.sharedLogins.map((l) => [l.id, l]));
  const slice = (ids: Set<string>): FindingsInput => {
    const grants = [...ids].flatMap((id) => byAccount.get(id) ?? []);
    const acc = new Set(ids);
    const ppl = new Set<string>();
    const lgn = new Set<string>();
    for (const g of grants) {
      const s = g.subject;
      if (s.type === "person") ppl.add(s.personId);
      else if (s.type === "partner") acc.add(s.accountId);
      else if (s.type === "shared_login") lgn.add(s.sharedLoginId);
    }
    for (const id of ids) {
      const a = accounts.get(id);
      if (a?.ownerPersonId) ppl.add(a.ownerPersonId);
    }
    const sharedLogins = [...lgn].flatMap((id) => logins.get(id) ?? []);
    for (const l of sharedLogins) for (const p of l.knownByPersonIds) ppl.add(p);
    return {
      asOf: w.asOf,
      people: [...ppl].flatMap((id) => people.get(id) ?? []),
      accounts: [...acc].flatMap((id) => accounts.get(id) ?? []),
      assets: [],
      sharedLogins,
      grants,
    };
  };
  const r = rng(size);
  const total: number[] = [];
  const whole: number[] = [];
  let affectedSum = 0;
  for (let i = -5; i < CHANGES; i++) {
    const { index, next } = change(w, r);
    const old = w.grants[index]!;
    w.grants[index] = next;
    const from = byAccount.get(old.target.accountId)!;
    from.splice(from.indexOf(old), 1);
    const to = byAccount.get(next.target.accountId) ?? [];
    byAccount.set(next.target.accountId, to);
    // Keep the per-account list in ID order, as the store reads it.
    const at = to.findIndex((g) => g.id > next.id);
    to.splice(at < 0 ? to.length : at, 0, next);
    const t0 = performance.now();
    const affected = new Set([old.target.accountId, next.target.accountId]);
    const found = recheckFindings(slice(affected), findingsCatalog, affected);
    const t1 = performance.now();
    const check = recheckFindings(w, findingsCatalog, affected);
    const t2 = performance.now();
    if (found.length !== check.length) throw new Error("the slice and the whole input disagree");
    if (i < 0) continue;
    total.push(t1 - t0);
    whole.push(t2 - t1);
    affectedSum += affected.size;
  }
  total.sort((a, b) => a - b);
  whole.sort((a, b) => a - b);
  // The worst case: a change on the account with the most grants (an agency's Business Center).
  const [largest, largestGrants] = [...byAccount].reduce((x, y) => (y[1].length > x[1].length ? y : x));
  const only = new Set([largest]);
  const largestRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    recheckFindings(slice(only), findingsCatalog, only);
    largestRuns.push(performance.now() - t0);
  }
  largestRuns.sort((a, b) => a - b);
  rows.push([
    n(w.grants.length),
    n(count),
    ms(runs[1]!),
    ms(pct(total, 0.5)),
    ms(pct(total, 0.99)),
    ms(pct(whole, 0.5)),
    (affectedSum / CHANGES).toFixed(1),
    `${ms(largestRuns[2]!)} (${n(largestGrants.length)} grants)`,
  ]);
}
console.log(
  `In process: full scan (median of 3) vs re-check after one grant change (${CHANGES} random changes)`,
);
printTable(
  [
    "grants",
    "findings",
    "full scan",
    "re-check p50",
    "re-check p99",
    "re-check, whole input p50",
    "accounts",
    "largest account",
  ],
  rows,
);

if (serviceSizes.length) {
  console.log("");
  await serviceBench(serviceSizes, CHANGES);
}
