import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { findingsCatalog } from "../core/catalog/findings-catalog.ts";
import { sheetCatalog } from "../core/catalog/sheet-catalog.ts";
import { fixedClock } from "../core/clock.ts";
import {
  accountFacts,
  type FAccount,
  type Finding,
  scanFindings,
  WHOLE_ACCOUNT,
} from "../core/findings/rules.ts";
import { uuidv7 } from "../core/ids.ts";
import { checkAccessSheet } from "../core/record/access-sheet.ts";
import { AccountInput, GrantInput, PersonInput, SharedLoginInput } from "../core/record/schemas.ts";
import { type Database, ensurePostgresSchema, openDatabase } from "../store/database.ts";
import { listStoredFindings, loadAccountFacts, loadFindingsInput } from "../store/findings.ts";
import { scanInThreads, scanThreads, scanWorkspace } from "../store/findings-scan.ts";
import { verifyHistory } from "../store/history.ts";
import { importSheet } from "../store/import-sheet.ts";
import { migrateToLatest } from "../store/migrate.ts";
import * as record from "../store/record.ts";
import { testSchemaName } from "../store/test-schema.ts";
import { AccessService } from "./access-service.ts";
import { countOutsidersFromIndex, refreshFindings, workspaceFindings } from "./findings-service.ts";

