// npm run bench:account-page [-- 100000] [--rate N] [--seconds N] [--connections N] [--db sqlite|postgres] [--whole-record]
//
// The account page API of a real `delvia serve` on 127.0.0.1 over the synthetic agency workspace
// of bench:access and bench:findings (1,000,000 grants by default: three agency Business Centers
// with ~79,000 assignments each, ~1,500 client accounts of ~650): GET …/accounts/{id}/page for
// accounts picked uniformly at random, at 1,000 requests/s for 20 s through autocannon's rate limit
// (each connection sends its share of a second back to back, so requests come in bursts),
// then the largest accounts alone, then the uniform mix again while grants are written 10 times a
// second (a write makes the pages of the accounts it names be built again; the others are kept),
// then that last run evenly paced (one request due every millisecond, each timed from when it was
// due, as in bench:load). Target: p99 ≤ 15 ms. --whole-record also times what the page loaded before it had its own API
// (every list of the workspace).
import { availableParallelism, loadavg } from "node:os";
import autocannon from "autocannon";
import type { Kysely } from "kysely";
import { getPlatform, narrowestRole } from "../src/core/catalog/index.ts";
import { uuidv7 } from "../src/core/ids.ts";
import { bulkInsert } from "../src/store/bulk-insert.ts";
import { appendHistoryBatch, type HistoryDraft } from "../src/store/history.ts";
import type { DB } from "../src/store/schema.ts";
import { inTransaction } from "../src/store/transaction.ts";
import {
  type Fill,
  type Kind,
  log,
  mb,
  ms,
  n,
  paced,
  printTable,
  type Server,
  seed,
  serverProblems,
  signIn,
  startServer,
} from "./load-common.ts";
import { agencyWorkspace, rng } from "./synthetic.ts";

// ---------------------------------------------------------------------------------------------
// Arguments

const argv = process.argv.slice(2);
let grants = 1_000_000;
let rate = 1000;
let seconds = 20;
let connections = 20;
let wholeRecord = false;
let kinds: Kind[] = ["sqlite"];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  const num = () => {
    const v = Number(argv[++i]);
    if (!(v > 0)) throw new Error(`${a} takes a positive number`);
    return v;
  };
  if (a === "--rate") rate = num();
  else if (a === "--seconds") seconds = num();
  else if (a === "--connections") connections = num();
  else if (a === "--whole-record") wholeRecord = true;
  else if (a === "--db") {
    const k = argv[++i];
    if (k !== "sqlite" && k !== "postgres") throw new Error("--db takes sqlite or postgres");
    if (k === "postgres" && !process.env.DELVIA_TEST_DATABASE_URL)
      throw new Error("--db postgres needs DELVIA_TEST_DATABASE_URL");
    kinds = [k];
  } else if (/^\d[\d_]*$/.test(a)) grants = Number(a.replaceAll("_", ""));
  else throw new Error(`Unknown argument ${a}`);
}

// ---------------------------------------------------------------------------------------------
// Seeding: the synthetic agency workspace, written through the store's bulk insert and history

const ASSET_TYPE: Record<string, string> = {
  tiktok: "ad_account",
  meta: "ad_account",
  "google-ads": "conversion_action",
};
const CHUNK = 100_000;

/**
 * `agencyWorkspace` (bench/synthetic.ts) as rows of the Record, each entity with its "create"
 * event in the hash-chained history (listed under its accounts and people as the store does).
 * Its grants are not an importable sheet (it repeats subject and target with other details, as
 * hand-kept sheets do), so they are inserted as they are.
 */
