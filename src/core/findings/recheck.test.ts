import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findingsCatalog } from "../catalog/findings-catalog.ts";
import {
  describeChange,
  memoryScopeReader,
  type RecheckScope,
  type RecordChange,
  type RecordEntityType,
  recheckFindings,
  recheckScope,
  sliceForScope,
} from "./recheck.ts";
import {
  type AccountFacts,
  type AccountScope,
  accountFacts,
  type FAccount,
  type FAsset,
  type FGrant,
  FINDING_RULES,
  type Finding,
  type FindingRule,
  type FindingsInput,
  type FPerson,
  type FSharedLogin,
  findingInScope,
  scanFindings,
  WHOLE_ACCOUNT,
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

/** Grants point at the first account more often: one large account among small ones. */
const accountRef = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.nat() });
const workspaceArb = fc
  .record({
    people: fc.array(personArb, { maxLength: 10 }),
    accounts: fc.array(accountArb, { minLength: 1, maxLength: 4 }),
    assets: fc.array(assetArb, { maxLength: 4 }),
    logins: fc.array(loginArb, { maxLength: 4 }),
    grants: fc.array(fc.record({ grant: grantArb, account: accountRef }), { maxLength: 40 }),
  })
  .map((raw): FindingsInput => {
    const people = raw.people.map((r, i) => mkPerson(r, `p${i}`));
    const accounts = raw.accounts.map((r, i) => mkAccount(r, `a${i}`, people));
    const assets = raw.assets.flatMap((r, i) => mkAsset(r, `s${i}`, accounts) ?? []);
    const sharedLogins = raw.logins.map((r, i) => mkLogin(r, `l${i}`, people));
    const w = { people, accounts, assets, sharedLogins };
    const grants = raw.grants.flatMap(
      (r, i) => mkGrant({ ...r.grant, account: r.account }, `g${i}`, w) ?? [],
    );
    return { asOf: AS_OF, ...w, grants };
  });

const CHANGE_KINDS = [
  "grant-create",
  "grant-update",
  "grant-move",
  "grant-resubject",
  "grant-status",
  "grant-expiry",
  "grant-notes",
  "grant-delete",
  "person-create",
  "person-update",
  "person-status",
  "person-left-on",
  "person-organization",
  "person-rename",
  "account-create",
  "account-update",
  "account-rename",
  "account-owner",
  "account-organization",
  "account-review",
  "asset-create",
  "asset-move",
  "login-create",
  "login-update",
  "login-knowers",
  "organization-update",
] as const;
const changeArb = fc.record({
  kind: fc.constantFrom(...CHANGE_KINDS),
  index: fc.nat(),
  person: personArb,
  account: accountArb,
  asset: assetArb,
  login: loginArb,
  grant: grantArb,
  /** History images that hold only the changed fields (as an import writes them). */
  partial: fc.boolean(),
});
type RawChange = typeof changeArb extends fc.Arbitrary<infer T> ? T : never;

type Entity = Record<string, unknown>;
/** One record change as the store makes it: the state after, and its history event. */
interface Applied {
  after: FindingsInput;
  type: RecordEntityType;
  id: string;
  before: Entity | null;
  image: Entity | null;
}

