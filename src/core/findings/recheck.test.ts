import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findingsCatalog } from "../catalog/findings-catalog.ts";
import { affectedAccountIds, type ChangedEntity, recheckFindings, sliceFindingsInput } from "./recheck.ts";
import {
  type FAccount,
  type FAsset,
  type FGrant,
  FINDING_RULES,
  type Finding,
  type FindingRule,
  type FindingsInput,
  type FPerson,
  type FSharedLogin,
  scanFindings,
} from "./rules.ts";

const AS_OF = "2026-11-24";
const ORGS = ["own", "o1", "o2"];
const PLATFORMS = ["tiktok", "meta", "google-ads", "custom-x"];
const ROLES = ["Admin", "Standard", "Full control", "Operator", "Owner", "Post", "Partial access"];
const DATES = ["2026-01-05", "2026-06-30", "2026-10-01", "2026-11-10", "2026-11-24", "2026-12-31"];
/** What a recovery or two-step holder, or a system user's "granted by", may say (see mkPerson). */
const TEXTS = ["Ann", " bob ", "CEM", "dee@acme.test", "Eli@Gmail.com", "Ann Other", ""];
const textArb = fc.option(fc.constantFrom(...TEXTS), { nil: null });

// Raw entities refer to each other by index, resolved modulo the lists' lengths.
const personArb = fc.record({
  name: fc.constantFrom("Ann", "Bob", "Cem", "Dee", "Eli"),
  mail: fc.constantFrom("acme.test", "gmail.com", "client.test", ""),
  org: fc.option(fc.constantFrom(...ORGS), { nil: null }),
  departed: fc.boolean(),
  leftOn: fc.option(fc.constantFrom(...DATES), { nil: null }),
});
const accountArb = fc.record({
  name: fc.constantFrom("Main", "Shop", "Ads", "Brand"),
  platform: fc.constantFrom(...PLATFORMS),
  org: fc.constantFrom(...ORGS),
  owner: fc.option(fc.nat(), { nil: null }),
  backup: fc.option(fc.nat(), { nil: null }),
  cadence: fc.option(fc.constantFrom(30, 90), { nil: null }),
  reviewed: fc.option(fc.constantFrom(...DATES), { nil: null }),
  recovery: textArb,
  twoFactor: textArb,
});
const assetArb = fc.record({ account: fc.nat(), name: fc.constantFrom("A1", "A2") });
const loginArb = fc.record({
  label: fc.constantFrom("Shared", "Team", "Ops"),
  knownBy: fc.uniqueArray(fc.nat({ max: 7 }), { maxLength: 3 }),
});
const grantArb = fc.record({
  subject: fc.constantFrom("person", "person", "person", "partner", "system_user", "shared_login"),
  ref: fc.nat(),
  account: fc.nat(),
  asset: fc.option(fc.nat(), { nil: null }),
  role: fc.constantFrom(...ROLES),
  status: fc.constantFrom("active", "active", "pending", "revoked"),
  invitedOn: fc.option(fc.constantFrom(...DATES), { nil: null }),
  expiresOn: fc.option(fc.constantFrom(...DATES), { nil: null }),
  grantedBy: textArb,
});
type RawPerson = typeof personArb extends fc.Arbitrary<infer T> ? T : never;
type RawAccount = typeof accountArb extends fc.Arbitrary<infer T> ? T : never;
type RawAsset = typeof assetArb extends fc.Arbitrary<infer T> ? T : never;
type RawLogin = typeof loginArb extends fc.Arbitrary<infer T> ? T : never;
type RawGrant = typeof grantArb extends fc.Arbitrary<infer T> ? T : never;

const at = <T>(list: T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);