const fillAgency: Fill = async (db, ws, target, t0) => {
  const s = agencyWorkspace({ grants: target });
  const at = new Date().toISOString();
  const now = new Date(at);
  const actor = { userId: null, label: "account page bench" };
  const stamp = { workspace_id: ws, created_at: at, updated_at: at };
  const orgs = new Map<string, string>();
  const orgOf = (name: string) => {
    const key = name.startsWith("Agency") ? "Bright Agency" : name.split(" ").slice(0, 2).join(" ");
    let id = orgs.get(key);
    if (!id) {
      id = uuidv7();
      orgs.set(key, id);
    }
    return id;
  };
  const people = s.people.map((p, i) => ({
    ...stamp,
    id: p.id,
    name: p.name,
    organization_id: orgOf(p.name),
    status: p.status,
    left_on: p.status === "departed" ? "2026-10-01" : null,
    notes: null,
    email: `p${i}@${p.name.startsWith("Agency") ? "agency" : "client"}.test`,
  }));
  const accountOrg = new Map(s.accounts.map((a) => [a.id, orgOf(a.name)]));
  const accounts = s.accounts.map((a, i) => ({
    ...stamp,
    id: a.id,
    platform: a.platform,
    platform_id: String(7_000_000 + i),
    name: a.name,
    name_key: a.name.toLowerCase(),
    organization_id: accountOrg.get(a.id)!,
    owner_person_id: null,
    backup_owner_person_id: null,
    review_cadence_days: i % 2 ? 90 : null,
    last_reviewed_on: null,
    recovery_email_holder: null,
    two_factor_holder: null,
    notes: null,
  }));
  const platformOf = new Map(s.accounts.map((a) => [a.id, a.platform]));
  const holderOf = new Map(s.assets.map((x) => [x.id, x.accountId]));
  const assets = s.assets.map((x) => ({
    ...stamp,
    id: x.id,
    account_id: x.accountId,
    organization_id: accountOrg.get(x.accountId)!,
    type: ASSET_TYPE[platformOf.get(x.accountId)!] ?? "ad_account",
    name: x.name,
    platform_id: null,
    notes: null,
  }));
  const knowers = new Map<string, { workspace_id: string; shared_login_id: string; person_id: string }>();
  for (const l of s.sharedLogins)
    for (const p of l.knownByPersonIds)
      knowers.set(`${l.id}:${p}`, { workspace_id: ws, shared_login_id: l.id, person_id: p });

  await inTransaction(db, async (trx) => {
    const put = (table: keyof DB & string, rows: Record<string, unknown>[]) =>
      bulkInsert(db, trx, table, rows);
    await put(
      "record_organization",
      [...orgs].map(([name, id]) => ({
        ...stamp,
        id,
        name,
        name_key: name.toLowerCase(),
        kind: name === "Bright Agency" ? "agency" : "client",
        notes: null,
      })),
    );
    await put(
      "person",
      people.map(({ email: _e, ...p }) => p),
    );
    await put(
      "person_email",
      people.map((p) => ({ workspace_id: ws, email: p.email, person_id: p.id })),
    );
    await put("platform_account", accounts);
    await put("platform_asset", assets);
    await put(
      "shared_login",
      s.sharedLogins.map((l) => ({
        ...stamp,
        id: l.id,
        label: l.label,
        label_key: l.label.toLowerCase(),
        notes: null,
      })),
    );
    await put("shared_login_knower", [...knowers.values()]);
    const events: HistoryDraft[] = [
      ...[...orgs].map(([name, id]) => ({
        entityType: "organization",
        entityId: id,
        action: "create",
        after: { name },
      })),
      ...people.map((p) => ({
        entityType: "person",
        entityId: p.id,
        action: "create",
        after: { name: p.name, emails: [p.email], status: p.status, leftOn: p.left_on },
      })),
      ...accounts.map((a) => ({
        entityType: "account",
        entityId: a.id,
        action: "create",
        after: { platform: a.platform, name: a.name, platformId: a.platform_id },
      })),
      ...assets.map((x) => ({
        entityType: "asset",
        entityId: x.id,
        action: "create",
        after: { name: x.name, type: x.type, accountId: x.account_id },
      })),
      ...s.sharedLogins.map((l) => ({
        entityType: "shared_login",
        entityId: l.id,
        action: "create",
        after: { label: l.label, knownByPersonIds: l.knownByPersonIds },
      })),
    ];
    await appendHistoryBatch(trx, ws, actor, now, events, db);
  });
  log(`entities written (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  for (let i = 0; i < s.grants.length; i += CHUNK) {
    const part = s.grants.slice(i, i + CHUNK);
    await inTransaction(db, async (trx) => {
      const rows = part.map((g) => ({
        ...stamp,
        id: g.id,
        subject_type: g.subject.type,
        subject_person_id: g.subject.type === "person" ? g.subject.personId : null,
        subject_account_id: g.subject.type === "partner" ? g.subject.accountId : null,
        subject_shared_login_id: g.subject.type === "shared_login" ? g.subject.sharedLoginId : null,
        subject_name: g.subject.type === "system_user" ? g.subject.name : null,
        target_account_id: g.target.accountId,
        target_asset_id: g.target.assetId,
        role: g.role,
        status: g.status,
        invited_on: g.status === "pending" ? "2026-10-01" : null,
        granted_on: g.status === "pending" ? null : "2026-03-15",
        expires_on: g.expiresOn,
        revoked_on: g.status === "revoked" ? "2026-09-01" : null,
        granted_by: null,
        reason: null,
        source: "imported",
        last_verified_on: null,
        notes: null,
      }));
      await bulkInsert(db, trx, "access_grant", rows);
      await appendHistoryBatch(
        trx,
        ws,
        actor,
        now,
        part.map((g) => ({
          entityType: "grant",
          entityId: g.id,
          action: "create",
          after: {
            subject: g.subject,
            target: g.target,
            role: g.role,
            status: g.status,
            expiresOn: g.expiresOn,
          },
          refs: [g.target.assetId ? holderOf.get(g.target.assetId) : null],
        })),
        db,
      );
    });
    log(
      `seeded ${n(Math.min(s.grants.length, i + CHUNK))} / ${n(s.grants.length)} grants (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
};

// ---------------------------------------------------------------------------------------------
// Measuring

interface Sample {
  account: string;
  ms: number;
  status: number;
  /** The first request for this account in the run. */
  first: boolean;
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;

function row(label: string, samples: Sample[], secondsRun: number): string[] {
  const t = samples.map((x) => x.ms).sort((a, b) => a - b);
  const non2xx = samples.filter((x) => x.status < 200 || x.status > 299).length;
  return [
    label,
    n(samples.length),
    secondsRun ? `${n(Math.round(samples.length / secondsRun))}/s` : "",
    ms(pct(t, 50)),
    ms(pct(t, 99)),
    ms(t.at(-1) ?? Number.NaN),
    n(non2xx),
  ];
}

/**
 * GET the page of `pick()`'s account at `rate` requests/s for `secondsRun` s, rate-limited by
 * autocannon (a burst per connection each second), timing each answer; `during` runs beside it (writes).
 */
async function run(
  server: Server,
  cookie: string,
  workspaceId: string,
  pick: () => string,
  secondsRun: number,
  during?: () => Promise<void>,
): Promise<{ samples: Sample[]; errors: number; timeouts: number }> {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  type Ctx = { account?: string; t0?: number; first?: boolean };
  const instance = autocannon({
    url: server.url,
    connections,
    overallRate: rate,
    duration: secondsRun,
    timeout: 30,
    ignoreCoordinatedOmission: true,
    requests: [
      {
        setupRequest: (req, context) => {
          const ctx = context as Ctx;
          const account = pick();
          ctx.account = account;
          ctx.first = !seen.has(account);
          seen.add(account);
          ctx.t0 = performance.now();
          return {
            ...req,
            method: "GET",
            path: `/api/v1/workspaces/${workspaceId}/accounts/${account}/page`,
            headers: { cookie, origin: server.url },
          };
        },
        onResponse: (status, _body, context) => {
          const ctx = context as Ctx;
          if (!ctx.account || ctx.t0 === undefined) return;
          samples.push({ account: ctx.account, ms: performance.now() - ctx.t0, status, first: !!ctx.first });
        },
      },
    ],
  }) as unknown as Promise<autocannon.Result>;
  const side = during?.();
  const result = await instance;
  await side;
  return { samples, errors: result.errors, timeouts: result.timeouts };
}

/**
 * The same, evenly paced (one request due every 1/rate s, each timed from when it was due, so a
 * slow answer also delays the ones queued behind it): the target's pacing, as in bench:load.
 */
async function runEven(
  server: Server,
  cookie: string,
  workspaceId: string,
  pick: () => string,
  secondsRun: number,
  during?: () => Promise<void>,
): Promise<{ samples: Sample[]; errors: number; timeouts: number }> {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  let errors = 0;
  let timeouts = 0;
  const side = during?.();
  await paced(
    server.url,
    () => {
      const account = pick();
      const first = !seen.has(account);
      seen.add(account);
      return { path: `/api/v1/workspaces/${workspaceId}/accounts/${account}/page`, account, first };
    },
    {
      rate,
      seconds: secondsRun,
      connections,
      headers: { cookie, origin: server.url },
      done: (q, status, latency) => samples.push({ account: q.account, ms: latency, status, first: q.first }),
      failed: (_q, code) => {
        if (code === "timeout") timeouts++;
        else errors++;
      },
    },
  );
  await side;
  return { samples, errors, timeouts };
}

// ---------------------------------------------------------------------------------------------
// The run

const summary: string[][] = [];
for (const kind of kinds) {
  log(`${kind}: seeding the agency workspace of ${n(grants)} grants`);
  const backend = await seed(kind, grants, fillAgency);
  try {
    const { openDatabase } = await import("../src/store/database.ts");
    const database = openDatabase(
      kind === "sqlite"
        ? { kind: "sqlite", path: backend.databaseUrl }
        : { kind: "postgres", url: backend.databaseUrl },
    );
    let sizes: { id: string; name: string; grants: number }[];
    let totalGrants: number;
    // The narrowest role each asset takes, so every write the bench makes is valid for its platform.
    const roleOf = new Map<string, string>();
    try {
      sizes = await accountSizes(database.db, backend.ids.workspaceId);
      for (const x of await database.db
        .selectFrom("platform_asset as x")
        .innerJoin("platform_account as a", (j) =>
          j.onRef("a.workspace_id", "=", "x.workspace_id").onRef("a.id", "=", "x.account_id"),
        )
        .select(["x.id", "x.type", "a.platform"])
        .where("x.workspace_id", "=", backend.ids.workspaceId)
        .execute()) {
        const platform = getPlatform(x.platform);
        const role = platform && narrowestRole(platform, x.type, () => true);
        if (role) roleOf.set(x.id, role.name);
      }
      totalGrants = sizes.reduce((sum, a) => sum + a.grants, 0);
    } finally {
      await database.close();
    }
    log(`${kind}: seeded in ${backend.seedSeconds.toFixed(0)} s; starting the server`);
    const server = await startServer(backend);
    try {
      const cookie = await signIn(server.url);
      const ws = backend.ids.workspaceId;
      const base = `${server.url}/api/v1/workspaces/${ws}`;
      const headers = { cookie, origin: server.url };
      const timed = async (path: string) => {
        const t = performance.now();
        const res = await fetch(`${base}/${path}`, { headers });
        const body = await res.arrayBuffer();
        if (res.status !== 200)
          throw new Error(`${path}: ${res.status} ${new TextDecoder().decode(body).slice(0, 300)}`);
        return { ms: performance.now() - t, bytes: body.byteLength };
      };
      const largest = sizes.slice(0, 3);
      const steps: string[][] = [
        ["seed (bulk insert + history)", `${backend.seedSeconds.toFixed(0)} s`, ""],
        ["server start", `${server.startSeconds.toFixed(1)} s`, ""],
      ];
      const first = await timed("findings");
      steps.push(["first GET /findings (full scan)", ms(first.ms), ""]);
      const firstPage = await timed(`accounts/${largest[0]!.id}/page`);
      steps.push([
        `first page, ${largest[0]!.name} (index load)`,
        ms(firstPage.ms),
        `${n(firstPage.bytes)} B`,
      ]);
      for (const a of largest) {
        const cold = await timed(`accounts/${a.id}/page?limit=11`);
        const again = await timed(`accounts/${a.id}/page?limit=11`);
        steps.push([
          `page of ${a.name} (${n(a.grants)} grants): built / again`,
          `${ms(cold.ms)} / ${ms(again.ms)}`,
          `${n(cold.bytes)} B`,
        ]);
      }
      const typical = sizes[Math.floor(sizes.length / 2)]!;
      const cold = await timed(`accounts/${typical.id}/page?limit=11`);
      steps.push([
        `page of ${typical.name} (${n(typical.grants)} grants, the median): built`,
        ms(cold.ms),
        `${n(cold.bytes)} B`,
      ]);

      const r = rng(7);
      const uniform = () => sizes[Math.floor(r() * sizes.length)]!.id;
      const big = new Set(largest.map((a) => a.id));
      const bigOnly = () => largest[Math.floor(r() * largest.length)]!.id;

      log(
        `${kind}: ${rate} pages/s for ${seconds} s, accounts uniformly at random (${n(sizes.length)} accounts)`,
      );
      const loadStart = loadavg()[0]!;
      const u = await run(server, cookie, ws, uniform, seconds);
      log(
        `${kind}: ${rate} pages/s for ${Math.ceil(seconds / 2)} s, the ${largest.length} largest accounts only`,
      );
      const l = await run(server, cookie, ws, bigOnly, Math.ceil(seconds / 2));
      log(`${kind}: ${rate} pages/s for ${seconds} s, uniformly, with 10 grant writes/s`);
      let writes = 0;
      let writeErrors = 0;
      const writer = async () => {
        const wr = rng(11);
        const end = Date.now() + seconds * 1000;
        const people = backend.ids.people;
        while (Date.now() < end) {
          const asset = backend.ids.assets[Math.floor(wr() * backend.ids.assets.length)]!;
          const res = await fetch(`${base}/grants`, {
            method: "POST",
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify({
              subject: { type: "person", personId: people[Math.floor(wr() * people.length)] },
              target: { accountId: asset.accountId, assetId: asset.id },
              role: roleOf.get(asset.id) ?? "Analyst",
            }),
          });
          const body = await res.arrayBuffer();
          if (res.status === 201) writes++;
          else if (++writeErrors === 1)
            log(`a write failed: ${res.status} ${new TextDecoder().decode(body).slice(0, 300)}`);
          await new Promise((res) => setTimeout(res, 100));
        }
      };
      const w = await run(server, cookie, ws, uniform, seconds, writer);
      const writesBefore = writes;
      log(`${kind}: ${rate} pages/s for ${seconds} s, evenly paced, uniformly, with 10 grant writes/s`);
      const e = await runEven(server, cookie, ws, uniform, seconds, writer);
      const evenWrites = writes - writesBefore;
      const loadEnd = loadavg()[0]!;
      const memory = await server.memory();

      console.log(
        `\n## ${kind}: the account page API over ${n(totalGrants)} grants, ${n(sizes.length)} accounts\n`,
      );
      printTable(["step", "time", "answer"], steps);
      console.log(
        `\n${rate} GET …/accounts/{id}/page per second through autocannon over ${connections} connections (target p99 ≤ 15 ms)\n`,
      );
      printTable(
        ["run", "requests", "throughput", "p50", "p99", "max", "non-2xx"],
        [
          row(`uniform, ${seconds} s: all`, u.samples, seconds),
          row(
            "  first view of an account (built)",
            u.samples.filter((x) => x.first),
            0,
          ),
          row(
            "  views again (kept)",
            u.samples.filter((x) => !x.first),
            0,
          ),
          row(
            `  the ${big.size} largest accounts`,
            u.samples.filter((x) => big.has(x.account)),
            0,
          ),
          row(`largest ${big.size} only, ${Math.ceil(seconds / 2)} s`, l.samples, Math.ceil(seconds / 2)),
          row(`uniform + ${n(writesBefore)} grant writes, ${seconds} s`, w.samples, seconds),
          row(
            "  the largest accounts",
            w.samples.filter((x) => big.has(x.account)),
            0,
          ),
          row(`evenly paced: uniform + ${n(evenWrites)} grant writes, ${seconds} s`, e.samples, seconds),
          row(
            "  first view of an account (built)",
            e.samples.filter((x) => x.first),
            0,
          ),
          row(
            "  views again",
            e.samples.filter((x) => !x.first),
            0,
          ),
        ],
      );
      const errs =
        u.errors + l.errors + w.errors + e.errors + u.timeouts + l.timeouts + w.timeouts + e.timeouts;
      console.log(
        `\nClient errors/timeouts: ${errs}; write errors: ${writeErrors}; server RSS ${mb(memory.rss)}, heap ${mb(memory.heapUsed)}; host load ${loadStart.toFixed(1)} → ${loadEnd.toFixed(1)} on ${availableParallelism()} CPUs`,
      );
      const problems = serverProblems(server);
      if (problems.length) console.log(`\nServer errors (last ${problems.length}):\n${problems.join("\n")}`);
      if (wholeRecord) {
        console.log(
          "\nWhat the account page loaded before it had its own API (every list of the workspace):\n",
        );
        const rows: string[][] = [];
        for (const list of ["organizations", "people", "accounts", "assets", "shared-logins", "grants"]) {
          try {
            const t = await timed(list);
            rows.push([`GET /${list}`, ms(t.ms), `${n(t.bytes)} B`]);
          } catch (err) {
            rows.push([`GET /${list}`, "failed", String((err as Error).message).slice(0, 80)]);
          }
        }
        printTable(["request", "time", "answer"], rows);
      }
      const all = u.samples.map((x) => x.ms).sort((a, b) => a - b);
      summary.push([
        kind,
        n(totalGrants),
        n(u.samples.length),
        ms(pct(all, 50)),
        ms(pct(all, 99)),
        ms(all.at(-1) ?? 0),
      ]);
    } finally {
      await server.stop();
    }
  } finally {
    await backend.cleanup();
  }
}
if (summary.length > 1) {
  console.log("");
  printTable(["database", "grants", "requests", "p50", "p99", "max"], summary);
}

/** Every account with the number of grants recorded in it, largest first. */
async function accountSizes(db: Kysely<DB>, workspaceId: string) {
  const rows = await db
    .selectFrom("platform_account as a")
    .leftJoin("access_grant as g", (j) =>
      j.onRef("g.workspace_id", "=", "a.workspace_id").onRef("g.target_account_id", "=", "a.id"),
    )
    .select((eb) => ["a.id", "a.name", eb.fn.count<number | string>("g.id").as("n")])
    .where("a.workspace_id", "=", workspaceId)
    .groupBy(["a.id", "a.name"])
    .execute();
  return rows
    .map((x) => ({ id: x.id, name: x.name, grants: Number(x.n) }))
    .sort((x, y) => y.grants - x.grants);
}