function applyChange(w: FindingsInput, c: RawChange): Applied | null {
  const replace = <T extends { id: string }>(list: T[], next: T) =>
    list.map((x) => (x.id === next.id ? next : x));
  const grantEvent = (old: FGrant | null, g: FGrant | null, after: FindingsInput): Applied => ({
    after,
    type: "grant",
    id: (g ?? old)!.id,
    before: old as unknown as Entity,
    image: g as unknown as Entity,
  });
  const grantAt = () => at(w.grants, c.index);
  const person = () => at(w.people, c.index);
  const account = () => at(w.accounts, c.index)!;
  const withPerson = (old: FPerson, p: FPerson): Applied => ({
    after: { ...w, people: replace(w.people, p) },
    type: "person",
    id: p.id,
    before: old as unknown as Entity,
    image: p as unknown as Entity,
  });
  const withAccount = (old: FAccount, a: FAccount): Applied => ({
    after: { ...w, accounts: replace(w.accounts, a) },
    type: "account",
    id: a.id,
    before: old as unknown as Entity,
    image: a as unknown as Entity,
  });
  const withLogin = (old: FSharedLogin | null, l: FSharedLogin): Applied => ({
    after: { ...w, sharedLogins: old ? replace(w.sharedLogins, l) : [...w.sharedLogins, l] },
    type: "shared_login",
    id: l.id,
    before: old as unknown as Entity,
    image: l as unknown as Entity,
  });
  switch (c.kind) {
    case "grant-create": {
      const g = mkGrant(c.grant, `g-new-${w.grants.length}`, w);
      return g && grantEvent(null, g, { ...w, grants: [...w.grants, g] });
    }
    case "grant-update":
    case "grant-move":
    case "grant-resubject": {
      const old = grantAt();
      const made = old && mkGrant(c.grant, old.id, w);
      if (!old || !made) return null;
      // A move keeps everything but the target; a new subject keeps everything but the subject.
      const g =
        c.kind === "grant-move"
          ? { ...old, target: made.target }
          : c.kind === "grant-resubject"
            ? { ...old, subject: made.subject }
            : made;
      if (g.subject.type === "partner" && g.subject.accountId === g.target.accountId) return null;
      return grantEvent(old, g, { ...w, grants: replace(w.grants, g) });
    }
    case "grant-status":
    case "grant-expiry":
    case "grant-notes": {
      const old = grantAt();
      if (!old) return null;
      const g: FGrant =
        c.kind === "grant-status"
          ? { ...old, status: c.grant.status as FGrant["status"] }
          : c.kind === "grant-expiry"
            ? { ...old, expiresOn: c.grant.expiresOn }
            : old;
      const applied = grantEvent(old, g, { ...w, grants: replace(w.grants, g) });
      // A note is a field the rules never read.
      if (c.kind === "grant-notes") applied.image = { ...g, notes: "changed" };
      return applied;
    }
    case "grant-delete": {
      const old = grantAt();
      return old ? grantEvent(old, null, { ...w, grants: w.grants.filter((g) => g !== old) }) : null;
    }
    case "person-create": {
      const p = mkPerson(c.person, `p-new-${w.people.length}`);
      return {
        after: { ...w, people: [...w.people, p] },
        type: "person",
        id: p.id,
        before: null,
        image: p as unknown as Entity,
      };
    }
    case "person-update": {
      const old = person();
      return old ? withPerson(old, mkPerson(c.person, old.id)) : null;
    }
    case "person-status":
    case "person-left-on":
    case "person-organization":
    case "person-rename": {
      const old = person();
      if (!old) return null;
      const made = mkPerson(c.person, old.id);
      const field = {
        "person-status": "status",
        "person-left-on": "leftOn",
        "person-organization": "organizationId",
        "person-rename": "name",
      }[c.kind] as "status" | "leftOn" | "organizationId" | "name";
      return withPerson(old, { ...old, [field]: made[field] });
    }
    case "account-create": {
      const a = mkAccount(c.account, `a-new-${w.accounts.length}`, w.people);
      return {
        after: { ...w, accounts: [...w.accounts, a] },
        type: "account",
        id: a.id,
        before: null,
        image: a as unknown as Entity,
      };
    }
    case "account-update": {
      const old = account();
      // The platform of an account never changes.
      return withAccount(old, { ...mkAccount(c.account, old.id, w.people), platform: old.platform });
    }
    case "account-rename":
    case "account-owner":
    case "account-organization":
    case "account-review": {
      const old = account();
      const made = mkAccount(c.account, old.id, w.people);
      const next: FAccount =
        c.kind === "account-rename"
          ? { ...old, name: made.name }
          : c.kind === "account-owner"
            ? { ...old, ownerPersonId: made.ownerPersonId, backupOwnerPersonId: made.backupOwnerPersonId }
            : c.kind === "account-organization"
              ? { ...old, organizationId: made.organizationId }
              : { ...old, reviewCadenceDays: made.reviewCadenceDays, lastReviewedOn: made.lastReviewedOn };
      return withAccount(old, next);
    }
    case "asset-create": {
      const a = mkAsset(c.asset, `s-new-${w.assets.length}`, w.accounts)!;
      return {
        after: { ...w, assets: [...w.assets, a] },
        type: "asset",
        id: a.id,
        before: null,
        image: a as unknown as Entity,
      };
    }
    case "asset-move": {
      const old = at(w.assets, c.index);
      const a = old && mkAsset(c.asset, old.id, w.accounts);
      return a
        ? {
            after: { ...w, assets: replace(w.assets, a) },
            type: "asset",
            id: a.id,
            before: old as unknown as Entity,
            image: a as unknown as Entity,
          }
        : null;
    }
    case "login-create":
      return withLogin(null, mkLogin(c.login, `l-new-${w.sharedLogins.length}`, w.people));
    case "login-update":
    case "login-knowers": {
      const old = at(w.sharedLogins, c.index);
      if (!old) return null;
      const made = mkLogin(c.login, old.id, w.people);
      return withLogin(
        old,
        c.kind === "login-knowers" ? { ...old, knownByPersonIds: made.knownByPersonIds } : made,
      );
    }
    case "organization-update":
      // Renaming an organization changes nothing the rules read.
      return {
        after: w,
        type: "organization",
        id: at(ORGS, c.index)!,
        before: { name: "Old" },
        image: { name: "New" },
      };
  }
}