const mkPerson = (r: RawPerson, id: string): FPerson => ({
  id,
  name: r.name,
  emails: r.mail ? [`${r.name.toLowerCase()}@${r.mail}`] : [],
  organizationId: r.org,
  status: r.departed ? "departed" : "active",
  leftOn: r.leftOn,
});
const mkAccount = (r: RawAccount, id: string, people: FPerson[]): FAccount => ({
  id,
  name: r.name,
  platform: r.platform,
  platformId: null,
  organizationId: r.org,
  ownerPersonId: r.owner === null ? null : (at(people, r.owner)?.id ?? null),
  backupOwnerPersonId: r.backup === null ? null : (at(people, r.backup)?.id ?? null),
  reviewCadenceDays: r.cadence,
  lastReviewedOn: r.reviewed,
  recoveryEmailHolder: r.recovery,
  twoFactorHolder: r.twoFactor,
  createdOn: "2026-01-01",
});
const mkAsset = (r: RawAsset, id: string, accounts: FAccount[]): FAsset | null => {
  const a = at(accounts, r.account);
  return a ? { id, name: r.name, type: "ad_account", platformId: null, accountId: a.id } : null;
};
const mkLogin = (r: RawLogin, id: string, people: FPerson[]): FSharedLogin => ({
  id,
  label: r.label,
  knownByPersonIds: [
    ...new Set(r.knownBy.flatMap((i) => (people.length ? [people[i % people.length]!.id] : []))),
  ],
});
function mkGrant(r: RawGrant, id: string, w: Omit<FindingsInput, "grants" | "asOf">): FGrant | null {
  const account = at(w.accounts, r.account);
  if (!account) return null;
  let subject: FGrant["subject"];
  if (r.subject === "person") {
    const p = at(w.people, r.ref);
    if (!p) return null;
    subject = { type: "person", personId: p.id };
  } else if (r.subject === "partner") {
    const a = at(w.accounts, r.ref);
    if (!a || a.id === account.id) return null;
    subject = { type: "partner", accountId: a.id };
  } else if (r.subject === "shared_login") {
    const l = at(w.sharedLogins, r.ref);
    if (!l) return null;
    subject = { type: "shared_login", sharedLoginId: l.id };
  } else subject = { type: "system_user", name: "bot" };
  const assets = w.assets.filter((a) => a.accountId === account.id);
  return {
    id,
    subject,
    target: { accountId: account.id, assetId: r.asset === null ? null : (at(assets, r.asset)?.id ?? null) },
    role: r.role,
    status: r.status as FGrant["status"],
    invitedOn: r.invitedOn,
    expiresOn: r.expiresOn,
    grantedBy: r.grantedBy,
  };
}

const workspaceArb = fc
  .record({
    people: fc.array(personArb, { maxLength: 8 }),
    accounts: fc.array(accountArb, { minLength: 1, maxLength: 4 }),
    assets: fc.array(assetArb, { maxLength: 4 }),
    logins: fc.array(loginArb, { maxLength: 3 }),
    grants: fc.array(grantArb, { maxLength: 16 }),
  })
  .map((raw): FindingsInput => {
    const people = raw.people.map((r, i) => mkPerson(r, `p${i}`));
    const accounts = raw.accounts.map((r, i) => mkAccount(r, `a${i}`, people));
    const assets = raw.assets.flatMap((r, i) => mkAsset(r, `s${i}`, accounts) ?? []);
    const sharedLogins = raw.logins.map((r, i) => mkLogin(r, `l${i}`, people));
    const w = { people, accounts, assets, sharedLogins };
    const grants = raw.grants.flatMap((r, i) => mkGrant(r, `g${i}`, w) ?? []);
    return { asOf: AS_OF, ...w, grants };
  });

const changeArb = fc.record({
  kind: fc.constantFrom(
    "grant-create",
    "grant-update",
    "grant-delete",
    "person-create",
    "person-update",
    "account-create",
    "account-update",
    "asset-create",
    "asset-move",
    "login-create",
    "login-update",
    "organization-update",
  ),
  index: fc.nat(),
  person: personArb,
  account: accountArb,
  asset: assetArb,
  login: loginArb,
  grant: grantArb,
});
type RawChange = typeof changeArb extends fc.Arbitrary<infer T> ? T : never;

