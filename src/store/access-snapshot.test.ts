import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { Kysely } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { AccessIndex } from "../core/access/index.ts";
import { checkAccessSheet, type SheetCatalog } from "../core/record/access-sheet.ts";
import { loadIndex, loadSnapshot } from "./access-snapshot.ts";
import { ensurePostgresSchema, openDatabase } from "./database.ts";
import { importSheet } from "./import-sheet.ts";
import { migrateToLatest } from "./migrate.ts";
import type { DB } from "./schema.ts";
import { testSchemaName, testWorkspaces } from "./test-schema.ts";

const PG = process.env.DELVIA_TEST_DATABASE_URL || undefined;

const catalog: SheetCatalog = {
  isBuiltIn: (p) => p === "tiktok",
  assetTypes: () => ["ad_account"],
  resolveRole: (_p, level, input) => {
    const roles = level === "account" ? ["Admin", "Standard"] : ["Admin", "Operator", "Analyst"];
    const role = roles.find((r) => r.toLowerCase() === input.toLowerCase());
    return role ? { role } : { valid: roles };
  },
};
const policy = { reachesAllAssets: (_p: string, role: string) => role === "Admin" };
const AS_OF = "2026-11-25";

const HEADER =
  "platform,account,account_id,account_org,asset,asset_type,asset_id,subject,subject_type,email,subject_org,role,status,expires_on,person_status,left_on,known_by".split(
    ",",
  );

/**
 * An agency's sheet from a seed: clients' accounts and ad accounts; the agency's account as a
 * partner on some of them (account-level or on one ad account) with its people assigned inside
 * it to the shared ad accounts; people direct on clients, some departed; shared logins known by
 * some people; system users; every status, some grants ending.
 */
function sheet(seed: number, rows: number): string[][] {
  let x = seed >>> 0 || 1;
  const r = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const clients = 3 + Math.floor(r() * 6);
  const ad = (c: number, a: number) => [`Client ${c} ads ${a}`, "ad_account", `${9000 + c * 10 + a}`];
  const person = (p: number) => {
    const departed = p % 7 === 3;
    return [
      `Person ${p}`,
      "person",
      `p${p}@agency.test`,
      "Agency",
      "",
      "",
      departed ? "departed" : "",
      departed ? "2026-10-01" : "",
    ];
  };
  const out: string[][] = [HEADER];
  const seen = new Set<string>();
  // What the agency's account was given, so its people are assigned only to what it can see.
  const shared = new Set<string>();
  while (out.length <= rows) {
    let shares: string | null = null;
    const c = Math.floor(r() * clients);
    const account = [`Client ${c} BC`, `${7000 + c}`, `Client ${c}`];
    const status = pick(["active", "active", "active", "pending", "revoked"]);
    const expires = r() < 0.1 ? pick(["2026-11-24", "2026-11-25", "2027-01-01"]) : "";
    const kind = r();
    let row: string[];
    if (kind < 0.15) {
      // The agency's account as a partner on the client, account-level or on one ad account.
      const asset = r() < 0.5 ? ["", "", ""] : ad(c, Math.floor(r() * 3));
      // A partner row on an ad account that is not revoked shares it with the agency's account.
      shares = status === "revoked" ? null : asset[2] || null;
      row = [
        "tiktok",
        ...account,
        ...asset,
        "Agency BC",
        "partner",
        "",
        "Agency",
        r() < 0.3 ? "Admin" : asset[0] ? "Operator" : "Standard",
        status,
        expires,
        "",
        "",
        "",
      ];
    } else if (kind < 0.45) {
      // An agency person assigned inside the agency's account to a client's shared ad account.
      const [name, type, email, org, , , ps, left] = person(Math.floor(r() * 40));
      const target = ad(c, Math.floor(r() * 3));
      if (!shared.has(target[2]!)) continue;
      row = [
        "tiktok",
        "Agency BC",
        "7999",
        "Agency",
        ...target,
        name!,
        type!,
        email!,
        org!,
        pick(["Admin", "Operator", "Analyst"]),
        status,
        expires,
        ps!,
        left!,
        "",
      ];
    } else if (kind < 0.85) {
      const [name, type, email, org, , , ps, left] = person(Math.floor(r() * 40));
      const asset = r() < 0.4 ? ["", "", ""] : ad(c, Math.floor(r() * 3));
      const role = asset[0] ? pick(["Admin", "Operator", "Analyst"]) : pick(["Admin", "Standard"]);
      row = [
        "tiktok",
        ...account,
        ...asset,
        name!,
        type!,
        email!,
        org!,
        role,
        status,
        expires,
        ps!,
        left!,
        "",
      ];
    } else if (kind < 0.93) {
      const knownBy = [0, 1, 2].map(() => `p${Math.floor(r() * 40)}@agency.test`);
      row = [
        "tiktok",
        ...account,
        "",
        "",
        "",
        `Shared login ${c}`,
        "shared_login",
        "",
        "",
        pick(["Admin", "Standard"]),
        status,
        expires,
        "",
        "",
        [...new Set(knownBy)].join(";"),
      ];
    } else {
      row = [
        "tiktok",
        ...account,
        ...(r() < 0.5 ? ["", "", ""] : ad(c, 0)),
        `Bot ${Math.floor(r() * 5)}`,
        "system_user",
        "",
        "",
        r() < 0.5 ? "Admin" : "Analyst",
        status,
        expires,
        "",
        "",
        "",
      ];
      if (!row[4]) row[11] = row[11] === "Analyst" ? "Standard" : row[11]!;
    }
    const key = [row[1], row[4], row[7], row[8]].join("|");
    if (seen.has(key)) continue;
    seen.add(key);
    if (shares) shared.add(shares);
    out.push(row);
  }
  return out;
}

