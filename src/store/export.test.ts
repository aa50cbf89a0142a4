import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./database.ts";
import type { WorkspaceExport } from "./export.ts";
import { exportWorkspace, importExport } from "./export.ts";
import { exportAccessSheet, neutraliseFormula } from "./export-csv.ts";
import { migrateToLatest } from "./migrate.ts";
import * as record from "./record.ts";
import { createWorkspace } from "./workspaces.ts";

let database: Database;
let n = 0;
const now = new Date("2026-11-24T10:00:00Z");
beforeAll(async () => {
  database = openDatabase({ kind: "sqlite", path: ":memory:" });
  await migrateToLatest(database.db, database.schema);
  await database.db
    .insertInto("user")
    .values({
      id: "u",
      email: "o@x.test",
      name: "O",
      emailVerified: false,
      image: null,
      twoFactorEnabled: false,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    })
    .execute();
});
afterAll(() => database.close());

async function newWorkspace() {
  n++;
  return (await createWorkspace(database.db, { name: `W${n}`, slug: `w${n}`, ownerUserId: "u", now })).id;
}

/** Replace IDs by their position in the export, so two exports compare by content. */
function normalise(doc: WorkspaceExport) {
  const ids = new Map<string, string>();
  for (const [kind, list] of Object.entries({
    o: doc.organizations,
    p: doc.people,
    a: doc.accounts,
    s: doc.assets,
    l: doc.sharedLogins,
    g: doc.grants,
  })) {
    for (const [i, e] of list.entries()) ids.set(e.id, `${kind}${i}`);
  }
  const json = JSON.stringify({ ...doc, exportedAt: null, workspace: null }, (k, v) =>
    k === "createdAt" || k === "updatedAt" ? undefined : typeof v === "string" && ids.has(v) ? ids.get(v) : v,
  );
  return JSON.parse(json);
}

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 '&.-]{0,20}$/).map((s) => s.trim() || "X");
const day = fc
  .date({ min: new Date("2020-01-01"), max: new Date("2030-12-31"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const workspaceArb = fc.record({
  orgs: fc.uniqueArray(name, { minLength: 1, maxLength: 4, selector: (s) => s.toLowerCase() }),
  people: fc.array(fc.record({ name, departed: fc.boolean(), leftOn: fc.option(day, { nil: null }) }), {
    maxLength: 5,
  }),
  accounts: fc.array(
    fc.record({
      name,
      platform: fc.constantFrom("tiktok", "meta", "google-ads", "bank-portal"),
      cadence: fc.option(fc.integer({ min: 1, max: 365 }), { nil: null }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  grants: fc.array(
    fc.record({
      who: fc.nat(),
      on: fc.nat(),
      role: name,
      status: fc.constantFrom("active", "pending", "revoked"),
      expiresOn: fc.option(day, { nil: null }),
      notes: fc.option(fc.string({ maxLength: 30 }), { nil: null }),
    }),
    { maxLength: 10 },
  ),
});

describe("export and import", () => {
  it("JSON export → import into an empty workspace reproduces any generated workspace exactly", async () => {
    await fc.assert(
      fc.asyncProperty(workspaceArb, async (spec) => {
        const ws = await newWorkspace();
        const ctx = { workspaceId: ws, actor: { userId: null, label: "t" }, now };
        const orgs = [];
        for (const o of spec.orgs)
          orgs.push(await record.createOrganization(database.db, ctx, { name: o, kind: "client" }));
        const people = [];
        for (const [i, p] of spec.people.entries()) {
          people.push(
            await record.createPerson(database.db, ctx, {
              name: p.name,
              emails: [`p${i}@x.test`],
              organizationId: orgs[i % orgs.length]!.id,
              status: p.departed ? "departed" : "active",
              leftOn: p.leftOn,
            }),
          );
        }
        const accounts = [];
        for (const [i, a] of spec.accounts.entries()) {
          accounts.push(
            await record.createAccount(database.db, ctx, {
              platform: a.platform,
              platformId: `${i}`,
              name: a.name,
              organizationId: orgs[i % orgs.length]!.id,
              ownerPersonId: people[0]?.id ?? null,
              backupOwnerPersonId: null,
              reviewCadenceDays: a.cadence,
              lastReviewedOn: null,
              recoveryEmailHolder: null,
              twoFactorHolder: null,
            }),
          );
        }
        for (const g of spec.grants) {
          if (people.length === 0) break;
          await record.createGrant(database.db, ctx, {
            subject: { type: "person", personId: people[g.who % people.length]!.id },
            target: { accountId: accounts[g.on % accounts.length]!.id, assetId: null },
            role: g.role,
            status: g.status as "active",
            invitedOn: null,
            grantedOn: null,
            expiresOn: g.expiresOn,
            revokedOn: null,
            grantedBy: null,
            reason: null,
            source: "typed",
            lastVerifiedOn: null,
            notes: g.notes,
          });
        }
        const original = await exportWorkspace(database.db, ws, now);
        const target = await newWorkspace();
        await importExport(
          database.db,
          { workspaceId: target, actor: { userId: null, label: "t" }, now },
          original,
        );
        const copy = await exportWorkspace(database.db, target, now);
        expect(normalise(copy)).toEqual(normalise(original));
      }),
      { numRuns: 25 },
    );
  });

  it("refuses to import a full export into a workspace that already has records", async () => {
    const ws = await newWorkspace();
    const ctx = { workspaceId: ws, actor: { userId: null, label: "t" }, now };
    await record.createOrganization(database.db, ctx, { name: "Here", kind: "own" });
    const doc = await exportWorkspace(database.db, ws, now);
    await expect(importExport(database.db, ctx, doc)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("CSV export neutralises cells that a spreadsheet would run as formulas", () => {
    expect(neutraliseFormula('=HYPERLINK("http://evil")')).toBe('\'=HYPERLINK("http://evil")');
    for (const c of ["+1", "-1", "@SUM(A1)", "\tx", "\rx"])
      expect(neutraliseFormula(c).startsWith("'")).toBe(true);
    expect(neutraliseFormula("Jane")).toBe("Jane");
  });

  it("CSV export writes one access-sheet row per grant", async () => {
    const ws = await newWorkspace();
    const ctx = { workspaceId: ws, actor: { userId: null, label: "t" }, now };
    const org = await record.createOrganization(database.db, ctx, { name: "=Evil Org", kind: "client" });
    const p = await record.createPerson(database.db, ctx, {
      name: "Jane",
      emails: ["jane@x.test"],
      organizationId: org.id,
      status: "active",
      leftOn: null,
    });
    const a = await record.createAccount(database.db, ctx, {
      platform: "tiktok",
      platformId: "7",
      name: "BC",
      organizationId: org.id,
      ownerPersonId: p.id,
      backupOwnerPersonId: null,
      reviewCadenceDays: null,
      lastReviewedOn: null,
      recoveryEmailHolder: null,
      twoFactorHolder: null,
    });
    await record.createGrant(database.db, ctx, {
      subject: { type: "person", personId: p.id },
      target: { accountId: a.id, assetId: null },
      role: "Admin",
      status: "active",
      invitedOn: null,
      grantedOn: null,
      expiresOn: null,
      revokedOn: null,
      grantedBy: null,
      reason: null,
      source: "typed",
      lastVerifiedOn: null,
    });
    const csv = exportAccessSheet(await exportWorkspace(database.db, ws, now));
    const lines = csv.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("'=Evil Org");
    expect(lines[1]).toContain("jane@x.test");
  });
});