/** One record change, as the store would make it and name it in history. */
function applyChange(
  w: FindingsInput,
  c: RawChange,
): { after: FindingsInput; changed: ChangedEntity } | null {
  const replace = <T extends { id: string }>(list: T[], next: T) =>
    list.map((x) => (x.id === next.id ? next : x));
  switch (c.kind) {
    case "grant-create": {
      const g = mkGrant(c.grant, "g-new", w);
      return g && { after: { ...w, grants: [...w.grants, g] }, changed: { type: "grant", id: g.id } };
    }
    case "grant-update": {
      const old = at(w.grants, c.index);
      const g = old && mkGrant(c.grant, old.id, w);
      return g
        ? { after: { ...w, grants: replace(w.grants, g) }, changed: { type: "grant", id: g.id } }
        : null;
    }
    case "grant-delete": {
      const old = at(w.grants, c.index);
      return old
        ? {
            after: { ...w, grants: w.grants.filter((g) => g !== old) },
            changed: { type: "grant", id: old.id },
          }
        : null;
    }
    case "person-create": {
      const p = mkPerson(c.person, "p-new");
      return { after: { ...w, people: [...w.people, p] }, changed: { type: "person", id: p.id } };
    }
    case "person-update": {
      const old = at(w.people, c.index);
      if (!old) return null;
      const p = mkPerson(c.person, old.id);
      return { after: { ...w, people: replace(w.people, p) }, changed: { type: "person", id: p.id } };
    }
    case "account-create": {
      const a = mkAccount(c.account, "a-new", w.people);
      return { after: { ...w, accounts: [...w.accounts, a] }, changed: { type: "account", id: a.id } };
    }
    case "account-update": {
      const old = at(w.accounts, c.index)!;
      // The platform of an account never changes.
      const a = { ...mkAccount(c.account, old.id, w.people), platform: old.platform };
      return { after: { ...w, accounts: replace(w.accounts, a) }, changed: { type: "account", id: a.id } };
    }
    case "asset-create": {
      const a = mkAsset(c.asset, "s-new", w.accounts)!;
      return { after: { ...w, assets: [...w.assets, a] }, changed: { type: "asset", id: a.id } };
    }
    case "asset-move": {
      const old = at(w.assets, c.index);
      const a = old && mkAsset(c.asset, old.id, w.accounts);
      return a
        ? { after: { ...w, assets: replace(w.assets, a) }, changed: { type: "asset", id: a.id } }
        : null;
    }
    case "login-create": {
      const l = mkLogin(c.login, "l-new", w.people);
      return {
        after: { ...w, sharedLogins: [...w.sharedLogins, l] },
        changed: { type: "shared_login", id: l.id },
      };
    }
    case "login-update": {
      const old = at(w.sharedLogins, c.index);
      if (!old) return null;
      const l = mkLogin(c.login, old.id, w.people);
      return {
        after: { ...w, sharedLogins: replace(w.sharedLogins, l) },
        changed: { type: "shared_login", id: l.id },
      };
    }
    case "organization-update":
      // Renaming an organization changes nothing the rules read.
      return { after: w, changed: { type: "organization", id: at(ORGS, c.index)! } };
  }
}

/**
 * What the store computes: the change read in the current state, and for a grant or an asset
 * (whose own row holds the relation that can move) or a person (whose old name or emails a text
 * may still hold) also in the state before it, as its history event's `before` image gives it. An account counts for the accounts where it is a partner only
 * when its name changed (the store reads that from the event's images).
 */
function affectedBy(before: FindingsInput, after: FindingsInput, changed: ChangedEntity): Set<string> {
  if (changed.type === "account") {
    const was = before.accounts.find((a) => a.id === changed.id);
    const now = after.accounts.find((a) => a.id === changed.id);
    return was && was.name !== now?.name ? affectedAccountIds(after, [changed]) : new Set([changed.id]);
  }
  const out = affectedAccountIds(after, [changed]);
  if (changed.type === "grant" || changed.type === "asset" || changed.type === "person")
    for (const id of affectedAccountIds(before, [changed])) out.add(id);
  return out;
}

const byKey = (fs: Finding[]) => [...fs].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));

