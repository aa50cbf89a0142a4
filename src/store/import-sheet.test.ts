import fc from "fast-check";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalJson } from "../core/history/canonical.ts";
import { checkAccessSheet, type SheetCatalog } from "../core/record/access-sheet.ts";
import { BUILD_INDEXES_AFTER_ROWS, sqliteOf, withIndexesBuiltAfter } from "./bulk-insert.ts";
import { type Database, ensurePostgresSchema, openDatabase } from "./database.ts";
import { verifyHistory } from "./history.ts";
import { grantImage, importSheet } from "./import-sheet.ts";
import { migrateToLatest } from "./migrate.ts";
import { listGrants, listPeople } from "./record.ts";
import { testSchemaName, testWorkspaces } from "./test-schema.ts";

const PG = process.env.DELVIA_TEST_DATABASE_URL || undefined;

/** A two-platform catalog is enough to exercise the sheet rules here; the real one has its own tests. */
const catalog: SheetCatalog = {
  isBuiltIn: (p) => p === "tiktok",
  assetTypes: () => ["ad_account", "tiktok_account"],
  resolveRole: (_p, level, input) => {
    const roles = level === "account" ? ["Admin", "Standard"] : ["Admin", "Operator", "Analyst"];
    const role = roles.find((r) => r.toLowerCase() === input.toLowerCase());
    return role ? { role } : { valid: roles };
  },
};

const SHEET = [
  [
    "platform",
    "account",
    "account_id",
    "account_org",
    "asset",
    "asset_type",
    "asset_id",
    "subject",
    "subject_type",
    "email",
    "subject_org",
    "role",
    "status",
    "known_by",
  ],
  [
    "tiktok",
    "Client BC",
    "7001",
    "Client Co",
    "",
    "",
    "",
    "Carla",
    "",
    "carla@client.test",
    "Client Co",
    "admin",
    "",
    "",
  ],
  [
    "tiktok",
    "Client BC",
    "7001",
    "Client Co",
    "Client ads",
    "ad_account",
    "111",
    "Agency BC",
    "partner",
    "",
    "Agency",
    "Operator",
    "",
    "",
  ],
  [
    "tiktok",
    "Agency BC",
    "8001",
    "Agency",
    "",
    "",
    "",
    "Jane",
    "person",
    "jane@agency.test",
    "Agency",
    "Standard",
    "",
    "",
  ],
  [
    "tiktok",
    "Agency BC",
    "8001",
    "Agency",
    "Client ads",
    "ad_account",
    "111",
    "Jane",
    "person",
    "jane@agency.test",
    "Agency",
    "Analyst",
    "",
    "",
  ],
  [
    "tiktok",
    "Client BC",
    "7001",
    "Client Co",
    "Client TikTok",
    "tiktok_account",
    "",
    "Team login",
    "shared_login",
    "",
    "",
    "Admin",
    "",
    "carla@client.test;jane@agency.test",
  ],
];

describe("access sheet checks", () => {
  it("accepts columns in any order and any case, and canonicalises roles", () => {
    const [h, ...d] = SHEET;
    const { rows, problems } = checkAccessSheet(
      h!.map((c) => c.toUpperCase()),
      d,
      catalog,
    );
    expect(problems).toEqual([]);
    expect(rows[0]?.role).toBe("Admin");
  });

  it("lists every problem with row, column, value and reason", () => {
    const { rows, problems } = checkAccessSheet(
      ["platform", "account", "account_org", "subject", "role", "email", "granted_on", "status", "colour"],
      [
        ["tiktok", "A", "Org", "Ann", "boss", "ann@x.test", "2026-02-30", "maybe", "red"],
        ["tiktok", "A", "Org", "Bob", "Admin", "", "", "", ""],
      ],
      catalog,
    );
    expect(rows).toEqual([]);
    expect(problems).toContainEqual(
      expect.objectContaining({
        row: 1,
        column: "colour",
        reason: expect.stringContaining("unknown column"),
      }),
    );
    const withoutUnknown = checkAccessSheet(
      ["platform", "account", "account_org", "subject", "role", "email", "granted_on", "status"],
      [
        ["tiktok", "A", "Org", "Ann", "boss", "ann@x.test", "2026-02-30", "maybe"],
        ["tiktok", "A", "Org", "Bob", "Admin", "", "", ""],
      ],
      catalog,
    ).problems;
    expect(withoutUnknown).toEqual([
      { row: 2, column: "granted_on", value: "2026-02-30", reason: "not a date: use YYYY-MM-DD" },
      { row: 2, column: "status", value: "maybe", reason: "use one of: active, pending, revoked" },
      {
        row: 2,
        column: "role",
        value: "boss",
        reason: "unknown role for a tiktok account; valid roles: Admin, Standard",
      },
      {
        row: 3,
        column: "email",
        value: "",
        reason: "a person needs an email: it identifies them across rows",
      },
    ]);
  });

  it("refuses a sheet missing a required column", () => {
    const { problems } = checkAccessSheet(["platform", "account"], [], catalog);
    expect(problems.map((p) => p.column)).toEqual(["account_org", "subject", "role"]);
  });
});

