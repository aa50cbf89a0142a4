/**
 * The findings service on SQLite, end to end without HTTP, over the same synthetic agency
 * workspace as the in-process bench (three agency Business Centers holding most grants, hundreds
 * of small client accounts): the first scan ever, a new day's scan (each in a worker thread, as in
 * the server, with the longest wait of the event loop meanwhile), GET /findings with nothing
 * changed, then one record write at a time followed by the refresh GET /findings does first
 * (history catch-up, affected scope, load, re-check with the access index as the server has it,
 * reconcile), split by the size of the account the write touched. Run by bench/findings.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Kysely, SqliteDialect } from "kysely";
import { fixedClock } from "../src/core/clock.ts";
import type { FindingsInput } from "../src/core/findings/rules.ts";
import type { GrantInput } from "../src/core/record/schemas.ts";
import { AccessService } from "../src/server/access-service.ts";
import {
  countOutsidersFromIndex,
  refreshFindings,
  workspaceFindings,
} from "../src/server/findings-service.ts";
import { openDatabase } from "../src/store/database.ts";
import { scanInThreads } from "../src/store/findings-scan.ts";
import { migrateToLatest } from "../src/store/migrate.ts";
import { getGrant, getPerson, updateGrant, updatePerson } from "../src/store/record.ts";
import type { DB } from "../src/store/schema.ts";
import { NodeSqliteDatabase } from "../src/store/sqlite.ts";
import { log, ms, n, printTable } from "./load-common.ts";
import { findingsWorkspace, organizationsOf, rng } from "./synthetic.ts";

export const WS = "00000000-0000-7000-8000-0000000f1d05";

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : Number.NaN;
const fmt = (x: number) => (Number.isNaN(x) ? "-" : ms(x));

/** Write the synthetic workspace straight into a migrated database, row by row, in one transaction. */
export async function seedDatabase(path: string, w: FindingsInput): Promise<void> {
  const sqlite = new NodeSqliteDatabase(path);
  const kysely = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(kysely);
    const db = sqlite.raw;
    const at = "2026-01-01T09:00:00.000Z";
    const insert = (table: string, columns: string[]) => {
      const stmt = db.prepare(
        `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
      );
      return (...values: (string | number | null)[]) => stmt.run(...values);
    };
    const rec = ["id", "workspace_id", "created_at", "updated_at"];
    db.exec("begin");
    insert("organization", ["id", "name", "slug", "createdAt"])(WS, "Findings bench", "findings-bench", at);
    const org = insert("record_organization", [...rec, "name", "name_key", "kind"]);
    for (const o of organizationsOf(w)) org(o.id, WS, at, at, o.name, o.name.toLowerCase(), "client");
    const person = insert("person", [...rec, "name", "organization_id", "status", "left_on"]);
    const email = insert("person_email", ["workspace_id", "email", "person_id"]);
    for (const p of w.people) {
      person(p.id, WS, at, at, p.name, p.organizationId, p.status, p.leftOn);
      for (const e of p.emails) email(WS, e, p.id);
    }
    const account = insert("platform_account", [
      ...rec,
      "platform",
      "name",
      "name_key",
      "organization_id",
      "owner_person_id",
      "review_cadence_days",
      "last_reviewed_on",
    ]);
    for (const a of w.accounts)
      account(
        a.id,
        WS,
        at,
        at,
        a.platform,
        a.name,
        a.name.toLowerCase(),
        a.organizationId,
        a.ownerPersonId,
        a.reviewCadenceDays,
        a.lastReviewedOn,
      );
    const orgOfAccount = new Map(w.accounts.map((a) => [a.id, a.organizationId]));
    const asset = insert("platform_asset", [...rec, "account_id", "organization_id", "type", "name"]);
    for (const x of w.assets)
      asset(x.id, WS, at, at, x.accountId, orgOfAccount.get(x.accountId)!, x.type, x.name);
    const login = insert("shared_login", [...rec, "label", "label_key"]);
    const knower = db.prepare(
      "insert or ignore into shared_login_knower (workspace_id, shared_login_id, person_id) values (?, ?, ?)",
    );
    for (const l of w.sharedLogins) {
      login(l.id, WS, at, at, l.label, l.label.toLowerCase());
      for (const p of l.knownByPersonIds) knower.run(WS, l.id, p);
    }
    const grant = insert("access_grant", [
      ...rec,
      "subject_type",
      "subject_person_id",
      "subject_account_id",
      "subject_shared_login_id",
      "subject_name",
      "target_account_id",
      "target_asset_id",
      "role",
      "status",
      "invited_on",
      "expires_on",
      "source",
    ]);
    for (const g of w.grants) {
      const s = g.subject;
      grant(
        g.id,
        WS,
        at,
        at,
        s.type,
        s.type === "person" ? s.personId : null,
        s.type === "partner" ? s.accountId : null,
        s.type === "shared_login" ? s.sharedLoginId : null,
        s.type === "system_user" ? s.name : null,
        g.target.accountId,
        g.target.assetId,
        g.role,
        g.status,
        g.invitedOn,
        g.expiresOn,
        "imported",
      );
    }
    db.exec("commit");
  } finally {
    await kysely.destroy();
  }
}

interface Sample {
  bucket: string;
  ms: number;
}

export async function serviceBench(sizes: number[], changes: number): Promise<void> {
  const scans: string[][] = [];
  const reads: string[][] = [];
  const rechecks: string[][] = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "delvia-findings-"));
    const path = join(dir, "delvia.db");
    try {
      log(`findings service: writing ${n(size)} grants to SQLite`);
      const t0 = performance.now();
      const w = findingsWorkspace(size);
      await seedDatabase(path, w);
      const seedSeconds = (performance.now() - t0) / 1000;
      const database = openDatabase({ kind: "sqlite", path });
      try {
        const db = database.db;
        const clock = fixedClock("2026-11-24T09:00:00.000Z");
        const events = async () =>
          Number(
            (
              await db
                .selectFrom("history")
                .select((eb) => eb.fn.countAll().as("n"))
                .where("workspace_id", "=", WS)
                .where("entity_type", "=", "finding")
                .executeTakeFirstOrThrow()
            ).n,
          );
        // As in the server: full scans in a worker thread, on a connection of their own.
        scanInThreads(db);
        // The longest the event loop waited during a scan: what every request waits at worst.
        const timed = async () => {
          const delay = monitorEventLoopDelay({ resolution: 10 });
          delay.enable();
          // Its timer takes a first reading before the scan starts, to measure the next from.
          await new Promise((resolve) => setTimeout(resolve, 30));
          const t = performance.now();
          const mode = await refreshFindings(db, clock, WS);
          const ms = performance.now() - t;
          // The monitor's timer records a wait when it next runs: let it, after the last part.
          await new Promise((resolve) => setTimeout(resolve, 30));
          delay.disable();
          return { mode, ms, stall: delay.max / 1e6 };
        };
        log("findings service: first scan");
        const first = await timed();
        const firstEvents = await events();
        clock.set("2026-11-25T09:00:00.000Z");
        log("findings service: a new day's scan");
        const day = await timed();
        const dayEvents = (await events()) - firstEvents;
        if (first.mode !== "full" || day.mode !== "full") throw new Error("expected full scans");
        const stored = Number(
          (
            await db
              .selectFrom("finding")
              .select((eb) => eb.fn.countAll().as("n"))
              .where("workspace_id", "=", WS)
              .executeTakeFirstOrThrow()
          ).n,
        );
        scans.push([
          n(size),
          `${seedSeconds.toFixed(0)} s`,
          n(stored),
          ms(first.ms),
          ms(first.stall),
          n(firstEvents),
          ms(day.ms),
          ms(day.stall),
          n(dayEvents),
        ]);

        // GET /findings with nothing changed: the refresh finds it fresh, then the answer.
        const gets: number[] = [];
        const fresh: number[] = [];
        let bytes = 0;
        let shown = 0;
        let open = 0;
        for (let i = -2; i < 20; i++) {
          const a = performance.now();
          if ((await refreshFindings(db, clock, WS)) !== "fresh") throw new Error("expected fresh");
          const b = performance.now();
          const answer = await workspaceFindings(db, clock, WS);
          const c = performance.now();
          if (i < 0) continue;
          fresh.push(b - a);
          gets.push(c - a);
          bytes = JSON.stringify(answer).length;
          shown = answer.findings.length;
          open = Object.values(answer.counts).reduce((s, x) => s + x, 0);
        }
        fresh.sort((x, y) => x - y);
        gets.sort((x, y) => x - y);
        reads.push([
          n(size),
          n(open),
          n(shown),
          `${(bytes / 1024).toFixed(0)} KiB`,
          ms(pct(fresh, 0.5)),
          ms(pct(gets, 0.5)),
          ms(pct(gets, 0.99)),
        ]);

        // As in the server: once the access index is built, a re-check counts an account's outside
        // people from it (the refresh catches it up to each write first).
        const access = new AccessService(db);
        await access.index(WS);
        countOutsidersFromIndex(db, access);

        // One record write, then the refresh. Grants on the largest accounts and on the others
        // are sampled separately, so the worst case is measured, not averaged away.
        const r = rng(size);
        const ctx = () => ({
          workspaceId: WS,
          actor: { userId: null, label: "findings bench" },
          now: clock.now(),
        });
        const sizeOf = new Map<string, number>();
        for (const g of w.grants) sizeOf.set(g.target.accountId, (sizeOf.get(g.target.accountId) ?? 0) + 1);
        // The largest accounts: those holding at least half as many grants as the largest one.
        const largest = Math.max(...sizeOf.values());
        const isLarge = (id: string) => sizeOf.get(id)! * 2 >= largest;
        const large = w.grants.filter((g) => isLarge(g.target.accountId));
        const small = w.grants.filter((g) => !isLarge(g.target.accountId));
        const largeSizes = [...sizeOf].filter(([id]) => isLarge(id)).map(([, k]) => k);
        const samples: Sample[] = [];
        const writes: number[] = [];
        const grantChange = async (pool: typeof w.grants, bucket: string, i: number) => {
          // An assignment inside a partner's account needs the partner's grant: skip the few
          // whose partner grant was revoked (by the seed, or by an earlier change here).
          for (;;) {
            const id = pool[Math.floor(r() * pool.length)]!.id;
            const { id: _id, createdAt: _c, updatedAt: _u, ...g } = await getGrant(db, WS, id);
            const next: GrantInput =
              i % 2 === 0 || g.subject.type === "partner"
                ? { ...g, role: g.role === "Admin" ? "Operator" : "Admin" }
                : g.status === "active"
                  ? { ...g, status: "revoked", revokedOn: "2026-11-25" }
                  : { ...g, status: "active", revokedOn: null };
            const w0 = performance.now();
            try {
              await updateGrant(db, ctx(), id, next);
            } catch (err) {
              if ((err as { code?: string }).code === "VALIDATION_FAILED") continue;
              throw err;
            }
            writes.push(performance.now() - w0);
            return bucket;
          }
        };
        const staff = w.people.filter((p) => p.name.startsWith("Agency"));
        const personChange = async () => {
          const p = await getPerson(db, WS, staff[Math.floor(r() * staff.length)]!.id);
          await updatePerson(db, ctx(), p.id, { status: p.status === "active" ? "departed" : "active" });
          return "person leaves or returns (agency staff)";
        };
        const plan: (() => Promise<string>)[] = [];
        for (let i = 0; i < changes; i++) {
          plan.push(() =>
            grantChange(
              large,
              `grant on one of the ${largeSizes.length} largest accounts (${n(Math.min(...largeSizes))}–${n(largest)} grants)`,
              i,
            ),
          );
          plan.push(() =>
            grantChange(
              small,
              `grant on another account (≤ ${n(Math.max(0, ...[...sizeOf.values()].filter((k) => k * 2 < largest)))} grants)`,
              i,
            ),
          );
          if (i % 5 === 0) plan.push(personChange);
        }
        for (let i = 0; i < plan.length; i++) {
          const bucket = await plan[i]!();
          const t = await timed();
          if (t.mode !== "recheck") throw new Error(`expected a re-check, got ${t.mode}`);
          if (i >= 3) samples.push({ bucket, ms: t.ms }); // the first few warm up
        }
        writes.sort((x, y) => x - y);
        const buckets = [...new Set(samples.map((s) => s.bucket))];
        for (const b of buckets) {
          const times = samples
            .filter((s) => s.bucket === b)
            .map((s) => s.ms)
            .sort((x, y) => x - y);
          rechecks.push([
            n(size),
            b,
            n(times.length),
            fmt(pct(times, 0.5)),
            fmt(pct(times, 0.99)),
            fmt(times.at(-1) ?? Number.NaN),
          ]);
        }
        rechecks.push([
          n(size),
          "the grant write itself",
          n(writes.length),
          fmt(pct(writes, 0.5)),
          fmt(pct(writes, 0.99)),
          fmt(writes.at(-1) ?? Number.NaN),
        ]);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log("SQLite service path: full scans (the first ever, then the next day's)");
  printTable(
    [
      "grants",
      "seed",
      "findings stored",
      "first scan",
      "longest event-loop wait",
      "history events",
      "new day's scan",
      "longest event-loop wait",
      "events written",
    ],
    scans,
  );
  console.log("\nGET /findings with nothing changed (refresh finds it fresh, then the answer)");
  printTable(
    ["grants", "open findings", "in the answer", "answer size", "fresh check p50", "GET p50", "GET p99"],
    reads,
  );
  console.log(`\nRefresh before GET /findings after one record write (${changes} writes of each kind)`);
  printTable(["grants", "write", "samples", "p50", "p99", "max"], rechecks);
}
