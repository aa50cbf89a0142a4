import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { uuidv7 } from "../core/ids.ts";
import { type Database, ensurePostgresSchema, openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { MIGRATIONS } from "./migrations/index.ts";
import { testSchemaName } from "./test-schema.ts";
import * as ws from "./workspaces.ts";

const PG = process.env.DELVIA_TEST_DATABASE_URL || undefined;
const tmp = mkdtempSync(join(tmpdir(), "delvia-store-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Harness {
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

const harnesses: Record<"sqlite" | "postgres", () => Harness> = {
  sqlite: () => {
    const file = join(tmp, `${uuidv7()}.db`);
    return { open: async () => openDatabase({ kind: "sqlite", path: file }), cleanup: async () => {} };
  },
  postgres: () => {
    const schema = testSchemaName("s");
    return {
      open: async () => {
        await ensurePostgresSchema(PG!, schema);
        return openDatabase({ kind: "postgres", url: PG! }, { schema, poolSize: 3 });
      },
      cleanup: async () => {},
    };
  },
};

/** One store contract, run on every database Delvia supports. */
for (const dialect of ["sqlite", "postgres"] as const) {
  describe.skipIf(dialect === "postgres" && !PG)(`store contract (${dialect})`, () => {
    let h: Harness;
    let database: Database;
    beforeEach(async () => {
      h = harnesses[dialect]();
      database = await h.open();
      await migrateToLatest(database.db, database.schema);
    });
    afterEach(async () => {
      await database.close();
      await h.cleanup();
    });

    async function user(email: string) {
      const id = uuidv7();
      const at = new Date().toISOString();
      await database.db
        .insertInto("user")
        .values({
          id,
          email,
          name: email,
          emailVerified: false,
          image: null,
          twoFactorEnabled: false,
          createdAt: at,
          updatedAt: at,
        })
        .execute();
      return id;
    }

    it("applies every migration once; running again changes nothing", async () => {
      const again = await migrateToLatest(database.db, database.schema);
      expect(again.applied).toEqual([]);
      const tables = await database.db.introspection.getTables();
      const names = tables.map((t) => t.name);
      for (const t of [
        "user",
        "session",
        "organization",
        "member",
        "invitation",
        "rateLimit",
        "passkey",
        "twoFactor",
      ])
        expect(names).toContain(t);
      expect(Object.keys(MIGRATIONS).length).toBeGreaterThan(0);
    });

    it("answers the readiness ping", async () => {
      await expect(database.ping()).resolves.toBeUndefined();
    });

    it("keeps workspace slugs unique", async () => {
      const u = await user("a@x.test");
      await ws.createWorkspace(database.db, { name: "A", slug: "a", ownerUserId: u, now: new Date() });
      await expect(
        ws.createWorkspace(database.db, { name: "A again", slug: "a", ownerUserId: u, now: new Date() }),
      ).rejects.toMatchObject({ code: "CONFLICT" });
    });

    it("a failed transaction leaves nothing behind", async () => {
      const u = await user("a@x.test");
      await expect(
        database.db.transaction().execute(async (trx) => {
          await ws.createWorkspace(trx, { name: "Half", slug: "half", ownerUserId: u, now: new Date() });
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await ws.listWorkspacesOf(database.db, u)).toEqual([]);
    });

    it("enforces foreign keys: a member must belong to an existing workspace", async () => {
      const u = await user("a@x.test");
      await expect(
        database.db
          .insertInto("member")
          .values({
            id: uuidv7(),
            organizationId: "missing",
            userId: u,
            role: "owner",
            createdAt: new Date().toISOString(),
          })
          .execute(),
      ).rejects.toThrow();
    });

    it("two concurrent demotions cannot remove the last owner", async () => {
      const a = await user("a@x.test");
      const b = await user("b@x.test");
      const w = await ws.createWorkspace(database.db, {
        name: "W",
        slug: "w",
        ownerUserId: a,
        now: new Date(),
      });
      await database.db
        .insertInto("member")
        .values({
          id: uuidv7(),
          organizationId: w.id,
          userId: b,
          role: "owner",
          createdAt: new Date().toISOString(),
        })
        .execute();
      const members = await ws.listMembers(database.db, w.id);
      const results = await Promise.allSettled(
        members.map((m) => ws.changeMemberRole(database.db, w.id, m.id, "viewer")),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const after = await ws.listMembers(database.db, w.id);
      expect(after.filter((m) => m.role === "owner")).toHaveLength(1);
    });

    it("round-trips timestamps as ISO instants", async () => {
      const a = await user("a@x.test");
      const w = await ws.createWorkspace(database.db, {
        name: "W",
        slug: "w",
        ownerUserId: a,
        now: new Date("2026-01-02T03:04:05.000Z"),
      });
      const [m] = await ws.listMembers(database.db, w.id);
      expect(m?.joinedAt).toBe("2026-01-02T03:04:05.000Z");
    });
  });
}

describe("SQLite durability settings", () => {
  it("opens every file in WAL mode with synchronous=NORMAL (Delvia syncs the WAL itself), foreign keys on and a busy timeout", async () => {
    const file = join(tmp, "pragmas.db");
    const database = openDatabase({ kind: "sqlite", path: file });
    await database.close();
    const raw = new DatabaseSync(file);
    expect(raw.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    raw.close();
  });
});

describe("UUIDv7", () => {
  it("sorts in creation order, even within one millisecond", () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
