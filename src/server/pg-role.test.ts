import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstance, readJson, TEST_POSTGRES_URL, type TestInstance } from "./testing.ts";

/**
 * On PostgreSQL the application runs as a role that owns no table and is not a superuser:
 * migrations run as the owner (DELVIA_MIGRATION_DATABASE_URL), which grants the app row access
 * only — and no UPDATE or DELETE on history.
 */
describe.skipIf(!TEST_POSTGRES_URL)("the application's PostgreSQL role", () => {
  const role = `dt_app_${process.pid}_${Date.now().toString(36)}`;
  let t: TestInstance;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    await admin(`create role "${role}" login nosuperuser nocreatedb nocreaterole`);
    t = await createTestInstance("postgres", undefined, { appRole: role });
  });
  afterAll(async () => {
    await t?.dispose();
    await admin(`drop owned by "${role}"`);
    await admin(`drop role "${role}"`);
  });

  it("is not a superuser, owns no table, and cannot create or alter tables", async () => {
    const me = await sql<{ user: string; super: boolean; owned: string }>`
      select current_user as user, r.rolsuper as super,
        (select count(*) from pg_tables where tableowner = current_user)::text as owned
      from pg_roles r where r.rolname = current_user`.execute(t.db);
    expect(me.rows[0]).toEqual({ user: role, super: false, owned: "0" });
    await expect(sql`create table intruder (id int)`.execute(t.db)).rejects.toThrow(/permission denied/);
    await expect(sql`alter table person add column x int`.execute(t.db)).rejects.toThrow(/owner|permission/);
  });

  it("still does everything the app does, and the database itself refuses rewriting history", async () => {
    const cookie = await t.signUp("olivia@acme.test");
    const ws = await readJson<{ id: string }>(
      await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } }),
    );
    const org = await t.call("POST", `/api/v1/workspaces/${ws.id}/organizations`, {
      cookie,
      body: { name: "Acme", kind: "own" },
    });
    expect(org.status).toBe(201);
    await expect(sql`update history set actor_label = 'mallory'`.execute(t.db)).rejects.toThrow(
      /permission denied|append-only/,
    );
    await expect(sql`delete from history`.execute(t.db)).rejects.toThrow(/permission denied|append-only/);
    await expect(sql`alter table history disable trigger user`.execute(t.db)).rejects.toThrow(
      /owner|permission/,
    );
  });
});
