import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import { sheetCatalog } from "../core/catalog/sheet-catalog.ts";
import { checkAccessSheet } from "../core/record/access-sheet.ts";
import { type Backup, createBackup, restoreBackup } from "./backup.ts";
import { type Database, ensurePostgresSchema, openDatabase } from "./database.ts";
import { verifyHistory } from "./history.ts";
import { importSheet } from "./import-sheet.ts";
import { migrateToLatest } from "./migrate.ts";
import { testSchemaName } from "./test-schema.ts";
import { createWorkspace } from "./workspaces.ts";

const PG = process.env.DELVIA_TEST_DATABASE_URL || undefined;
const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of opened.splice(0)) await close();
});

async function open(kind: "sqlite" | "postgres"): Promise<Database> {
  if (kind === "sqlite") {
    const d = openDatabase({ kind: "sqlite", path: ":memory:" });
    opened.push(() => d.close());
    await migrateToLatest(d.db, d.schema);
    return d;
  }
  const schema = testSchemaName("b");
  await ensurePostgresSchema(PG!, schema);
  const d = openDatabase({ kind: "postgres", url: PG! }, { schema, poolSize: 2 });
  opened.push(async () => {
    await d.close();
  });
  await migrateToLatest(d.db, d.schema);
  return d;
}

/** The same content, whichever database it came from: booleans as booleans, JSON parsed. */
function normalise(b: Backup) {
  const out: Record<string, unknown[]> = {};
  for (const [table, rows] of Object.entries(b.tables)) {
    out[table] = rows
      .map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [
            k,
            typeof v === "string" && /^[[{]/.test(v)
              ? JSON.parse(v)
              : /enabled|verified|backedUp/i.test(k) && v !== null
                ? Boolean(v)
                : v,
          ]),
        ),
      )
      .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  }
  return out;
}

async function seed(d: Database) {
  const at = new Date("2026-11-24T10:00:00Z");
  await d.db
    .insertInto("user")
    .values({
      id: "u1",
      email: "o@x.test",
      name: "O",
      emailVerified: true,
      image: null,
      twoFactorEnabled: false,
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    })
    .execute();
  const ws = await createWorkspace(d.db, { name: "Demo", slug: "demo", ownerUserId: "u1", now: at });
  const [header, ...rows] = parse(
    readFileSync(join(import.meta.dirname, "../../content/demo/agency-sheet.csv"), "utf8"),
  ) as string[][];
  await importSheet(
    d.db,
    { workspaceId: ws.id, actor: { userId: "u1", label: "o@x.test" }, now: at },
    checkAccessSheet(header!, rows, sheetCatalog).rows,
  );
  return ws.id;
}

const pairs: ["sqlite" | "postgres", "sqlite" | "postgres"][] = [
  ["sqlite", "sqlite"],
  ...(PG
    ? ([
        ["sqlite", "postgres"],
        ["postgres", "sqlite"],
      ] as const)
    : []),
].map((p) => [...p]) as never;

describe("backup and restore", () => {
  for (const [from, to] of pairs) {
    it(`restores a ${from} backup into a fresh ${to} database with every record and history event`, async () => {
      const source = await open(from);
      const ws = await seed(source);
      const backup = await createBackup(source.db, new Date());
      const target = await open(to);
      const counts = await restoreBackup(target.db, JSON.parse(JSON.stringify(backup)));
      expect(counts.access_grant).toBe(17);
      expect(normalise(await createBackup(target.db, new Date()))).toEqual(normalise(backup));
      expect(await verifyHistory(target.db, ws)).toMatchObject({ ok: true });
    });
  }

  it("refuses to restore over a database that already has workspaces", async () => {
    const source = await open("sqlite");
    await seed(source);
    const backup = await createBackup(source.db, new Date());
    await expect(restoreBackup(source.db, backup)).rejects.toThrow(/empty database/);
  });
});