describe("incremental findings re-check", () => {
  it("the generated workspaces exercise every rule the properties below rely on", () => {
    const seen = new Set<string>();
    for (const w of fc.sample(workspaceArb, { numRuns: 2000, seed: 7 }))
      for (const f of scanFindings(w, findingsCatalog)) seen.add(f.rule);
    // Eleven admins need more people than a generated workspace holds.
    const expected = Object.keys(FINDING_RULES).filter((r) => r !== "too-many-admins");
    expect([...seen].sort()).toEqual(expected.sort());
  });

  it("every finding names its account, and keys are unique across the workspace", () => {
    fc.assert(
      fc.property(workspaceArb, (w) => {
        const found = scanFindings(w, findingsCatalog);
        expect(new Set(found.map((f) => f.key)).size).toBe(found.length);
        for (const f of found) {
          expect(f.severity).toBe(FINDING_RULES[f.rule as FindingRule]);
          expect(f.accountId).not.toBeNull();
          expect(f.key.endsWith(`:${f.accountId}`)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("re-checking every account is the full scan; re-checking a subset gives exactly that subset's findings", () => {
    fc.assert(
      fc.property(workspaceArb, fc.array(fc.nat(), { maxLength: 3 }), (w, picks) => {
        const full = scanFindings(w, findingsCatalog);
        expect(
          byKey(
            recheckFindings(
              w,
              findingsCatalog,
              w.accounts.map((a) => a.id),
            ),
          ),
        ).toEqual(byKey(full));
        const subset = new Set(picks.map((i) => w.accounts[i % w.accounts.length]!.id));
        const expected = full.filter((f) => subset.has(f.accountId!));
        expect(byKey(recheckFindings(w, findingsCatalog, subset))).toEqual(byKey(expected));
        // The slice the store loads is enough.
        expect(byKey(recheckFindings(sliceFindingsInput(w, subset), findingsCatalog, subset))).toEqual(
          byKey(expected),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("full scan after one change == previous full scan with the affected accounts' findings replaced by the re-check", () => {
    fc.assert(
      fc.property(workspaceArb, changeArb, (before, raw) => {
        const change = applyChange(before, raw);
        fc.pre(change !== null);
        const { after, changed } = change!;
        const affected = affectedBy(before, after, changed);
        const previous = scanFindings(before, findingsCatalog);
        const rechecked = recheckFindings(sliceFindingsInput(after, affected), findingsCatalog, affected);
        for (const f of rechecked) expect(affected.has(f.accountId!)).toBe(true);
        const patched = [...previous.filter((f) => !affected.has(f.accountId!)), ...rechecked];
        expect(byKey(patched)).toEqual(byKey(scanFindings(after, findingsCatalog)));
      }),
      { numRuns: 2000 },
    );
  });

  it("maps each kind of change to the accounts it can affect", () => {
    const person = (id: string, organizationId: string | null = "own"): FPerson => ({
      id,
      name: id,
      emails: [`${id}@acme.test`],
      organizationId,
      status: "active",
      leftOn: null,
    });
    const account = (id: string, extra: Partial<FAccount> = {}): FAccount => ({
      id,
      name: id,
      platform: "tiktok",
      platformId: null,
      organizationId: "own",
      ownerPersonId: null,
      reviewCadenceDays: null,
      lastReviewedOn: null,
      createdOn: "2026-01-01",
      ...extra,
    });
    const grant = (id: string, subject: FGrant["subject"], accountId: string): FGrant => ({
      id,
      subject,
      target: { accountId, assetId: null },
      role: "Admin",
      status: "active",
      invitedOn: null,
      expiresOn: null,
    });
    const w: FindingsInput = {
      asOf: AS_OF,
      people: [person("ann"), person("bob", "agency"), person("cat")],
      accounts: [
        account("A", { ownerPersonId: "cat" }),
        account("B", { backupOwnerPersonId: "ann" }),
        account("C", { organizationId: "client" }),
        account("D"),
        account("E"),
        account("F", { twoFactorHolder: " ANN " }),
        account("G", { platform: "meta" }),
      ],
      assets: [{ id: "s1", name: "s1", type: "ad_account", platformId: null, accountId: "D" }],
      sharedLogins: [{ id: "l1", label: "l1", knownByPersonIds: ["ann"] }],
      grants: [
        grant("g1", { type: "person", personId: "ann" }, "A"),
        grant("g2", { type: "partner", accountId: "A" }, "C"),
        grant("g3", { type: "shared_login", sharedLoginId: "l1" }, "E"),
        grant("g4", { type: "person", personId: "bob" }, "D"),
        { ...grant("g5", { type: "system_user", name: "bot" }, "G"), grantedBy: "Cat@Acme.test" },
      ],
    };
    const of = (type: ChangedEntity["type"], id: string) => [...affectedAccountIds(w, [{ type, id }])].sort();
    expect(of("grant", "g2")).toEqual(["C"]);
    expect(of("grant", "gone")).toEqual([]);
    expect(of("asset", "s1")).toEqual(["D"]);
    expect(of("account", "A")).toEqual(["A", "C"]);
    expect(of("person", "ann")).toEqual(["A", "B", "E", "F"]);
    expect(of("person", "cat")).toEqual(["A", "G"]);
    expect(of("shared_login", "l1")).toEqual(["E"]);
    expect(of("organization", "agency")).toEqual(["D"]);
    expect(of("organization", "client")).toEqual(["C"]);
  });
});