describe("a created grant's history image", () => {
  it("is the canonical JSON of the grant's ID, non-empty fields and target", () => {
    const text = fc.option(fc.string({ unit: "binary" }), { nil: null });
    const grant = fc.record({
      id: fc.string({ unit: "binary" }),
      subject_type: fc.constantFrom("person", "partner", "system_user", "shared_login"),
      subject_person_id: text,
      subject_account_id: text,
      subject_shared_login_id: text,
      subject_name: text,
      target_account_id: fc.string({ unit: "binary" }),
      target_asset_id: text,
      role: fc.string({ unit: "binary" }),
      status: fc.constantFrom("active", "pending", "revoked"),
      invited_on: text,
      granted_on: text,
      expires_on: text,
      notes: text,
    });
    fc.assert(
      fc.property(grant, (g) => {
        const { target_account_id, target_asset_id, ...rest } = g;
        const image = {
          ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)),
          target: {
            accountId: target_account_id,
            ...(target_asset_id === null ? {} : { assetId: target_asset_id }),
          },
        };
        expect(grantImage(g)).toBe(canonicalJson(image));
      }),
    );
  });
});

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.skipIf(dialect === "postgres" && !PG)(`importing an access sheet (${dialect})`, () => {
    let database: Database;
    let schema = "";
    let ws: string;
    const ctx = () => ({
      workspaceId: ws,
      actor: { userId: null, label: "import" },
      now: new Date("2026-11-24T10:00:00Z"),
    });

    beforeEach(async () => {
      if (dialect === "postgres") {
        schema = testSchemaName("i");
        await ensurePostgresSchema(PG!, schema);
        database = openDatabase({ kind: "postgres", url: PG! }, { schema, poolSize: 3 });
      } else database = openDatabase({ kind: "sqlite", path: ":memory:" });
      await migrateToLatest(database.db, database.schema);
      ws = (await testWorkspaces(database.db, new Date()))[0]!;
    });
    afterEach(async () => {
      await database.close();
    });

    const rows = () => {
      const [h, ...d] = SHEET;
      return checkAccessSheet(h!, d, catalog).rows;
    };

    it.skipIf(dialect !== "postgres")(
      "after a large import, PostgreSQL plans from fresh statistics (not those of the empty tables)",
      async () => {
        const analyzed = async () =>
          (
            await sql<{ n: number }>`select count(*)::int as n from pg_stat_user_tables
              where schemaname = ${schema} and relname = 'access_grant' and last_analyze is not null`.execute(
              database.db,
            )
          ).rows[0]!.n;
        const [h] = SHEET;
        const many = Array.from({ length: 10_000 }, (_, i) => [
          "tiktok",
          "Client BC",
          "7001",
          "Client Co",
          "",
          "",
          "",
          `Person ${i}`,
          "",
          `p${i}@agency.test`,
          "Agency",
          "standard",
          "",
          "",
        ]);
        await importSheet(database.db, ctx(), checkAccessSheet(h!, many.slice(0, 100), catalog).rows);
        expect(await analyzed()).toBe(0);
        await importSheet(database.db, ctx(), checkAccessSheet(h!, many, catalog).rows);
        expect(await analyzed()).toBe(1);
      },
    );

    it("creates the whole record, and importing the same file again changes nothing", async () => {
      const first = await importSheet(database.db, ctx(), rows());
      expect(first.created).toEqual({
        organizations: 2,
        people: 2,
        accounts: 2,
        assets: 2,
        sharedLogins: 1,
        grants: 5,
      });
      const again = await importSheet(database.db, ctx(), rows());
      expect(again.created).toEqual({
        organizations: 0,
        people: 0,
        accounts: 0,
        assets: 0,
        sharedLogins: 0,
        grants: 0,
      });
      expect(again.changed.grants).toBe(0);
      expect(again.unchangedRows).toBe(5);
      expect(await verifyHistory(database.db, ws)).toMatchObject({ ok: true });
    });

    it("a preview (dry run) reports the same counts and writes nothing", async () => {
      const preview = await importSheet(database.db, ctx(), rows(), { dryRun: true });
      expect(preview.created.grants).toBe(5);
      expect(await listGrants(database.db, ws)).toEqual([]);
      expect(await listPeople(database.db, ws)).toEqual([]);
    });

    it("a changed role in the sheet updates the existing grant", async () => {
      await importSheet(database.db, ctx(), rows());
      const changedSheet = rows().map((r) => (r.row === 4 ? { ...r, role: "Admin" } : r));
      const summary = await importSheet(database.db, ctx(), changedSheet);
      expect(summary.changed.grants).toBe(1);
      expect(summary.created.grants).toBe(0);
    });

    it("an assignment of a shared asset without the partner row is refused, and nothing is written", async () => {
      // Row 3 introduces the ad account in the client's BC, but as Carla's grant, not the agency's.
      const withoutPartner = rows().map((r) =>
        r.row === 3
          ? {
              ...r,
              subject: {
                type: "person" as const,
                name: "Carla",
                email: "carla@client.test",
                org: "Client Co",
                status: "active" as const,
                leftOn: null,
              },
              role: "Admin",
            }
          : r,
      );
      await expect(importSheet(database.db, ctx(), withoutPartner)).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      expect(await listGrants(database.db, ws)).toEqual([]);
    });

    it("refuses two rows that give the same person different roles on the same target, so re-importing is stable", async () => {
      const first = rows()[0]!;
      const conflicting = { ...first, row: 7, role: "Standard" };
      await expect(importSheet(database.db, ctx(), [...rows(), conflicting])).rejects.toMatchObject({
        problems: [{ path: "row 7.role" }],
      });
      const identical = { ...first, row: 7 };
      const summary = await importSheet(database.db, ctx(), [...rows(), identical]);
      expect(summary.created.grants).toBe(5);
      expect(summary.unchangedRows).toBe(1);
    });

    it("a sheet about one account of many matches that account's grants and partner links, and no others", async () => {
      await importSheet(database.db, ctx(), rows());
      // Eight more client accounts, each with a grant: the sheet below names one account of ten.
      const [h] = SHEET;
      const clients = Array.from({ length: 8 }, (_, i) => [
        ...["tiktok", `Client ${i} BC`, `90${i}`, `Client ${i}`, "", "", "", "Jane", "person"],
        ...["jane@agency.test", "Agency", "standard", "", ""],
      ]);
      await importSheet(database.db, ctx(), checkAccessSheet(h!, clients, catalog).rows);
      const agencyRows = rows().filter((r) => r.account.name === "Agency BC");
      expect(agencyRows).toHaveLength(2);
      // Jane's assignment on the client's ad account (shared with the agency by a grant on the
      // client's account) changes role; her grant on the agency's account stays as it is.
      const changed = agencyRows.map((r) => (r.asset ? { ...r, role: "Operator" } : r));
      const summary = await importSheet(database.db, ctx(), changed);
      expect(summary).toMatchObject({ unchangedRows: 1, created: { grants: 0 }, changed: { grants: 1 } });
      const jane = (await listGrants(database.db, ws)).filter(
        (g) => g.subject.type === "person" && g.target.assetId !== null && g.role === "Operator",
      );
      expect(jane).toHaveLength(1);
      // The change is listed under the client's account too, which holds the ad account though the
      // sheet never names it: the asset was read by the platform ID the sheet gives.
      const change = await database.db
        .selectFrom("history")
        .select("seq")
        .where("workspace_id", "=", ws)
        .where("entity_type", "=", "grant")
        .where("action", "=", "update")
        .executeTakeFirstOrThrow();
      const client = await database.db
        .selectFrom("platform_account")
        .select("id")
        .where("workspace_id", "=", ws)
        .where("name", "=", "Client BC")
        .executeTakeFirstOrThrow();
      const listedUnder = await database.db
        .selectFrom("history_ref")
        .select("ref_id")
        .where("workspace_id", "=", ws)
        .where("seq", "=", change.seq)
        .execute();
      expect(listedUnder.map((r) => r.ref_id)).toContain(client.id);
      // An ad account of another client, never shared with the agency, is still refused: the sheet
      // names only the agency's account, and the ad account is found by its platform ID.
      const sheet = (account: string[]) =>
        checkAccessSheet(
          h!,
          [
            [...account, "Client 3 ads", "ad_account", "333", "Jane", "person", "jane@agency.test", "Agency"],
          ].map((r) => [...r, "analyst", "", ""]),
          catalog,
        ).rows;
      await importSheet(database.db, ctx(), sheet(["tiktok", "Client 3 BC", "903", "Client 3"]));
      await expect(
        importSheet(database.db, ctx(), sheet(["tiktok", "Agency BC", "8001", "Agency"])),
      ).rejects.toMatchObject({ problems: [{ path: "row 2.asset_id" }] });
    });

    it("a shared login known by an unknown email is refused with the row", async () => {
      const bad = rows().map((r) =>
        r.subject.type === "shared_login"
          ? { ...r, subject: { ...r.subject, knownBy: ["ghost@x.test"] } }
          : r,
      );
      await expect(importSheet(database.db, ctx(), bad)).rejects.toMatchObject({
        problems: [{ path: "row 6.known_by" }],
      });
    });
  });
}