const PG = process.env.DELVIA_TEST_DATABASE_URL || undefined;
const tmp = mkdtempSync(join(tmpdir(), "delvia-findings-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TODAY = "2026-11-24";
const DATES = ["2026-01-05", "2026-06-30", "2026-10-01", "2026-11-10", "2026-11-24", "2026-12-31"];
const ROLES = ["Admin", "Standard", "Operator", "Full control", "Partial access", "Owner"];
const NAMES = ["Ann", "Bob", "Cem", "Dee", "Eli", "Fay"];
const MAILS = ["acme.test", "gmail.com", "client.test"];

/** One record write, by index into what exists when it runs. */
const opArb = fc.record({
  kind: fc.constantFrom(
    "grant-create",
    "grant-create",
    "grant-create",
    "grant-update",
    "grant-move",
    "grant-delete",
    "grant-notes",
    "person-status",
    "person-left-on",
    "person-organization",
    "person-rename",
    "person-notes",
    "person-create",
    "account-rename",
    "account-owner",
    "account-organization",
    "account-review",
    "account-create",
    "login-knowers",
    "login-rename",
    "organization-rename",
    "asset-create",
    "import",
    "import",
  ),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  d: fc.nat(),
});
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const pick = <T>(list: T[], i: number): T => list[i % list.length]!;

for (const dialect of ["sqlite", "postgres"] as const) {
  describe.skipIf(dialect === "postgres" && !PG)(
    `findings re-check against the database (${dialect})`,
    () => {
      let database: Database;
      /** Another server's connection to the same database. */
      let reopen: () => Database;
      beforeEach(async () => {
        if (dialect === "sqlite") {
          const path = join(tmp, `${uuidv7()}.db`);
          reopen = () => openDatabase({ kind: "sqlite", path });
          database = reopen();
        } else {
          const schema = testSchemaName("f");
          await ensurePostgresSchema(PG!, schema);
          reopen = () => openDatabase({ kind: "postgres", url: PG! }, { schema, poolSize: 3 });
          database = reopen();
        }
        await migrateToLatest(database.db, database.schema);
      });
      afterEach(() => database.close());

      /** A small workspace: three organizations, six people, three accounts with assets, two shared logins. */
      async function workspace() {
        const db = database.db;
        const workspaceId = uuidv7();
        await db
          .insertInto("organization")
          .values({
            id: workspaceId,
            name: "W",
            slug: workspaceId,
            logo: null,
            metadata: null,
            createdAt: new Date().toISOString(),
          })
          .execute();
        const ctx = {
          workspaceId,
          actor: { userId: null, label: "test" },
          now: new Date(`${TODAY}T09:00:00Z`),
        };
        const orgs: string[] = [];
        for (const [name, kind] of [
          ["Own", "own"],
          ["Agency", "agency"],
          ["Client", "client"],
        ] as const)
          orgs.push((await record.createOrganization(db, ctx, { name, kind })).id);
        const people: string[] = [];
        for (let i = 0; i < 6; i++)
          people.push(
            (
              await record.createPerson(
                db,
                ctx,
                PersonInput.parse({
                  name: NAMES[i],
                  emails: [`${NAMES[i]!.toLowerCase()}@${MAILS[i % 3]}`],
                  organizationId: orgs[i % 3],
                }),
              )
            ).id,
          );
        const accounts: string[] = [];
        for (const [platform, org] of [
          ["tiktok", 0],
          ["meta", 2],
          ["google-ads", 1],
        ] as const)
          accounts.push(
            (
              await record.createAccount(
                db,
                ctx,
                AccountInput.parse({ platform, name: `${platform} account`, organizationId: orgs[org] }),
              )
            ).id,
          );
        const assets = new Map<string, string[]>();
        for (const a of accounts)
          assets.set(a, [
            (
              await record.createAsset(db, ctx, {
                accountId: a,
                organizationId: null,
                type: "ad_account",
                name: "Ads",
                platformId: null,
              })
            ).id,
          ]);
        const logins: string[] = [];
        for (const label of ["Shared", "Ops"])
          logins.push(
            (
              await record.createSharedLogin(
                db,
                ctx,
                SharedLoginInput.parse({ label, knownByPersonIds: people.slice(0, 2) }),
              )
            ).id,
          );
        return { workspaceId, ctx, orgs, people, accounts, assets, logins, grants: [] as string[] };
      }
      type W = Awaited<ReturnType<typeof workspace>>;

      async function apply(w: W, op: Op): Promise<void> {
        const db = database.db;
        const { ctx } = w;
        const subject = (): GrantInput["subject"] => {
          const k = op.b % 6;
          if (k < 3) return { type: "person", personId: pick(w.people, op.c) };
          if (k === 3) return { type: "shared_login", sharedLoginId: pick(w.logins, op.c) };
          if (k === 4) return { type: "partner", accountId: pick(w.accounts, op.c) };
          return { type: "system_user", name: "bot" };
        };
        const target = () => {
          const accountId = pick(w.accounts, op.a);
          return { accountId, assetId: op.d % 2 ? pick(w.assets.get(accountId)!, op.d) : null };
        };
        const grant = (): GrantInput => {
          const g = GrantInput.parse({
            subject: subject(),
            target: target(),
            role: pick(ROLES, op.c + op.d),
            status: pick(["active", "active", "pending", "revoked"], op.d),
            invitedOn: op.a % 3 ? pick(DATES, op.b) : null,
            expiresOn: op.c % 4 === 0 ? pick(DATES, op.a) : null,
          });
          return g.subject.type === "partner" && g.subject.accountId === g.target.accountId
            ? { ...g, subject: { type: "system_user", name: "bot" } }
            : g;
        };
        const existing = async () => {
          if (w.grants.length === 0) return null;
          const id = pick(w.grants, op.a);
          const { id: _i, createdAt: _c, updatedAt: _u, ...g } = await record.getGrant(db, w.workspaceId, id);
          return { id, g: GrantInput.parse(g) };
        };
        const person = pick(w.people, op.a);
        const account = pick(w.accounts, op.a);
        switch (op.kind) {
          case "grant-create":
            w.grants.push((await record.createGrant(db, ctx, grant())).id);
            return;
          case "grant-update":
          case "grant-move":
          case "grant-notes": {
            const e = await existing();
            if (!e) return;
            const made = grant();
            const next =
              op.kind === "grant-update"
                ? { ...made, target: e.g.target }
                : op.kind === "grant-move"
                  ? { ...e.g, target: made.target }
                  : { ...e.g, notes: `checked ${op.b}` };
            if (next.subject.type === "partner" && next.subject.accountId === next.target.accountId) return;
            await record.updateGrant(db, ctx, e.id, next);
            return;
          }
          case "grant-delete": {
            const e = await existing();
            if (!e) return;
            await record.deleteGrant(db, ctx, e.id);
            w.grants = w.grants.filter((id) => id !== e.id);
            return;
          }
          case "person-status":
            await record.updatePerson(db, ctx, person, { status: op.b % 2 ? "departed" : "active" });
            return;
          case "person-left-on":
            await record.updatePerson(db, ctx, person, { leftOn: op.b % 3 ? pick(DATES, op.c) : null });
            return;
          case "person-organization":
            await record.updatePerson(db, ctx, person, {
              organizationId: op.b % 4 ? pick(w.orgs, op.c) : null,
            });
            return;
          case "person-rename":
            await record.updatePerson(db, ctx, person, {
              name: pick(NAMES, op.b),
              emails: [`${pick(NAMES, op.b).toLowerCase()}${op.c}@${pick(MAILS, op.c)}`],
            });
            return;
          case "person-notes":
            await record.updatePerson(db, ctx, person, { notes: `note ${op.b}` });
            return;
          case "person-create":
            w.people.push(
              (
                await record.createPerson(
                  db,
                  ctx,
                  PersonInput.parse({
                    name: pick(NAMES, op.b),
                    emails: [],
                    organizationId: pick(w.orgs, op.c),
                  }),
                )
              ).id,
            );
            return;
          case "account-rename":
            await record.updateAccount(db, ctx, account, { name: `Account ${op.b % 5}` });
            return;
          case "account-owner":
            await record.updateAccount(db, ctx, account, {
              ownerPersonId: op.b % 3 ? pick(w.people, op.c) : null,
              backupOwnerPersonId: op.c % 2 ? pick(w.people, op.b) : null,
            });
            return;
          case "account-organization":
            await record.updateAccount(db, ctx, account, { organizationId: pick(w.orgs, op.b) });
            return;
          case "account-review":
            await record.updateAccount(db, ctx, account, {
              reviewCadenceDays: op.b % 2 ? 30 : null,
              lastReviewedOn: op.c % 2 ? pick(DATES, op.c) : null,
            });
            return;
          case "account-create": {
            const a = await record.createAccount(
              db,
              ctx,
              AccountInput.parse({
                platform: pick(["tiktok", "meta"], op.b),
                name: `New ${op.c}`,
                organizationId: pick(w.orgs, op.c),
              }),
            );
            w.accounts.push(a.id);
            w.assets.set(a.id, []);
            return;
          }
          case "login-knowers":
            await record.updateSharedLogin(db, ctx, pick(w.logins, op.a), {
              knownByPersonIds: [...new Set([pick(w.people, op.b), pick(w.people, op.c)])].slice(
                0,
                1 + (op.d % 2),
              ),
            });
            return;
          case "login-rename":
            await record.updateSharedLogin(db, ctx, pick(w.logins, op.a), { label: `Login ${op.b}` });
            return;
          case "organization-rename":
            await record.updateOrganization(db, ctx, pick(w.orgs, op.a), { name: `Org ${op.b}` });
            return;
          case "import": {
            // Two sheet rows: someone already in the record, and a newcomer from outside; each
            // grant created is listed in the import's batch event, not an event of its own.
            const platform = pick(["tiktok", "meta", "google-ads"] as const, op.a);
            // Google Ads takes no ad_account asset: its rows are about the account itself.
            const onAsset = op.d % 2 === 1 && platform !== "google-ads";
            const asset = onAsset ? ["Ads", "ad_account"] : ["", ""];
            const roles = {
              tiktok: ["Admin", onAsset ? "Operator" : "Standard"],
              meta: ["Full control", "Partial access"],
              "google-ads": ["Admin", "Standard"],
            }[platform];
            const row = (name: string, email: string, org: string) => [
              platform,
              `${platform} account`,
              "Client",
              ...asset,
              name,
              email,
              org,
              pick(roles, op.c),
              pick(["active", "pending"], op.d >> 1),
            ];
            const i = op.b % NAMES.length;
            const { rows, problems } = checkAccessSheet(
              [
                "platform",
                "account",
                "account_org",
                "asset",
                "asset_type",
                "subject",
                "email",
                "subject_org",
                "role",
                "status",
              ],
              [
                row(NAMES[i]!, `${NAMES[i]!.toLowerCase()}@${MAILS[i % 3]}`, ""),
                row(`New ${op.c % 4}`, `new${op.c % 4}@outside.test`, "Outside Co"),
              ],
              sheetCatalog,
            );
            expect(problems).toEqual([]);
            await importSheet(db, ctx, rows);
            return;
          }
          case "asset-create": {
            const a = await record.createAsset(db, ctx, {
              accountId: account,
              organizationId: null,
              type: "ad_account",
              name: `Ads ${op.b}`,
              platformId: null,
            });
            w.assets.get(account)!.push(a.id);
            return;
          }
        }
      }

      const shape = (f: Finding) =>
        JSON.stringify([
          f.key,
          f.severity,
          f.message,
          f.assetId,
          f.guide,
          f.subject && [f.subject.type, f.subject.id, f.subject.name, f.subject.email],
        ]);

      for (const withIndex of [false, true])
        it(`after random writes (a few at a time), the re-check stores exactly what a full scan finds, and the chain verifies${withIndex ? " (outsiders from the access index)" : ""}`, async () => {
          const clock = fixedClock(`${TODAY}T09:00:00.000Z`);
          const access = new AccessService(database.db);
          if (withIndex) countOutsidersFromIndex(database.db, access);
          await fc.assert(
            fc.asyncProperty(
              fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 6, maxLength: 12 }),
              async (batches) => {
                const w = await workspace();
                const db = database.db;
                if (withIndex) await access.index(w.workspaceId);
                expect(access.isLoaded(w.workspaceId)).toBe(withIndex);
                expect(await refreshFindings(db, clock, w.workspaceId)).toBe("full");
                for (const batch of batches) {
                  for (const op of batch) await apply(w, op);
                  // "fresh" when the batch wrote nothing (say, deleting a grant when there was none).
                  expect(["recheck", "fresh"]).toContain(await refreshFindings(db, clock, w.workspaceId));
                  const stored = (await listStoredFindings(db, w.workspaceId, TODAY)).filter(
                    (f) => f.status !== "resolved",
                  );
                  const full = scanFindings(
                    await loadFindingsInput(db, w.workspaceId, TODAY),
                    findingsCatalog,
                  );
                  expect(stored.map(shape).sort()).toEqual(full.map(shape).sort());
                  // What the list serves (counts and first page, kept by this server under the
                  // findings version since an earlier batch) is what is stored now.
                  const served = await workspaceFindings(db, clock, w.workspaceId, { limit: 500 });
                  expect(served.findings.map(shape).sort()).toEqual(stored.map(shape).sort());
                  expect(served.total).toBe(stored.length);
                  for (const severity of ["critical", "high", "medium", "low"] as const)
                    expect(served.counts[severity], severity).toBe(
                      stored.filter((f) => f.severity === severity && f.status === "open").length,
                    );
                }
                expect(await verifyHistory(db, w.workspaceId)).toMatchObject({ ok: true });
              },
            ),
            { numRuns: dialect === "sqlite" ? 12 : 6 },
          );
        }, 300_000);

      it("a re-check that changes no finding writes nothing; another server re-checks from the stored mark", async () => {
        const clock = fixedClock(`${TODAY}T09:00:00.000Z`);
        const w = await workspace();
        const db = database.db;
        const mark = async () =>
          Number(
            (
              await db
                .selectFrom("finding_scan")
                .select("history_head")
                .where("workspace_id", "=", w.workspaceId)
                .executeTakeFirstOrThrow()
            ).history_head,
          );
        const matchesFullScan = async () => {
          const stored = (await listStoredFindings(db, w.workspaceId, TODAY)).filter(
            (f) => f.status !== "resolved",
          );
          const full = scanFindings(await loadFindingsInput(db, w.workspaceId, TODAY), findingsCatalog);
          expect(stored.map(shape).sort()).toEqual(full.map(shape).sort());
        };
        for (let i = 0; i < 6; i++) await apply(w, { kind: "grant-create", a: i, b: i, c: i, d: i });
        expect(w.grants.length).toBeGreaterThan(0);
        expect(await refreshFindings(db, clock, w.workspaceId)).toBe("full");
        const stored = await mark();
        // Notes change no finding: re-checked, nothing written, and fresh from then on.
        await apply(w, { kind: "person-notes", a: 0, b: 1, c: 0, d: 0 });
        await apply(w, { kind: "grant-notes", a: 0, b: 1, c: 0, d: 0 });
        expect(await refreshFindings(db, clock, w.workspaceId)).toBe("recheck");
        expect(await mark()).toBe(stored);
        expect(await refreshFindings(db, clock, w.workspaceId)).toBe("fresh");
        // Another server knows nothing of that: it re-checks from the stored mark.
        const other = reopen();
        try {
          expect(await refreshFindings(other.db, clock, w.workspaceId)).toBe("recheck");
          // Everyone leaves: findings change, the other server stores them, and this one, whose
          // shortcut predates that, re-checks instead of calling its findings fresh.
          for (let i = 0; i < 6; i++) await apply(w, { kind: "person-status", a: i, b: 1, c: 0, d: 0 });
          expect(await refreshFindings(other.db, clock, w.workspaceId)).toBe("recheck");
          expect(await mark()).toBeGreaterThan(stored);
          await matchesFullScan();
          expect(await refreshFindings(db, clock, w.workspaceId)).toBe("fresh");
          await matchesFullScan();
        } finally {
          await other.close();
        }
      });

      it.skipIf(dialect === "postgres")(
        "a full scan in a worker thread (the server's, on a SQLite file) stores exactly what a scan in process finds",
        async () => {
          const clock = fixedClock(`${TODAY}T09:00:00.000Z`);
          const w = await workspace();
          const db = database.db;
          const ops = fc.sample(opArb, { numRuns: 40, seed: 11 });
          for (const op of ops) await apply(w, op);
          const here = scanFindings(await loadFindingsInput(db, w.workspaceId, TODAY), findingsCatalog);
          expect(here.length).toBeGreaterThan(3);
          expect(new Set(here.map((f) => f.rule)).size).toBeGreaterThan(2);
          const started = scanThreads.started;
          scanInThreads(db);
          const threaded = await scanWorkspace(db, w.workspaceId, TODAY);
          expect(threaded.map(shape)).toEqual(here.map(shape));
          // The server's refresh scans there too, and stores what it found.
          expect(await refreshFindings(db, clock, w.workspaceId)).toBe("full");
          expect(scanThreads.started).toBe(started + 2);
          const stored = (await listStoredFindings(db, w.workspaceId, TODAY)).filter(
            (f) => f.status !== "resolved",
          );
          expect(stored.map(shape).sort()).toEqual(here.map(shape).sort());
        },
      );

      it("lets requests that arrive during a refresh share one next refresh, which sees what they wrote", async () => {
        const clock = fixedClock(`${TODAY}T09:00:00.000Z`);
        const w = await workspace();
        const db = database.db;
        for (let i = 0; i < 4; i++) await apply(w, { kind: "grant-create", a: i, b: i, c: i, d: i });
        const first = refreshFindings(db, clock, w.workspaceId);
        // Arriving while the first scan runs: they cannot use it, and they do not each scan again.
        const second = refreshFindings(db, clock, w.workspaceId, { fullScan: false });
        const third = refreshFindings(db, clock, w.workspaceId);
        expect(third).toBe(second);
        expect(await first).toBe("full");
        expect(await second).toBe("fresh"); // nothing changed in between; and not "stale": third needs a scan
        // A write while a refresh runs is seen by a refresh asked for after it.
        await apply(w, { kind: "grant-notes", a: 0, b: 1, c: 0, d: 0 });
        const during = refreshFindings(db, clock, w.workspaceId);
        for (let i = 0; i < 4; i++) await apply(w, { kind: "person-status", a: i, b: 1, c: 0, d: 0 });
        const after = refreshFindings(db, clock, w.workspaceId);
        expect(after).not.toBe(during);
        expect(await during).toBe("recheck");
        await after;
        const stored = (await listStoredFindings(db, w.workspaceId, TODAY)).filter(
          (f) => f.status !== "resolved",
        );
        const full = scanFindings(await loadFindingsInput(db, w.workspaceId, TODAY), findingsCatalog);
        expect(full.some((f) => f.rule === "departed-with-access")).toBe(true);
        expect(stored.map(shape).sort()).toEqual(full.map(shape).sort());
      });

      it("counts each account's admins and outsiders with queries exactly as the rules count them from every grant", async () => {
        const clock = fixedClock(`${TODAY}T09:00:00.000Z`);
        await fc.assert(
          fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 30 }), async (ops) => {
            const w = await workspace();
            const db = database.db;
            for (const op of ops) await apply(w, op);
            const input = await loadFindingsInput(db, w.workspaceId, isoDay(clock));
            const index = await new AccessService(db).index(w.workspaceId);
            const fromIndex = (a: FAccount, organizations: readonly string[] | null) =>
              index.outsiders(a.id, a.organizationId, organizations, TODAY);
            // Every way to find outsiders: from the account's grants (every organization, or the
            // scoped ones), from each scoped organization's people (as for a large account), and
            // from the server's access index.
            for (const [outsidersByAccount, organizations, outsiders] of [
              [2000, "all", undefined],
              [2000, new Set(w.orgs), undefined],
              [0, new Set(w.orgs), undefined],
              [2000, "all", fromIndex],
              [2000, new Set(w.orgs.slice(1)), fromIndex],
            ] as const) {
              const scope = new Map(
                input.accounts.map((a) => [a.id, { subjects: new Set<string>(), organizations }]),
              );
              const facts = await loadAccountFacts(
                db,
                w.workspaceId,
                TODAY,
                scope,
                input.accounts,
                findingsCatalog,
                { outsidersByAccount, outsiders },
              );
              for (const a of input.accounts) {
                const all = accountFacts(input, findingsCatalog, a.id);
                // Only the organizations in scope are counted.
                const expected =
                  organizations === "all"
                    ? all
                    : {
                        ...all,
                        outsiders: new Map([...all.outsiders].filter(([o]) => organizations.has(o))),
                      };
                const got = facts.get(a.id)!;
                expect(got.adminCount).toBe(expected.adminCount);
                expect(got.soleAdmin?.id ?? null).toBe(expected.soleAdmin?.id ?? null);
                expect(got.soleAdmin?.emails ?? null).toEqual(expected.soleAdmin?.emails ?? null);
                expect(Object.fromEntries(got.outsiders)).toEqual(Object.fromEntries(expected.outsiders));
              }
            }
            // A whole account needs no facts: they are counted from its grants.
            expect(
              await loadAccountFacts(
                db,
                w.workspaceId,
                TODAY,
                new Map([[w.accounts[0]!, WHOLE_ACCOUNT]]),
                input.accounts,
                findingsCatalog,
              ),
            ).toEqual(new Map());
          }),
          { numRuns: dialect === "sqlite" ? 10 : 5 },
        );
      }, 300_000);
    },
  );
}

const isoDay = (clock: { now(): Date }) => clock.now().toISOString().slice(0, 10);
