import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findingsCatalog } from "../core/catalog/findings-catalog.ts";
import { sheetCatalog } from "../core/catalog/sheet-catalog.ts";
import { scanFindings } from "../core/findings/rules.ts";
import { checkAccessSheet } from "../core/record/access-sheet.ts";
import type { GrantSubject } from "../core/record/schemas.ts";
import { timelineOf } from "./account-page.ts";
import { type Database, ensurePostgresSchema, openDatabase } from "./database.ts";
import { decideFinding, findingsVersion, loadFindingsInput, reconcileFindings } from "./findings.ts";
import { importSheet } from "./import-sheet.ts";
import { migrateToLatest } from "./migrate.ts";
import { backfillHistoryRefs } from "./migrations/2026_11_25_0016_history_refs.ts";
import { backfillFindingRefs } from "./migrations/2026_11_26_0018_page_versions.ts";
import * as record from "./record.ts";
import { testSchemaName, testWorkspaces } from "./test-schema.ts";

const PG = process.env.DELVIA_TEST_DATABASE_URL || undefined;

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.skipIf(dialect === "postgres" && !PG)(`history listed by account and person (${dialect})`, () => {
    let database: Database;
    let ws: string;
    const now = new Date("2026-11-24T10:00:00Z");
    const ctx = () => ({ workspaceId: ws, actor: { userId: null, label: "test" }, now });

    beforeEach(async () => {
      if (dialect === "postgres") {
        const schema = testSchemaName("h");
        await ensurePostgresSchema(PG!, schema);
        database = openDatabase({ kind: "postgres", url: PG! }, { schema, poolSize: 3 });
      } else database = openDatabase({ kind: "sqlite", path: ":memory:" });
      await migrateToLatest(database.db, database.schema);
      ws = (await testWorkspaces(database.db, now))[0]!;
    });
    afterEach(() => database.close());

    const refs = async () =>
      (
        await database.db
          .selectFrom("history_ref")
          .select(["ref_id", "seq"])
          .where("workspace_id", "=", ws)
          .execute()
      )
        .map((r) => `${Number(r.seq)}:${r.ref_id}`)
        .sort();

    /** Grants of every kind written through the store and an import, changed and removed. */
    async function busyRecord() {
      const db = database.db;
      const org = await record.createOrganization(db, ctx(), { name: "Client Co", kind: "client" });
      const person = (name: string, email: string) =>
        record.createPerson(db, ctx(), {
          name,
          emails: [email],
          organizationId: org.id,
          status: "active",
          leftOn: null,
        });
      const account = (name: string) =>
        record.createAccount(db, ctx(), {
          platform: "tiktok",
          platformId: null,
          name,
          organizationId: org.id,
          ownerPersonId: null,
          backupOwnerPersonId: null,
          reviewCadenceDays: null,
          lastReviewedOn: null,
          recoveryEmailHolder: null,
          twoFactorHolder: null,
        });
      const carla = await person("Carla", "carla@c.test");
      const jane = await person("Jane", "jane@a.test");
      const client = await account("Client BC");
      const agency = await account("Agency BC");
      const ads = await record.createAsset(db, ctx(), {
        accountId: client.id,
        organizationId: null,
        type: "ad_account",
        name: "Ads",
        platformId: "ADS-1",
      });
      const login = await record.createSharedLogin(db, ctx(), {
        label: "Team login",
        knownByPersonIds: [carla.id],
      });
      const base = { role: "Admin", status: "active" as const, source: "typed" as const };
      const grant = (subject: GrantSubject, target: { accountId: string; assetId: string | null }) =>
        record.createGrant(db, ctx(), {
          ...base,
          subject,
          target,
          invitedOn: null,
          grantedOn: null,
          expiresOn: null,
          revokedOn: null,
          grantedBy: null,
          reason: null,
          lastVerifiedOn: null,
        });
      const admin = await grant(
        { type: "person", personId: carla.id },
        { accountId: client.id, assetId: null },
      );
      const partner = await grant(
        { type: "partner", accountId: agency.id },
        { accountId: client.id, assetId: ads.id },
      );
      const assigned = await grant(
        { type: "person", personId: jane.id },
        { accountId: agency.id, assetId: ads.id },
      );
      await grant(
        { type: "shared_login", sharedLoginId: login.id },
        { accountId: client.id, assetId: ads.id },
      );
      const { id, createdAt: _c, updatedAt: _u, ...input } = assigned;
      await record.updateGrant(db, ctx(), id, { ...input, notes: null, role: "Operator" });
      await record.deleteGrant(db, ctx(), admin.id);
      // An import that changes a grant records only the changed fields in the event.
      const load = (status: string) => {
        const header = ["platform", "account", "account_org", "subject", "email", "role", "status"];
        const row = ["tiktok", "Client BC", "Client Co", "Carla", "carla@c.test", "Admin", status];
        return importSheet(db, ctx(), checkAccessSheet(header, [row], sheetCatalog).rows);
      };
      await load("pending");
      await load("active");
      // An import that creates an assignment inside the agency on the client's shared asset.
      await importSheet(
        db,
        ctx(),
        checkAccessSheet(
          [
            "platform",
            "account",
            "account_org",
            "asset",
            "asset_type",
            "asset_id",
            "subject",
            "email",
            "role",
          ],
          [
            [
              "tiktok",
              "Agency BC",
              "Client Co",
              "Ads",
              "ad_account",
              "ADS-1",
              "Carla",
              "carla@c.test",
              "Analyst",
            ],
          ],
          sheetCatalog,
        ).rows,
      );
      return { carla, jane, client, agency, ads, partner, assigned };
    }

    it("lists each event under the accounts and people it concerns, as it is written", async () => {
      const r = await busyRecord();
      const db = database.db;
      const client = await timelineOf(db, ws, r.client.id, { limit: 100 });
      const agency = await timelineOf(db, ws, r.agency.id, { limit: 100 });
      const jane = await timelineOf(db, ws, r.jane.id, { limit: 100 });
      const about = (t: typeof client) => t.events.map((e) => `${e.entityType} ${e.action}`);
      // The client's account: itself, its asset, the grants on it and on its asset — including the
      // assignment recorded inside the agency's account on the client's ads.
      expect(about(client)).toEqual([
        "grant_batch import",
        "grant update",
        "grant_batch import",
        "grant delete",
        "grant change-role",
        "grant create",
        "grant create",
        "grant create",
        "grant create",
        "asset create",
        "account create",
      ]);
      // The agency: its own account, the partner grant it holds, and the assignment inside it.
      expect(about(agency)).toEqual([
        "grant_batch import",
        "grant change-role",
        "grant create",
        "grant create",
        "account create",
      ]);
      expect(about(jane)).toEqual(["grant change-role", "grant create", "person create"]);
      // An import's batch is listed under the people it names, and reads as its size and account.
      const carla = await timelineOf(db, ws, r.carla.id, { limit: 100 });
      expect(about(carla)[0]).toBe("grant_batch import");
      expect(carla.events[0]!.summary).toBe("1 grant on Agency BC");
    });

    it("the migration's backfill lists events already written exactly as writing them does", async () => {
      await busyRecord();
      const live = await refs();
      expect(live.length).toBeGreaterThan(10);
      await database.db.deleteFrom("history_ref").execute();
      await backfillHistoryRefs(database.db);
      expect(await refs()).toEqual(live);
    });

    it("lists each finding event apart under its account's findings, and the migration's backfill does the same", async () => {
      await busyRecord();
      const db = database.db;
      const day = "2026-11-24";
      const found = scanFindings(await loadFindingsInput(db, ws, day), findingsCatalog);
      expect(found.length).toBeGreaterThan(0);
      await reconcileFindings(db, ws, found, day, now);
      const first = found.find((f) => f.accountId)!;
      await decideFinding(db, ctx(), first.key, { status: "acknowledged", reason: "Known and accepted" });
      const listed = (await refs()).filter((r) => r.includes(":findings:"));
      // Every finding on an account: its opening, and the acknowledgement of the first.
      expect(listed).toHaveLength(found.filter((f) => f.accountId).length + 1);
      expect(listed).toContain(
        `${Number(
          (
            await db
              .selectFrom("history")
              .select((eb) => eb.fn.max("seq").as("m"))
              .where("workspace_id", "=", ws)
              .executeTakeFirstOrThrow()
          ).m,
        )}:findings:${first.accountId}`,
      );
      // Not on the account's own timeline.
      const timeline = await timelineOf(db, ws, first.accountId!, { limit: 100 });
      expect(timeline.events.filter((e) => e.entityType === "finding")).toEqual([]);
      const live = await refs();
      await db.deleteFrom("history_ref").where("ref_id", "like", "findings:%").execute();
      await backfillFindingRefs(db);
      expect(await refs()).toEqual(live);
    });

    it("versions stored findings: the rows move with any change, the counts with what exists, a severity or a decision", async () => {
      await busyRecord();
      const db = database.db;
      const day = "2026-11-24";
      const found = scanFindings(await loadFindingsInput(db, ws, day), findingsCatalog);
      expect(found.length).toBeGreaterThan(1);
      const moved = async (before: { rows: string; counts: string }, rows: boolean, counts: boolean) => {
        const after = await findingsVersion(db, ws);
        expect(after.rows !== before.rows, "rows version moved").toBe(rows);
        expect(after.counts !== before.counts, "counts version moved").toBe(counts);
        return after;
      };
      let v = await findingsVersion(db, ws);
      await reconcileFindings(db, ws, found, day, now);
      v = await moved(v, true, true);
      // Found again as stored: nothing moves.
      await reconcileFindings(db, ws, found, day, now);
      v = await moved(v, false, false);
      // Re-worded (a renamed person): the rows, not what counts read.
      const reworded = found.map((f, i) => (i === 0 ? { ...f, message: `${f.message} Again.` } : f));
      await reconcileFindings(db, ws, reworded, day, now);
      v = await moved(v, true, false);
      // Another severity for one: both.
      const graver = reworded.map((f, i) =>
        i === 0
          ? { ...f, severity: f.severity === "critical" ? ("low" as const) : ("critical" as const) }
          : f,
      );
      await reconcileFindings(db, ws, graver, day, now);
      v = await moved(v, true, true);
      // A decision: both (its event).
      await decideFinding(db, ctx(), found[0]!.key, { status: "acknowledged", reason: "Known" });
      v = await moved(v, true, true);
      // One cleared: both.
      await reconcileFindings(db, ws, graver.slice(1), day, now);
      v = await moved(v, true, true);
      // A new day's scan that finds the same: both (the day is part of each).
      await reconcileFindings(db, ws, graver.slice(1), "2026-11-25", now);
      await moved(v, true, true);
    });
  });
}