describe("a first large import into SQLite builds the grant indexes after its rows", () => {
  let database: Database;
  let ws: string;
  const ctx = () => ({ workspaceId: ws, actor: { userId: null, label: "import" }, now: new Date() });
  beforeEach(async () => {
    database = openDatabase({ kind: "sqlite", path: ":memory:" });
    await migrateToLatest(database.db, database.schema);
    ws = (await testWorkspaces(database.db, new Date()))[0]!;
  });
  afterEach(async () => {
    await database.close();
  });

  const raw = () => sqliteOf(database.db)!;
  const integrity = () => raw().raw.prepare("PRAGMA integrity_check").all();
  const grantIndexes = () =>
    raw()
      .raw.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'access_grant'")
      .all();
  /** `n` people, each an analyst on one of 50 client ad accounts. */
  const sheet = (n: number, from = 0) => {
    const [h] = SHEET;
    const data = Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return [
        ...["tiktok", `Client ${i % 50} BC`, `70${i % 50}`, `Client ${i % 50}`, `Client ${i % 50} ads`],
        ...[
          "ad_account",
          `90${i % 50}`,
          `Person ${i}`,
          "person",
          `p${i}@agency.test`,
          "Agency",
          "analyst",
          "",
          "",
        ],
      ];
    });
    return checkAccessSheet(h!, data, catalog).rows;
  };

  it("drops only the indexes it builds again, and only when the rows outnumber the table's", async () => {
    const seen: number[] = [];
    const during = () => {
      seen.push(grantIndexes().length);
      return Promise.resolve();
    };
    const all = grantIndexes().length;
    // Kept: the indexes of the primary key and the unique (workspace, ID) pair.
    const keys = grantIndexes().filter((i) => (i as { sql: string | null }).sql === null).length;
    expect(keys).toBe(2);
    await withIndexesBuiltAfter(database.db, "access_grant", BUILD_INDEXES_AFTER_ROWS, during);
    await withIndexesBuiltAfter(database.db, "access_grant", BUILD_INDEXES_AFTER_ROWS - 1, during);
    expect(seen).toEqual([keys, all]);
    expect(grantIndexes().length).toBe(all);
    // A table that already holds more rows than the write adds keeps its indexes.
    await importSheet(database.db, ctx(), sheet(BUILD_INDEXES_AFTER_ROWS + 10));
    await withIndexesBuiltAfter(database.db, "access_grant", BUILD_INDEXES_AFTER_ROWS, during);
    expect(seen.at(-1)).toBe(all);
  });

  it("leaves the same indexes, complete, after an import, a preview and a later small import", async () => {
    const before = grantIndexes();
    const preview = await importSheet(database.db, ctx(), sheet(BUILD_INDEXES_AFTER_ROWS), { dryRun: true });
    expect(preview.created.grants).toBe(BUILD_INDEXES_AFTER_ROWS);
    expect(grantIndexes()).toEqual(before);
    expect(await listGrants(database.db, ws)).toEqual([]);

    await importSheet(database.db, ctx(), sheet(BUILD_INDEXES_AFTER_ROWS));
    expect(grantIndexes()).toEqual(before);
    // The sheet's rows go round 50 accounts; the new grants are written account by account, so
    // each account's 200 are listed by one history event.
    const batches = await database.db
      .selectFrom("history")
      .select("entity_id")
      .where("workspace_id", "=", ws)
      .where("entity_type", "=", "grant_batch")
      .execute();
    expect(batches).toHaveLength(50);
    expect(new Set(batches.map((b) => b.entity_id)).size).toBe(50);
    // integrity_check compares every index with the table: an entry missing from a rebuilt index fails it.
    expect(integrity()).toEqual([{ integrity_check: "ok" }]);
    await importSheet(database.db, ctx(), sheet(100, BUILD_INDEXES_AFTER_ROWS));
    expect(integrity()).toEqual([{ integrity_check: "ok" }]);
    expect(grantIndexes()).toEqual(before);
    // The person index answers for a person of the first import.
    const person = await database.db
      .selectFrom("person_email")
      .select("person_id")
      .where("workspace_id", "=", ws)
      .where("email", "=", "p1234@agency.test")
      .executeTakeFirstOrThrow();
    const query = database.db
      .selectFrom("access_grant")
      .select("target_asset_id")
      .where("workspace_id", "=", ws)
      .where("subject_person_id", "=", person.person_id);
    const { sql: text, parameters } = query.compile();
    const plan = raw()
      .raw.prepare(`explain query plan ${text}`)
      .all(...(parameters as string[]));
    expect(JSON.stringify(plan)).toContain("grant_person_account_idx");
    expect(await query.execute()).toHaveLength(1);
    expect(await verifyHistory(database.db, ws)).toMatchObject({ ok: true });
  });
});