/** The history event's images: whole entities, or (as an import writes them) only the fields that changed. */
function images(a: Applied, partial: boolean): [Entity | null, Entity | null] {
  if (!partial || !a.before || !a.image) return [a.before, a.image];
  const keys = [...new Set([...Object.keys(a.before), ...Object.keys(a.image)])].filter(
    (k) => JSON.stringify(a.before![k]) !== JSON.stringify(a.image![k]),
  );
  return [
    Object.fromEntries(keys.map((k) => [k, a.before![k]])),
    Object.fromEntries(keys.map((k) => [k, a.image![k]])),
  ];
}

/** Each scoped account's facts, as the store's queries answer them: counted over the whole record. */
function factsFor(state: FindingsInput, scope: RecheckScope): Map<string, AccountFacts> {
  const out = new Map<string, AccountFacts>();
  for (const [id, s] of scope) {
    if (s.subjects === "all" || !state.accounts.some((a) => a.id === id)) continue;
    const f = accountFacts(state, findingsCatalog, id);
    const orgs = s.organizations;
    out.set(id, {
      ...f,
      outsiders: new Map([...f.outsiders].filter(([org]) => orgs === "all" || orgs.has(org))),
    });
  }
  return out;
}

const byKey = (fs: Finding[]) => [...fs].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));

