import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { uuidv7 } from "../core/ids.ts";
import { openFindingsOf } from "./account-page.ts";
import { type Database, ensurePostgresSchema, openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { testSchemaName, testWorkspaces } from "./test-schema.ts";

const PG = process.env.DELVIA_TEST_DATABASE_URL || undefined;

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.skipIf(dialect === "postgres" && !PG)(`an account's open findings (${dialect})`, () => {
    let database: Database;
    let ws: string;
    const now = new Date("2026-11-24T10:00:00Z");
    const today = "2026-11-24";
    const account = uuidv7();
    const other = uuidv7();

    beforeEach(async () => {
      if (dialect === "postgres") {
        const schema = testSchemaName("f");
        await ensurePostgresSchema(PG!, schema);
        database = openDatabase({ kind: "postgres", url: PG! }, { schema, poolSize: 3 });
      } else database = openDatabase({ kind: "sqlite", path: ":memory:" });
      await migrateToLatest(database.db, database.schema);
      ws = (await testWorkspaces(database.db, now))[0]!;
      let k = 0;
      const finding = (
        accountId: string,
        severity: string,
        status: string,
        snoozedUntil: string | null = null,
      ) => ({
        workspace_id: ws,
        key: `k${String(k++).padStart(3, "0")}`,
        rule: `rule-${severity}`,
        severity,
        account_id: accountId,
        asset_id: null,
        subject: null,
        message: `${severity} ${status}`,
        guide: null,
        status,
        reason: null,
        decided_by: null,
        decided_at: null,
        snoozed_until: snoozedUntil,
        first_seen: today,
        resolved_at: status === "resolved" ? now.toISOString() : null,
      });
      await database.db
        .insertInto("finding")
        .values([
          finding(account, "medium", "open"),
          finding(account, "low", "open"),
          finding(account, "critical", "open"),
          finding(account, "high", "open"),
          finding(account, "medium", "open"),
          finding(account, "high", "snoozed", "2026-11-01"), // the snooze ran out: open
          finding(account, "critical", "snoozed", "2026-12-01"),
          finding(account, "critical", "resolved"),
          finding(account, "low", "acknowledged"),
          finding(other, "critical", "open"),
          finding(other, "low", "open"),
        ])
        .execute();
    });
    afterEach(() => database.close());

    const expected = { critical: 1, high: 2, low: 1, medium: 2 };

    it("counts by severity (in name order) and lists the worst first, whether or not the list holds them all", async () => {
      const all = await openFindingsOf(database.db, ws, account, today, 10);
      expect(all.counts).toEqual(expected);
      expect(Object.keys(all.counts)).toEqual(["critical", "high", "low", "medium"]);
      expect(all.items.map((f) => f.severity)).toEqual([
        "critical",
        "high",
        "high",
        "medium",
        "medium",
        "low",
      ]);

      for (const limit of [1, 3, 6]) {
        const some = await openFindingsOf(database.db, ws, account, today, limit);
        expect(some.counts).toEqual(expected);
        expect(Object.keys(some.counts)).toEqual(["critical", "high", "low", "medium"]);
        expect(some.items).toEqual(all.items.slice(0, limit));
      }
    });

    it("has none for an account without findings", async () => {
      expect(await openFindingsOf(database.db, ws, uuidv7(), today, 5)).toEqual({ counts: {}, items: [] });
    });
  });
}
