import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AccessIndex } from "../core/access/index.ts";
import { uuidv7 } from "../core/ids.ts";
import { loadSnapshot } from "./access-snapshot.ts";
import { type Database, ensurePostgresSchema, openDatabase } from "./database.ts";
import { verifyHistory } from "./history.ts";
import { sealHeads, sealKey } from "./history-seal.ts";
import { migrateToLatest } from "./migrate.ts";
import * as record from "./record.ts";
import { testSchemaName, testWorkspaces } from "./test-schema.ts";

const PG = process.env.DELVIA_TEST_DATABASE_URL || undefined;

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.skipIf(dialect === "postgres" && !PG)(`record store and history (${dialect})`, () => {
    let database: Database;
    let schema = "";
    let ws: string;
    let other: string;
    const actor = { userId: null, label: "test" };
    const now = new Date("2026-11-24T10:00:00Z");
    const ctx = () => ({ workspaceId: ws, actor, now });

    beforeEach(async () => {
      if (dialect === "postgres") {
        schema = testSchemaName("r");
        await ensurePostgresSchema(PG!, schema);
        database = openDatabase({ kind: "postgres", url: PG! }, { schema, poolSize: 3 });
      } else {
        database = openDatabase({ kind: "sqlite", path: ":memory:" });
      }
      await migrateToLatest(database.db, database.schema);
      const [a, b] = await testWorkspaces(database.db, now, ["A", "B"]);
      ws = a!;
      other = b!;
    });
    afterEach(async () => {
      await database.close();
    });

    async function sample() {
      const client = await record.createOrganization(database.db, ctx(), {
        name: "Client Co",
        kind: "client",
      });
      const agency = await record.createOrganization(database.db, ctx(), { name: "Agency", kind: "agency" });
      const jane = await record.createPerson(database.db, ctx(), {
        name: "Jane",
        emails: ["Jane@Agency.test"],
        organizationId: agency.id,
        status: "active",
        leftOn: null,
      });
      const bc = await record.createAccount(database.db, ctx(), {
        platform: "tiktok",
        platformId: "7012",
        name: "Client BC",
        organizationId: client.id,
        ownerPersonId: null,
        backupOwnerPersonId: null,
        reviewCadenceDays: 90,
        lastReviewedOn: null,
        recoveryEmailHolder: null,
        twoFactorHolder: null,
      });
      const ad = await record.createAsset(database.db, ctx(), {
        accountId: bc.id,
        organizationId: null,
        type: "ad_account",
        name: "Client ads",
        platformId: "123",
      });
      const grant = await record.createGrant(database.db, ctx(), {
        subject: { type: "person", personId: jane.id },
        target: { accountId: bc.id, assetId: ad.id },
        role: "Operator",
        status: "active",
        invitedOn: null,
        grantedOn: "2026-11-01",
        expiresOn: null,
        revokedOn: null,
        grantedBy: null,
        reason: null,
        source: "typed",
        lastVerifiedOn: null,
      });
      return { client, agency, jane, bc, ad, grant };
    }

    it("writes entities with their history, and the chain verifies", async () => {
      const s = await sample();
      expect(s.jane.emails).toEqual(["jane@agency.test"]);
      expect(s.ad.organizationId).toBe(s.client.id);
      const v = await verifyHistory(database.db, ws);
      expect(v).toMatchObject({ ok: true, events: 6 });
    });

    it("rebuilds the access index from the store: every grant of the workspace, none of another's", async () => {
      const { jane, bc, ad, grant } = await sample();
      const second = await record.createGrant(database.db, ctx(), {
        ...(await record.getGrant(database.db, ws, grant.id)),
        target: { accountId: bc.id, assetId: null },
        role: "Admin",
      });
      const elsewhere = await record.createPerson(
        database.db,
        { ...ctx(), workspaceId: other },
        {
          name: "Not here",
          emails: [],
          organizationId: null,
          status: "active",
          leftOn: null,
        },
      );
      expect(elsewhere.id).toBeTruthy();
      // A page size of 1 walks PostgreSQL's keyset pages; SQLite streams from one statement.
      const snapshot = await loadSnapshot(database.db, ws, 1);
      expect(snapshot.grantCount).toBe(2);
      const index = new AccessIndex({ reachesAllAssets: (_p, role) => role === "Admin" });
      index.load(snapshot);
      expect(index.grantCount).toBe(2);
      const who = index.whoCanReach({ assetId: ad.id }, "2026-11-24");
      expect(who.map((a) => [a.node.id, a.role]).sort()).toEqual([
        [jane.id, "Admin"],
        [jane.id, "Operator"],
      ]);
      expect(second.id).not.toBe(grant.id);
    });

    it("refuses references to another workspace's records", async () => {
      const s = await sample();
      await expect(
        record.createAccount(
          database.db,
          { workspaceId: other, actor, now },
          {
            platform: "meta",
            platformId: null,
            name: "X",
            organizationId: s.client.id,
            ownerPersonId: null,
            backupOwnerPersonId: null,
            reviewCadenceDays: null,
            lastReviewedOn: null,
            recoveryEmailHolder: null,
            twoFactorHolder: null,
          },
        ),
      ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
      await expect(record.getGrant(database.db, other, s.grant.id)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    });

    it("refuses a grant on an asset held in another account", async () => {
      const s = await sample();
      const other = await record.createAccount(database.db, ctx(), {
        platform: "tiktok",
        platformId: null,
        name: "Agency BC",
        organizationId: s.agency.id,
        ownerPersonId: null,
        backupOwnerPersonId: null,
        reviewCadenceDays: null,
        lastReviewedOn: null,
        recoveryEmailHolder: null,
        twoFactorHolder: null,
      });
      await expect(
        record.createGrant(database.db, ctx(), {
          ...s.grant,
          target: { accountId: other.id, assetId: s.ad.id },
        }),
      ).rejects.toMatchObject({
        problems: [{ path: "target.assetId", message: "not held in target.accountId" }],
      });
    });

    it("a failed write leaves neither the change nor a history event", async () => {
      await sample();
      const before = await verifyHistory(database.db, ws);
      await expect(
        record.createOrganization(database.db, ctx(), { name: "client co", kind: "client" }),
      ).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await verifyHistory(database.db, ws)).toEqual(before);
    });

    it("lists a workspace of 33,000 people with their emails (more than SQLite's bound-variable limit)", async () => {
      const at = now.toISOString();
      const people = Array.from({ length: 33_000 }, (_, i) => ({
        id: `00000000-0000-7000-8000-${String(i).padStart(12, "0")}`,
        workspace_id: ws,
        name: `Person ${i}`,
        organization_id: null,
        status: "active",
        left_on: null,
        notes: null,
        created_at: at,
        updated_at: at,
      }));
      for (let i = 0; i < people.length; i += 2000) {
        const chunk = people.slice(i, i + 2000);
        await database.db.insertInto("person").values(chunk).execute();
        await database.db
          .insertInto("person_email")
          .values(chunk.map((p, j) => ({ workspace_id: ws, person_id: p.id, email: `p${i + j}@acme.test` })))
          .execute();
      }
      const listed = await record.listPeople(database.db, ws);
      expect(listed).toHaveLength(33_000);
      expect(listed.every((p) => p.emails.length === 1)).toBe(true);
    });

    it("concurrent writers to one workspace all succeed and extend one unbroken chain", async () => {
      const s = await sample();
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          record.createPerson(database.db, ctx(), {
            name: `Writer ${i}`,
            emails: [],
            organizationId: s.client.id,
            status: "active",
            leftOn: null,
          }),
        ),
      );
      expect(
        results
          .filter((r) => r.status === "rejected")
          .map((r) => String((r as PromiseRejectedResult).reason)),
      ).toEqual([]);
      expect(await verifyHistory(database.db, ws)).toMatchObject({ ok: true, events: 6 + 12 });
    });

    it("the database refuses to update or delete history", async () => {
      await sample();
      await expect(sql`update history set actor_label = 'mallory'`.execute(database.db)).rejects.toThrow(
        /append-only/,
      );
      await expect(sql`delete from history where seq = 1`.execute(database.db)).rejects.toThrow(
        /append-only/,
      );
    });

    it("an edited past event is detected and named", async () => {
      await sample();
      // Tampering needs the triggers out of the way, as an attacker with file access would do.
      if (dialect === "postgres")
        await sql`alter table history disable trigger history_no_update`.execute(database.db);
      else await sql`drop trigger history_no_update`.execute(database.db);
      await sql`update history set after = ${JSON.stringify({ name: "Forged" })} where workspace_id = ${ws} and seq = 3`.execute(
        database.db,
      );
      const v = await verifyHistory(database.db, ws);
      expect(v).toMatchObject({ ok: false, brokenAt: 3 });
      expect(v.ok === false && v.reason).toMatch(/changed/);
    });

    it("a deleted past event is detected", async () => {
      await sample();
      if (dialect === "postgres")
        await sql`alter table history disable trigger history_no_update`.execute(database.db);
      else await sql`drop trigger history_no_delete`.execute(database.db);
      await sql`delete from history where workspace_id = ${ws} and seq = 2`.execute(database.db);
      expect(await verifyHistory(database.db, ws)).toMatchObject({ ok: false, brokenAt: 2 });
    });

    describe("tampering with a sealed history: 5 of 5 detected", () => {
      const key = sealKey("a-secret-kept-outside-the-database-0123456789");
      /** Disable the append-only triggers, as an attacker with the database files would. */
      async function unguard() {
        if (dialect === "postgres") await sql`alter table history disable trigger user`.execute(database.db);
        else {
          await sql`drop trigger if exists history_no_update`.execute(database.db);
          await sql`drop trigger if exists history_no_delete`.execute(database.db);
        }
      }
      async function sealed() {
        await sample();
        await sealHeads(database.db, key, now);
        const v = await verifyHistory(database.db, ws, { sealKey: key, now });
        expect(v).toMatchObject({ ok: true, seal: { seq: 6 } });
        await unguard();
      }
      const verdict = () => verifyHistory(database.db, ws, { sealKey: key, now });
      const row = async (seq: number) =>
        database.db
          .selectFrom("history")
          .selectAll()
          .where("workspace_id", "=", ws)
          .where("seq", "=", seq)
          .executeTakeFirstOrThrow();

      it("edit: a changed event", async () => {
        await sealed();
        await sql`update history set actor_label = 'mallory' where workspace_id = ${ws} and seq = 4`.execute(
          database.db,
        );
        expect(await verdict()).toMatchObject({ ok: false, brokenAt: 4 });
      });
      it("delete: an event removed from the middle", async () => {
        await sealed();
        await sql`delete from history where workspace_id = ${ws} and seq = 3`.execute(database.db);
        expect(await verdict()).toMatchObject({ ok: false, brokenAt: 3 });
      });
      it("insert: a forged event slipped in, later ones renumbered", async () => {
        await sealed();
        const forged = { ...(await row(5)), id: uuidv7(), actor_label: "mallory" };
        for (let seq = 6; seq >= 5; seq--)
          await sql`update history set seq = ${seq + 1} where workspace_id = ${ws} and seq = ${seq}`.execute(
            database.db,
          );
        await database.db.insertInto("history").values(forged).execute();
        expect(await verdict()).toMatchObject({ ok: false, brokenAt: 5 });
      });
      it("reorder: two events swapped", async () => {
        await sealed();
        await sql`update history set seq = 100 where workspace_id = ${ws} and seq = 2`.execute(database.db);
        await sql`update history set seq = 2 where workspace_id = ${ws} and seq = 3`.execute(database.db);
        await sql`update history set seq = 3 where workspace_id = ${ws} and seq = 100`.execute(database.db);
        expect(await verdict()).toMatchObject({ ok: false, brokenAt: 2 });
      });
      it("truncate: the last events removed, which the chain alone cannot see", async () => {
        await sealed();
        await sql`delete from history where workspace_id = ${ws} and seq >= 5`.execute(database.db);
        // Without the seal the shorter chain is self-consistent…
        expect(await verifyHistory(database.db, ws)).toMatchObject({ ok: true, events: 4 });
        // …with it, the removal is named.
        const v = await verdict();
        expect(v).toMatchObject({ ok: false, brokenAt: 5 });
        expect(v.ok === false && v.reason).toContain("events were removed from the end");
      });
      it("a seal written without the key is refused", async () => {
        await sealed();
        const later = new Date(now.getTime() + 2 * 3600_000);
        expect(await sealHeads(database.db, sealKey("another-secret-another-secret-another-0"), later)).toBe(
          1,
        );
        const v = await verifyHistory(database.db, ws, { sealKey: key, now: later });
        expect(v.ok === false && v.reason).toMatch(/not signed with this instance's key/);
      });
    });

    it("revoking a grant is recorded as a revoke event with before and after", async () => {
      const s = await sample();
      const { id: _i, createdAt: _c, updatedAt: _u, ...input } = s.grant;
      const revoked = await record.updateGrant(database.db, ctx(), s.grant.id, {
        ...input,
        status: "revoked",
        revokedOn: "2026-11-24",
      });
      expect(revoked.status).toBe("revoked");
      const rows = await database.db
        .selectFrom("history")
        .select(["action", "entity_id"])
        .where("workspace_id", "=", ws)
        .orderBy("seq", "desc")
        .limit(1)
        .execute();
      expect(rows[0]).toEqual({ action: "revoke", entity_id: s.grant.id });
    });
  });
}