/** A random scope over a workspace: some accounts whole, others some subjects and organizations. */
const scopeArb = (w: FindingsInput) => {
  const subjects = [
    ...w.people.map((p) => p.id),
    ...w.sharedLogins.map((l) => l.id),
    ...w.accounts.map((a) => a.id),
    ...w.grants.map((g) => g.id),
  ];
  const part = (ids: string[]) =>
    ids.length
      ? fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 4 }).map((x) => new Set(x))
      : fc.constant(new Set<string>());
  const accountScope = fc.oneof(
    fc.constant<AccountScope>(WHOLE_ACCOUNT),
    fc.record({
      subjects: part(subjects) as fc.Arbitrary<AccountScope["subjects"]>,
      organizations: fc.oneof(fc.constant("all" as const), part(ORGS)) as fc.Arbitrary<
        AccountScope["organizations"]
      >,
    }),
  );
  return fc
    .array(fc.tuple(fc.constantFrom(...w.accounts.map((a) => a.id)), accountScope), { maxLength: 4 })
    .map((pairs): RecheckScope => new Map(pairs));
};

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

  it("no rule reads assets (so an asset's change re-checks nothing)", () => {
    fc.assert(
      fc.property(workspaceArb, (w) => {
        expect(scanFindings({ ...w, assets: [] }, findingsCatalog)).toEqual(scanFindings(w, findingsCatalog));
      }),
      { numRuns: 200 },
    );
  });

  it("re-checking a scope from its slice and the accounts' facts gives exactly the full scan's findings in that scope", () => {
    fc.assert(
      fc.property(
        workspaceArb.chain((w) => fc.tuple(fc.constant(w), scopeArb(w))),
        ([w, scope]) => {
          const full = scanFindings(w, findingsCatalog);
          const expected = full.filter((f) => findingInScope(f, scope));
          const found = recheckFindings(sliceForScope(w, scope), findingsCatalog, scope, factsFor(w, scope));
          expect(byKey(found)).toEqual(byKey(expected));
          // Every account whole is the full scan.
          const all: RecheckScope = new Map(w.accounts.map((a) => [a.id, WHOLE_ACCOUNT]));
          expect(byKey(recheckFindings(sliceForScope(w, all), findingsCatalog, all, new Map()))).toEqual(
            byKey(full),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("full scan after a few changes == previous full scan with the findings in their scope replaced by the re-check", async () => {
    await fc.assert(
      fc.asyncProperty(
        workspaceArb,
        fc.array(changeArb, { minLength: 1, maxLength: 3 }),
        async (start, raws) => {
          let state = start;
          const events: RecordChange[] = [];
          for (const raw of raws) {
            const applied = applyChange(state, raw);
            if (!applied) continue;
            const [before, after] = images(applied, raw.partial);
            const d = describeChange(applied.type, applied.id, before, after);
            if (d) events.push(d);
            state = applied.after;
          }
          const scope = await recheckScope(events, memoryScopeReader(state));
          const rechecked = recheckFindings(
            sliceForScope(state, scope),
            findingsCatalog,
            scope,
            factsFor(state, scope),
          );
          for (const f of rechecked) expect(findingInScope(f, scope)).toBe(true);
          const previous = scanFindings(start, findingsCatalog);
          const patched = [...previous.filter((f) => !findingInScope(f, scope)), ...rechecked];
          expect(byKey(patched)).toEqual(byKey(scanFindings(state, findingsCatalog)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("maps each kind of change to the findings it can affect", async () => {
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
    const reader = memoryScopeReader(w);
    const show = (scope: RecheckScope) =>
      Object.fromEntries(
        [...scope].map(([id, s]) => [
          id,
          `${s.subjects === "all" ? "*" : [...s.subjects].sort().join(",")} / ${s.organizations === "all" ? "*" : [...s.organizations].sort().join(",")}`,
        ]),
      );
    const of = async (type: RecordEntityType, id: string, before: Entity | null, after: Entity | null) => {
      const d = describeChange(type, id, before, after);
      return d ? show(await recheckScope([d], reader)) : null;
    };
    const g2 = w.grants[1] as unknown as Entity;
    // A grant: its subject on its account (before and after a move), and that account's own rules.
    expect(await of("grant", "g2", g2, { ...g2, role: "Standard" })).toEqual({ C: "A / " });
    expect(await of("grant", "g4", { role: "Admin" }, { role: "Standard" })).toEqual({ D: "bob / agency" });
    expect(
      await of(
        "grant",
        "g1",
        { target: { accountId: "B", assetId: null } },
        { target: { accountId: "A", assetId: null } },
      ),
    ).toEqual({ A: "ann / own", B: "ann / own" });
    expect(await of("grant", "g1", { notes: null }, { notes: "checked" })).toBeNull();
    expect(await of("grant", "gone", null, null)).toEqual({});
    // No rule reads assets or organizations' own fields.
    expect(await of("asset", "s1", null, { name: "s1" })).toBeNull();
    expect(await of("organization", "client", { name: "Client" }, { name: "Client Two" })).toBeNull();
    // An account: its own rules; everything when renamed, and its findings as a partner elsewhere.
    expect(await of("account", "A", { ownerPersonId: null }, { ownerPersonId: "cat" })).toEqual({ A: " / " });
    expect(await of("account", "A", { name: "A" }, { name: "A2" })).toEqual({ A: "* / *", C: "A / " });
    expect(await of("account", "C", { organizationId: "client" }, { organizationId: "own" })).toEqual({
      C: " / *",
    });
    expect(await of("account", "C", { notes: null }, { notes: "x" })).toBeNull();
    // A person: their findings where they hold grants, the rules of accounts they own or back up,
    // their logins, the rules of accounts whose holder texts name them, the system users they set up.
    expect(await of("person", "ann", { status: "active" }, { status: "departed" })).toEqual({
      A: "ann / ",
      B: " / ",
      E: "l1 / ",
      F: " / ",
    });
    // Renamed: also their organization's outsider finding where they have access.
    expect(await of("person", "ann", { name: "ann" }, { name: "Ann" })).toEqual({
      A: "ann / own",
      B: " / ",
      E: "l1 / ",
      F: " / ",
    });
    expect(await of("person", "cat", { name: "cat" }, { name: "Cat" })).toEqual({ A: " / ", G: "g5 / " });
    // A text that named their old email names them no longer.
    expect(await of("person", "bob", { emails: ["ann"] }, { emails: ["bob@acme.test"] })).toEqual({
      D: "bob / ",
      F: " / ",
    });
    expect(await of("person", "bob", { organizationId: "own" }, { organizationId: "agency" })).toEqual({
      D: "bob / agency,own",
    });
    expect(await of("person", "ann", { notes: null }, { notes: "x" })).toBeNull();
    // A shared login: its findings on every account it opens.
    expect(await of("shared_login", "l1", { knownByPersonIds: [] }, { knownByPersonIds: ["ann"] })).toEqual({
      E: "l1 / ",
    });
  });
});
