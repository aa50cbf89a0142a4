import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compiledQuery } from "./compiled.ts";
import { type Database, ensurePostgresSchema, openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { testSchemaName, testWorkspaces } from "./test-schema.ts";

const PG = process.env.DELVIA_TEST_DATABASE_URL || undefined;

// One query object for every test and both databases: each database compiles it once.
const workspaceName = compiledQuery<[id: string], { name: string }>((db, id) =>
  db.selectFrom("organization").select("name").where("id", "=", id).where("name", "!=", "Nobody"),
);
const sameTwice = compiledQuery<[id: string, other: string | null], { n: number | string }>(
  (_db, id, other) =>
    sql`select count(*) as n from organization where (id = ${id} or id = ${other}) and name <> ${"Nobody"} and id = ${id}`,
);

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.skipIf(dialect === "postgres" && !PG)(`queries compiled once (${dialect})`, () => {
    let database: Database;
    let a: string;
    let b: string;
    beforeEach(async () => {
      if (dialect === "postgres") {
        const schema = testSchemaName("cq");
        await ensurePostgresSchema(PG!, schema);
        database = openDatabase({ kind: "postgres", url: PG! }, { schema, poolSize: 2 });
      } else database = openDatabase({ kind: "sqlite", path: ":memory:" });
      await migrateToLatest(database.db, database.schema);
      [a, b] = (await testWorkspaces(database.db, new Date(), ["Alpha", "Beta"])) as [string, string];
    });
    afterEach(() => database.close());

    it("binds each run's values where the placeholders were, and keeps the query's own constants", async () => {
      expect(await workspaceName(database.db, a)).toEqual([{ name: "Alpha" }]);
      expect(await workspaceName(database.db, b)).toEqual([{ name: "Beta" }]);
      expect(await workspaceName(database.db, "no such workspace")).toEqual([]);
      await database.db.updateTable("organization").set({ name: "Nobody" }).where("id", "=", a).execute();
      expect(await workspaceName(database.db, a)).toEqual([]); // the constant "Nobody" still applies
    });

    it("binds a value used twice at both places, and a null", async () => {
      expect(Number((await sameTwice(database.db, a, null))[0]!.n)).toBe(1);
      expect(Number((await sameTwice(database.db, a, b))[0]!.n)).toBe(1);
      expect(Number((await sameTwice(database.db, "x", a))[0]!.n)).toBe(0);
    });

    it("refuses a query that does not bind a value as a parameter", async () => {
      const limited = compiledQuery<[n: number], { id: string }>((db, n) =>
        db.selectFrom("organization").select("id").limit(Number(n.length)),
      );
      await expect(limited(database.db, 5)).rejects.toThrow(/value 0 is not bound/);
    });
  });
}