/** Every answer of an index, in an order that does not depend on how it was loaded. */
function answers(index: AccessIndex, accounts: string[], assets: string[], people: string[]) {
  const norm = (list: ReturnType<AccessIndex["reach"]>) => list.map((a) => JSON.stringify(a)).sort();
  return {
    accounts: accounts.map((id) => norm(index.whoCanReach({ accountId: id }, AS_OF))),
    assets: assets.map((id) => norm(index.whoCanReach({ assetId: id }, AS_OF))),
    people: people.map((id) => norm(index.reach(id, AS_OF))),
  };
}

/** A workspace with 400 grants from a generated sheet. */
async function seededWorkspace(db: Kysely<DB>, seed: number): Promise<string> {
  const ws = (await testWorkspaces(db, new Date()))[0]!;
  const [header, ...data] = sheet(seed, 400);
  const checked = checkAccessSheet(header!, data, catalog);
  expect(checked.problems).toEqual([]);
  await importSheet(
    db,
    { workspaceId: ws, actor: { userId: null, label: "test" }, now: new Date() },
    checked.rows,
  );
  return ws;
}

/**
 * Every answer of `other` equals that of `whole` (loaded from one snapshot), for every account,
 * asset and person of the workspace, and again after five grants are removed from both: changes
 * after a load find their rows. Returns the whole load's first answers.
 */
async function expectSameAnswers(db: Kysely<DB>, ws: string, whole: AccessIndex, other: AccessIndex) {
  const ids = async (table: "platform_account" | "platform_asset" | "person") =>
    (await db.selectFrom(table).select("id").where("workspace_id", "=", ws).execute()).map((r) => r.id);
  const [accounts, assets, people] = [
    await ids("platform_account"),
    await ids("platform_asset"),
    await ids("person"),
  ];
  const expected = answers(whole, accounts, assets, people);
  expect(answers(other, accounts, assets, people)).toEqual(expected);
  const some = await db
    .selectFrom("access_grant")
    .select("id")
    .where("workspace_id", "=", ws)
    .limit(5)
    .execute();
  for (const g of some) {
    other.apply({ kind: "remove-grant", id: g.id });
    whole.apply({ kind: "remove-grant", id: g.id });
  }
  expect(other.grantCount).toBe(whole.grantCount);
  expect(answers(other, accounts, assets, people)).toEqual(answers(whole, accounts, assets, people));
  return expected;
}

const dir = mkdtempSync(join(tmpdir(), "delvia-snapshot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loading the access index from a SQLite file", () => {
  it("answers every question alike whether grants are read on this thread or encoded by worker threads", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 4 }),
        async (seed, workers) => {
          const database = openDatabase({ kind: "sqlite", path: join(dir, `w${run++}.db`) });
          try {
            await migrateToLatest(database.db, database.schema);
            const ws = await seededWorkspace(database.db, seed);
            const streamed = new AccessIndex(policy);
            streamed.load(await loadSnapshot(database.db, ws));
            const parallel = new AccessIndex(policy);
            await loadIndex(parallel, database.db, ws, { minGrants: 0, workers });
            expect(parallel.grantCount).toBe(streamed.grantCount);
            expect(parallel.grantCount).toBe(400);
            // Changes after a parallel load find their rows (the ID hash was built from the encoded IDs).
            const expected = await expectSameAnswers(database.db, ws, streamed, parallel);
            expect(expected.people.some((a) => a.some((x) => x.includes('"kind":"includes"')))).toBe(true);
          } finally {
            await database.close();
          }
        },
      ),
      { numRuns: 10 },
    );
  });
});

describe.skipIf(!PG)("loading the access index from PostgreSQL", () => {
  it("answers every question alike whether grants are read whole or page by page into the index", async () => {
    const schema = testSchemaName("ix");
    await ensurePostgresSchema(PG!, schema);
    const database = openDatabase({ kind: "postgres", url: PG! }, { schema, poolSize: 2 });
    try {
      await migrateToLatest(database.db, database.schema);
      const ws = await seededWorkspace(database.db, 7);
      const whole = new AccessIndex(policy);
      whole.load(await loadSnapshot(database.db, ws));
      // Pages of 37 grants: eleven pages, the last one short.
      const paged = new AccessIndex(policy);
      await loadIndex(paged, database.db, ws, { minGrants: 0, pageSize: 37 });
      expect(paged.grantCount).toBe(400);
      const expected = await expectSameAnswers(database.db, ws, whole, paged);
      expect(expected.accounts.some((a) => a.length > 0)).toBe(true);
    } finally {
      await database.close();
    }
  });
});
