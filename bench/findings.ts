// npm run bench:findings [sizes] [--service sizes] — a full findings scan over synthetic agency
// workspaces, next to the incremental re-check after one grant change (in process), then the
// service path on SQLite (store load + re-check + reconcile) after one grant write.
import { findingsCatalog } from "../src/core/catalog/findings-catalog.ts";
import {
  describeChange,
  memoryScopeReader,
  type RecheckScope,
  recheckFindings,
  recheckScope,
} from "../src/core/findings/recheck.ts";
import {
  accountFacts,
  type FGrant,
  type FindingsInput,
  findingInScope,
  grantSubjectId,
  scanFindings,
  WHOLE_ACCOUNT,
} from "../src/core/findings/rules.ts";
import { serviceBench } from "./findings-service.ts";
import { ms, n, printTable } from "./load-common.ts";
import { findingsWorkspace, rng } from "./synthetic.ts";

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
  const w = findingsWorkspace(size);
  const runs: number[] = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    count = scanFindings(w, findingsCatalog).length;
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);

  // Re-check after one grant change. It affects its subject's findings on its account before and
  // after, those accounts' own rules and its person's organization there. The slice of those
  // (account, subject) pairs comes from an index of the grants by account and subject, kept up to
  // date like the database's indexes; each account's facts (admins, outsiders) are what the store
  // counts with a few queries, worked out here before the clock starts. "whole accounts" re-checks
  // every subject of the same accounts, as the re-check did before it was per subject.
  const key = (accountId: string, subjectId: string) => `${accountId} ${subjectId}`;
  const byPair = new Map<string, FGrant[]>();
  const sizeOf = new Map<string, number>();
  for (const g of w.grants) {
    const k = key(g.target.accountId, grantSubjectId(g));
    const list = byPair.get(k);
    if (list) list.push(g);
    else byPair.set(k, [g]);
    sizeOf.set(g.target.accountId, (sizeOf.get(g.target.accountId) ?? 0) + 1);
  }
  const accounts = new Map(w.accounts.map((a) => [a.id, a]));
  const people = new Map(w.people.map((p) => [p.id, p]));
  const logins = new Map(w.sharedLogins.map((l) => [l.id, l]));
  const slice = (scope: RecheckScope): FindingsInput => {
    const grants = [...scope].flatMap(([account, s]) =>
      s.subjects === "all"
        ? []
        : [...s.subjects].flatMap((subject) => byPair.get(key(account, subject)) ?? []),
    );
    const acc = new Set(scope.keys());
    const ppl = new Set<string>();
    const lgn = new Set<string>();
    for (const g of grants) {
      const s = g.subject;
      if (s.type === "person") ppl.add(s.personId);
      else if (s.type === "partner") acc.add(s.accountId);
      else if (s.type === "shared_login") lgn.add(s.sharedLoginId);
    }
    for (const id of scope.keys()) {
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
      grants: grants.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)),
    };
  };
  const r = rng(size);
  const total: number[] = [];
  const whole: number[] = [];
  const largeTotal: number[] = [];
  const largest = Math.max(...sizeOf.values());
  for (let i = -5; i < CHANGES; i++) {
    const { index, next } = change(w, r);
    const old = w.grants[index]!;
    w.grants[index] = next;
    const from = byPair.get(key(old.target.accountId, grantSubjectId(old)))!;
    from.splice(from.indexOf(old), 1);
    const toKey = key(next.target.accountId, grantSubjectId(next));
    const to = byPair.get(toKey) ?? [];
    byPair.set(toKey, to);
    to.push(next);
    const scope = await recheckScope(
      [describeChange("grant", old.id, old as never, next as never)!],
      memoryScopeReader(w),
    );
    const facts = new Map([...scope.keys()].map((id) => [id, accountFacts(w, findingsCatalog, id)]));
    const t0 = performance.now();
    const found = recheckFindings(slice(scope), findingsCatalog, scope, facts);
    const t1 = performance.now();
    const all: RecheckScope = new Map([...scope.keys()].map((id) => [id, WHOLE_ACCOUNT]));
    const check = recheckFindings(w, findingsCatalog, all, new Map());
    const t2 = performance.now();
    if (found.length !== check.filter((f) => findingInScope(f, scope)).length)
      throw new Error("the per-subject re-check and the whole accounts' disagree");
    if (i < 0) continue;
    total.push(t1 - t0);
    whole.push(t2 - t1);
    if ([...scope.keys()].some((id) => sizeOf.get(id)! * 2 >= largest)) largeTotal.push(t1 - t0);
  }
  total.sort((a, b) => a - b);
  whole.sort((a, b) => a - b);
  largeTotal.sort((a, b) => a - b);
  rows.push([
    n(w.grants.length),
    n(count),
    ms(runs[1]!),
    ms(pct(total, 0.5)),
    ms(pct(total, 0.99)),
    largeTotal.length ? `${ms(largeTotal.at(-1)!)} (${largeTotal.length})` : "-",
    ms(pct(whole, 0.5)),
    ms(pct(whole, 0.99)),
    n(largest),
  ]);
}
console.log(
  `In process: full scan (median of 3) vs re-check after one grant change (${CHANGES} random changes), per subject and of the whole accounts`,
);
printTable(
  [
    "grants",
    "findings",
    "full scan",
    "re-check p50",
    "re-check p99",
    "on a largest account: max (n)",
    "whole accounts p50",
    "whole accounts p99",
    "largest account",
  ],
  rows,
);

if (serviceSizes.length) {
  console.log("");
  await serviceBench(serviceSizes, CHANGES);
}
