/**
 * The findings service on SQLite, end to end without HTTP: a seeded workspace of N grants, then
 * one grant write at a time followed by the refresh GET /findings does first (history catch-up,
 * affected accounts, load of those accounts, re-check, reconcile). Run by bench/findings.ts.
 */
import { sql } from "kysely";
import { fixedClock } from "../src/core/clock.ts";
import type { GrantInput } from "../src/core/record/schemas.ts";
import { refreshFindings } from "../src/server/findings-service.ts";
import { openDatabase } from "../src/store/database.ts";
import { getGrant, updateGrant } from "../src/store/record.ts";
import { log, ms, n, printTable, seed } from "./load-common.ts";
import { rng } from "./synthetic.ts";

/**
 * Not in the schema yet: the stored findings of some accounts (reconcile of a re-check), and the
 * grants of a shared login or of a partner account (the accounts a login or partner change affects).
 */
export const PROPOSED_INDEXES = [
  "create index if not exists finding_account_idx on finding (workspace_id, account_id)",
  "create index if not exists grant_login_idx on access_grant (workspace_id, subject_shared_login_id)",
  "create index if not exists grant_partner_idx on access_grant (workspace_id, subject_account_id)",
];

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export async function serviceBench(sizes: number[], changes: number): Promise<void> {
  const rows: string[][] = [];
  for (const size of sizes) {
    log(`findings service: seeding ${n(size)} grants on SQLite`);
    const backend = await seed("sqlite", size);
    const database = openDatabase({ kind: "sqlite", path: backend.databaseUrl });
    try {
      const db = database.db;
      const ws = backend.ids.workspaceId;
      const clock = fixedClock("2026-11-24T09:00:00.000Z");
      const timed = async () => {
        const t0 = performance.now();
        const mode = await refreshFindings(db, clock, ws);
        return { mode, ms: performance.now() - t0 };
      };
      const first = await timed();
      clock.set("2026-11-25T09:00:00.000Z");
      const full = await timed();
      if (first.mode !== "full" || full.mode !== "full") throw new Error("expected full scans");
      const r = rng(size);
      const ctx = { workspaceId: ws, actor: { userId: null, label: "findings bench" }, now: clock.now() };
      const measure = async (indexes: string) => {
        const times: number[] = [];
        const writes: number[] = [];
        for (let i = -3; i < changes; i++) {
          const id = backend.ids.grants[Math.floor(r() * backend.ids.grants.length)]!;
          const { id: _id, createdAt: _c, updatedAt: _u, ...g } = await getGrant(db, ws, id);
          const next: GrantInput =
            i % 2 === 0
              ? { ...g, role: g.role === "Admin" ? "Operator" : "Admin" }
              : g.status === "active"
                ? { ...g, status: "revoked", revokedOn: "2026-11-25" }
                : { ...g, status: "active", revokedOn: null };
          const w0 = performance.now();
          await updateGrant(db, ctx, id, next);
          const w1 = performance.now();
          const t = await timed();
          if (t.mode !== "recheck") throw new Error(`expected a re-check, got ${t.mode}`);
          if (i < 0) continue; // warm-up
          writes.push(w1 - w0);
          times.push(t.ms);
        }
        times.sort((a, b) => a - b);
        writes.sort((a, b) => a - b);
        rows.push([
          n(size),
          `${backend.seedSeconds.toFixed(0)} s`,
          ms(first.ms),
          ms(full.ms),
          indexes,
          ms(pct(times, 0.5)),
          ms(pct(times, 0.99)),
          ms(pct(writes, 0.5)),
        ]);
      };
      await measure("as migrated");
      // The indexes a migration could add for the re-check (see PROPOSED_INDEXES).
      for (const ddl of PROPOSED_INDEXES) await sql.raw(ddl).execute(db);
      await measure("+ proposed");
    } finally {
      await database.close();
      await backend.cleanup();
    }
  }
  console.log(`SQLite service path: refresh before GET /findings after one grant write (${changes} writes)`);
  printTable(
    [
      "grants",
      "seed",
      "first scan",
      "full re-scan",
      "indexes",
      "re-check p50",
      "re-check p99",
      "the write p50",
    ],
    rows,
  );
}
