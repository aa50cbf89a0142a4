import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AccessIndex,
  type IndexChange,
  type IndexGrant,
  type IndexSnapshot,
  type ReachAnswer,
} from "./index.ts";

const policy = {
  reachesAllAssets: (_platform: string, role: string) => role === "Admin" || role === "Full control",
};
let n = 0;
const gid = () => `00000000-0000-7000-8000-${String(++n).padStart(12, "0")}`;
const grant = (g: Partial<IndexGrant> & Pick<IndexGrant, "subject" | "target" | "role">): IndexGrant => ({
  id: gid(),
  status: "active",
  expiresOn: null,
  ...g,
});
const person = (id: string) => ({ type: "person" as const, personId: id });
const names = (answers: ReachAnswer[]) => answers.map((a) => a.node.name).sort();
const route = (a: ReachAnswer) =>
  a.path.map((e) => `${e.from.name} -${e.role ?? e.kind}-> ${e.to.name}`).join(" | ");

/** A client's Business Center shares its ad account with an agency's; the agency assigns Jane. */
function agencyWorld() {
  const idx = new AccessIndex(policy);
  idx.load({
    people: [
      { id: "carla", name: "Carla", status: "active", leftOn: null },
      { id: "jane", name: "Jane", status: "active", leftOn: null },
      { id: "ada", name: "Ada", status: "active", leftOn: null },
      { id: "dan", name: "Dan", status: "departed", leftOn: "2026-10-01" },
    ],
    accounts: [
      { id: "clientBC", name: "Client BC", platform: "tiktok" },
      { id: "agencyBC", name: "Agency BC", platform: "tiktok" },
      { id: "holdingBC", name: "Holding BC", platform: "tiktok" },
    ],
    assets: [
      { id: "ads", name: "Client ads", accountId: "clientBC" },
      { id: "tt", name: "Client TikTok", accountId: "clientBC" },
    ],
    sharedLogins: [{ id: "login", label: "Team login", knownByPersonIds: ["dan", "carla"] }],
    grants: [
      grant({ subject: person("carla"), target: { accountId: "clientBC", assetId: null }, role: "Admin" }),
      grant({
        subject: { type: "partner", accountId: "agencyBC" },
        target: { accountId: "clientBC", assetId: "ads" },
        role: "Operator",
      }),
      grant({ subject: person("jane"), target: { accountId: "agencyBC", assetId: null }, role: "Standard" }),
      grant({ subject: person("jane"), target: { accountId: "agencyBC", assetId: "ads" }, role: "Analyst" }),
      grant({ subject: person("ada"), target: { accountId: "agencyBC", assetId: null }, role: "Admin" }),
      grant({
        subject: { type: "shared_login", sharedLoginId: "login" },
        target: { accountId: "clientBC", assetId: "tt" },
        role: "Post",
      }),
    ],
  });
  return idx;
}

describe("who can reach", () => {
  it("finds direct holders, admins of the holding account, and people inside a partner, each with a path", () => {
    const idx = agencyWorld();
    const answers = idx.whoCanReach({ assetId: "ads" }, "2026-11-24");
    expect(names(answers)).toEqual(["Ada", "Agency BC", "Carla", "Jane"]);
    const jane = answers.find((a) => a.node.name === "Jane")!;
    expect(route(jane)).toBe("Jane -Analyst-> Agency BC | Agency BC -Operator-> Client ads");
    expect(jane.role).toBe("Operator");
    const ada = answers.find((a) => a.node.name === "Ada")!;
    expect(route(ada)).toBe("Ada -Admin-> Agency BC | Agency BC -Operator-> Client ads");
    const carla = answers.find((a) => a.node.name === "Carla")!;
    expect(route(carla)).toBe("Carla -Admin-> Client BC | Client BC -includes-> Client ads");
  });

  it("a Standard member reaches only the assets assigned to them", () => {
    const idx = agencyWorld();
    expect(names(idx.whoCanReach({ assetId: "tt" }, "2026-11-24"))).not.toContain("Jane");
    expect(names(idx.reach("jane", "2026-11-24"))).toEqual(["Agency BC", "Client ads"]);
  });

  it("shows who knows a shared login, and flags departed people", () => {
    const idx = agencyWorld();
    const answers = idx.whoCanReach({ assetId: "tt" }, "2026-11-24");
    const dan = answers.find((a) => a.node.name === "Dan")!;
    expect(dan.departed).toBe(true);
    expect(route(dan)).toBe("Dan -knows-> Team login | Team login -Post-> Client TikTok");
  });

  it("does not count revoked, pending or expired grants", () => {
    const idx = agencyWorld();
    idx.apply({
      kind: "grant",
      value: grant({
        subject: person("dan"),
        target: { accountId: "clientBC", assetId: null },
        role: "Admin",
        status: "revoked",
      }),
    });
    idx.apply({
      kind: "grant",
      value: grant({
        subject: person("dan"),
        target: { accountId: "clientBC", assetId: null },
        role: "Standard",
        status: "pending",
      }),
    });
    const expiring = grant({
      subject: person("jane"),
      target: { accountId: "clientBC", assetId: null },
      role: "Standard",
      expiresOn: "2026-11-24",
    });
    idx.apply({ kind: "grant", value: expiring });
    expect(names(idx.whoCanReach({ accountId: "clientBC" }, "2026-11-24"))).toEqual(["Carla", "Jane"]);
    expect(names(idx.whoCanReach({ accountId: "clientBC" }, "2026-11-25"))).toEqual(["Carla"]);
  });

  it("follows a partner of a partner, and a cycle between partners terminates", () => {
    const idx = agencyWorld();
    // Holding BC is a partner of the agency, with full reach; and (wrongly) the agency of it.
    idx.apply({
      kind: "grant",
      value: grant({
        subject: { type: "partner", accountId: "holdingBC" },
        target: { accountId: "agencyBC", assetId: null },
        role: "Admin",
      }),
    });
    idx.apply({
      kind: "grant",
      value: grant({
        subject: { type: "partner", accountId: "agencyBC" },
        target: { accountId: "holdingBC", assetId: null },
        role: "Admin",
      }),
    });
    idx.apply({ kind: "person", value: { id: "hal", name: "Hal", status: "active", leftOn: null } });
    idx.apply({
      kind: "grant",
      value: grant({
        subject: person("hal"),
        target: { accountId: "holdingBC", assetId: null },
        role: "Admin",
      }),
    });
    const hal = idx.whoCanReach({ assetId: "ads" }, "2026-11-24").find((a) => a.node.name === "Hal")!;
    expect(route(hal)).toBe(
      "Hal -Admin-> Holding BC | Holding BC -Admin-> Agency BC | Agency BC -Operator-> Client ads",
    );
    expect(names(idx.reach("hal", "2026-11-24"))).toContain("Client ads");
  });

  it("sees a change on the very next query", () => {
    const idx = agencyWorld();
    const g = grant({
      subject: person("ada"),
      target: { accountId: "clientBC", assetId: null },
      role: "Admin",
    });
    idx.apply({ kind: "grant", value: g });
    expect(idx.reach("ada", "2026-11-24").some((a) => a.node.name === "Client BC")).toBe(true);
    idx.apply({ kind: "grant", value: { ...g, status: "revoked" } });
    expect(idx.reach("ada", "2026-11-24").some((a) => a.node.name === "Client BC")).toBe(false);
    idx.apply({ kind: "remove-grant", id: g.id });
    expect(idx.grantCount).toBeGreaterThan(0);
  });

  it("when a partner's share of an asset is removed, people assigned inside the partner lose it", () => {
    const idx = agencyWorld();
    const share = grant({
      subject: { type: "partner", accountId: "agencyBC" },
      target: { accountId: "clientBC", assetId: "tt" },
      role: "Operator",
    });
    idx.apply({ kind: "grant", value: share });
    idx.apply({
      kind: "grant",
      value: grant({
        subject: person("jane"),
        target: { accountId: "agencyBC", assetId: "tt" },
        role: "Analyst",
      }),
    });
    expect(names(idx.reach("jane", "2026-11-24"))).toContain("Client TikTok");
    idx.apply({ kind: "remove-grant", id: share.id });
    expect(names(idx.reach("jane", "2026-11-24"))).not.toContain("Client TikTok");
    expect(names(idx.whoCanReach({ assetId: "tt" }, "2026-11-24"))).not.toContain("Jane");
  });

  it("finds each grant again by its ID among thousands: updates and removals apply to the right one", () => {
    const idx = new AccessIndex(policy);
    idx.load({
      people: [{ id: "ola", name: "Ola", status: "active", leftOn: null }],
      accounts: [{ id: "bc", name: "BC", platform: "tiktok" }],
      assets: Array.from({ length: 10_000 }, (_, k) => ({ id: `x${k}`, name: `X${k}`, accountId: "bc" })),
      sharedLogins: [],
      grants: [],
    });
    const grants = Array.from({ length: 10_000 }, (_, k) =>
      grant({ subject: person("ola"), target: { accountId: "bc", assetId: `x${k}` }, role: "Analyst" }),
    );
    for (const g of grants) idx.apply({ kind: "grant", value: g });
    grants.forEach((g, k) => {
      if (k % 3 === 0) idx.apply({ kind: "grant", value: { ...g, status: "revoked" } });
      else if (k % 3 === 1) idx.apply({ kind: "remove-grant", id: g.id });
    });
    const left = idx.reach("ola", "2026-11-24");
    expect(left).toHaveLength(3333);
    expect(left.every((a) => Number(a.node.name.slice(1)) % 3 === 2)).toBe(true);
    expect(new Set(left.map((a) => a.path[0]!.grantId)).size).toBe(3333);
  });

  it("reach lists what a departed person can still get into, through logins they know too", () => {
    const idx = agencyWorld();
    const dan = idx.reach("dan", "2026-11-24");
    expect(names(dan)).toEqual(["Client TikTok"]);
    expect(dan.every((a) => a.departed)).toBe(true);
  });
});

describe("outside people of an account, as the findings count them", () => {
  it("lists each organization's people with live grants recorded in the account, by their first grant, leaving out the account's own organization", () => {
    const idx = new AccessIndex(policy);
    const people = [
      ["una", "Una", "agency"],
      ["vic", "Vic", "agency"],
      ["wes", "Wes", "agency"],
      ["xan", "Xan", "freelance"],
      ["own", "Owen", "client"],
      ["nob", "Nobody", null],
    ] as const;
    idx.load({
      people: people.map(([id, name, org]) => ({
        id,
        name,
        status: "active",
        leftOn: null,
        organizationId: org,
      })),
      accounts: [
        { id: "clientBC", name: "Client BC", platform: "tiktok" },
        { id: "agencyBC", name: "Agency BC", platform: "tiktok" },
      ],
      assets: [
        { id: "ads", name: "Client ads", accountId: "clientBC" },
        { id: "pix", name: "Agency pixel", accountId: "agencyBC" },
      ],
      sharedLogins: [],
      grants: [
        // Vic's first grant comes before Una's: Vic is listed first.
        grant({ subject: person("vic"), target: { accountId: "clientBC", assetId: "ads" }, role: "Analyst" }),
        grant({ subject: person("una"), target: { accountId: "clientBC", assetId: null }, role: "Standard" }),
        grant({ subject: person("vic"), target: { accountId: "clientBC", assetId: null }, role: "Standard" }),
        grant({ subject: person("xan"), target: { accountId: "clientBC", assetId: null }, role: "Standard" }),
        grant({ subject: person("own"), target: { accountId: "clientBC", assetId: null }, role: "Admin" }),
        grant({ subject: person("nob"), target: { accountId: "clientBC", assetId: null }, role: "Standard" }),
        // Not live: revoked, pending, ended the day before.
        grant({
          subject: person("wes"),
          target: { accountId: "clientBC", assetId: null },
          role: "Standard",
          status: "revoked",
        }),
        grant({
          subject: person("wes"),
          target: { accountId: "clientBC", assetId: "ads" },
          role: "Analyst",
          status: "pending",
        }),
        grant({
          subject: person("wes"),
          target: { accountId: "clientBC", assetId: null },
          role: "Standard",
          expiresOn: "2026-11-23",
        }),
        // Recorded in another account (the agency assigning on the client's ads): not the client's.
        grant({ subject: person("wes"), target: { accountId: "agencyBC", assetId: "ads" }, role: "Analyst" }),
        grant({ subject: person("una"), target: { accountId: "agencyBC", assetId: "pix" }, role: "Admin" }),
      ],
    });
    const of = (account: string, own: string | null, only: string[] | null, asOf = "2026-11-24") =>
      Object.fromEntries(
        [...idx.outsiders(account, own, only, asOf)].map(([org, list]) => [org, list.map((p) => p.name)]),
      );
    expect(of("clientBC", "client", null)).toEqual({ agency: ["Vic", "Una"], freelance: ["Xan"] });
    expect(of("clientBC", "client", ["agency"])).toEqual({ agency: ["Vic", "Una"] });
    expect(of("clientBC", "client", ["nobody-here"])).toEqual({});
    // The end day itself is still live.
    expect(of("clientBC", "client", ["agency"], "2026-11-23")).toEqual({ agency: ["Vic", "Una", "Wes"] });
    // Seen from the agency's own organization, its staff are not outsiders; from none, they are.
    expect(of("agencyBC", "agency", null)).toEqual({});
    expect(of("agencyBC", null, null)).toEqual({ agency: ["Wes", "Una"] });
    expect(of("unknownBC", null, null)).toEqual({});
    // A person who moves organization is counted under the new one on the next question.
    idx.apply({
      kind: "person",
      value: { id: "xan", name: "Xan", status: "active", leftOn: null, organizationId: "agency" },
    });
    expect(of("clientBC", "client", null)).toEqual({ agency: ["Vic", "Una", "Xan"] });
  });
});

describe("a partner connected with a narrow account role", () => {
  it("shares no asset: people assigned inside the partner's account do not reach it", () => {
    const idx = new AccessIndex(policy);
    idx.load({
      people: [{ id: "pat", name: "Pat", status: "active", leftOn: null }],
      accounts: [
        { id: "client", name: "Client BC", platform: "tiktok" },
        { id: "agency", name: "Agency BC", platform: "tiktok" },
      ],
      assets: [{ id: "x", name: "Client ads", accountId: "client" }],
      sharedLogins: [],
      grants: [
        grant({
          subject: { type: "partner", accountId: "agency" },
          target: { accountId: "client", assetId: null },
          role: "Standard",
        }),
        grant({ subject: person("pat"), target: { accountId: "agency", assetId: "x" }, role: "Operator" }),
      ],
    });
    expect(names(idx.reach("pat", "2026-11-24"))).toEqual([]);
    expect(names(idx.whoCanReach({ assetId: "x" }, "2026-11-24"))).toEqual([]);
    // With a role that reaches every asset, the same assignment does reach it.
    idx.apply({
      kind: "grant",
      value: grant({
        subject: { type: "partner", accountId: "agency" },
        target: { accountId: "client", assetId: null },
        role: "Admin",
      }),
    });
    expect(names(idx.reach("pat", "2026-11-24"))).toEqual(["Client ads"]);
  });
});

describe("changes applied one by one agree with a fresh load", () => {
  it("creates, updates and removals in any ID order leave the same answers as loading the result", () => {
    const hex = fc.stringMatching(/^[0-9a-f]{12}$/);
    const change = fc.record({
      op: fc.constantFrom("put", "put", "remove"),
      // A small pool of IDs, so updates and removals hit existing grants; any order.
      id: fc.integer({ min: 0, max: 40 }),
      tail: hex,
      person: fc.constantFrom("p1", "p2", "p3"),
      account: fc.constantFrom("a1", "a2"),
      asset: fc.constantFrom(null, "x1", "x2"),
      role: fc.constantFrom("Admin", "Operator", "Analyst"),
    });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 120 }), (changes) => {
        const base = {
          people: ["p1", "p2", "p3"].map((id) => ({ id, name: id, status: "active" as const, leftOn: null })),
          accounts: ["a1", "a2"].map((id) => ({ id, name: id, platform: "tiktok" })),
          assets: [
            { id: "x1", name: "x1", accountId: "a1" },
            { id: "x2", name: "x2", accountId: "a2" },
          ],
          sharedLogins: [],
        };
        const idOf = new Map<number, string>();
        const live = new Map<string, IndexGrant>();
        const incremental = new AccessIndex(policy);
        incremental.load({ ...base, grants: [] });
        for (const c of changes) {
          if (!idOf.has(c.id))
            idOf.set(c.id, `0190${String(c.id).padStart(4, "0")}-0000-7000-8000-${c.tail}`);
          const id = idOf.get(c.id)!;
          if (c.op === "remove") {
            live.delete(id);
            incremental.apply({ kind: "remove-grant", id });
            continue;
          }
          const account = c.asset === "x2" ? "a2" : c.asset === "x1" ? "a1" : c.account;
          const g = grant({
            id,
            subject: person(c.person),
            target: { accountId: account, assetId: c.asset },
            role: c.role,
          });
          live.set(id, g);
          incremental.apply({ kind: "grant", value: g });
        }
        const fresh = new AccessIndex(policy);
        fresh.load({ ...base, grants: [...live.values()].sort((a, b) => (a.id < b.id ? -1 : 1)) });
        const answer = (idx: AccessIndex, target: { accountId: string } | { assetId: string }) =>
          idx
            .whoCanReach(target, "2026-11-24")
            .map((a) => `${a.node.id} ${a.role} ${route(a)}`)
            .sort();
        for (const target of [{ accountId: "a1" }, { accountId: "a2" }, { assetId: "x1" }, { assetId: "x2" }])
          expect(answer(incremental, target)).toEqual(answer(fresh, target));
      }),
      { numRuns: 300 },
    );
  });
});
/** Role lists in name order (an overview lists them in the order it met them). */
function rolesSorted(o: ReturnType<AccessIndex["accountOverview"]> & {}) {
  const byRole = <T extends { role: string }>(list: T[]) =>
    [...list].sort((x, y) => (x.role < y.role ? -1 : 1));
  return {
    ...o,
    accountRoles: byRole(o.accountRoles),
    sharedRoles: byRole(o.sharedRoles),
    assets: { ...o.assets, items: o.assets.items.map((x) => ({ ...x, roles: byRole(x.roles) })) },
  };
}

describe("account overview", () => {
  it("counts every grant recorded in an account, whichever account holds its asset, through asset moves, late assets and removals", () => {
    const change = fc.oneof(
      fc.record({
        op: fc.constant("grant" as const),
        id: fc.integer({ min: 0, max: 30 }),
        subject: fc.constantFrom("p1", "p2", "p3", "partner:a2", "partner:a3"),
        account: fc.constantFrom("a1", "a2", "a3"),
        asset: fc.constantFrom(null, "x1", "x2", "x3", "late"),
        role: fc.constantFrom("Admin", "Operator", "Analyst"),
        status: fc.constantFrom("active", "active", "pending", "revoked"),
      }),
      fc.record({ op: fc.constant("remove" as const), id: fc.integer({ min: 0, max: 30 }) }),
      // An asset moving to another account (or the late one arriving).
      fc.record({
        op: fc.constant("asset" as const),
        asset: fc.constantFrom("x1", "x2", "x3", "late"),
        account: fc.constantFrom("a1", "a2", "a3"),
      }),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 80 }), (changes) => {
        const accounts = ["a1", "a2", "a3"].map((id) => ({ id, name: id, platform: "tiktok" }));
        const people = ["p1", "p2", "p3"].map((id) => ({
          id,
          name: id,
          status: "active" as const,
          leftOn: null,
        }));
        const holders = new Map<string, string>([
          ["x1", "a1"],
          ["x2", "a2"],
          ["x3", "a3"],
        ]);
        const assets = () => [...holders].map(([id, accountId]) => ({ id, name: id, accountId }));
        const incremental = new AccessIndex(policy);
        incremental.load({ people, accounts, assets: assets(), sharedLogins: [], grants: [] });
        const live = new Map<string, IndexGrant>();
        for (const c of changes) {
          if (c.op === "asset") {
            holders.set(c.asset, c.account);
            incremental.apply({ kind: "asset", value: { id: c.asset, name: c.asset, accountId: c.account } });
            continue;
          }
          const id = `01900000-0000-7000-8000-${String(c.id).padStart(12, "0")}`;
          if (c.op === "remove") {
            live.delete(id);
            incremental.apply({ kind: "remove-grant", id });
            continue;
          }
          const subject = c.subject.startsWith("partner:")
            ? { type: "partner" as const, accountId: c.subject.slice(8) }
            : person(c.subject);
          if (subject.type === "partner" && subject.accountId === c.account) continue;
          const g = grant({
            id,
            subject,
            target: { accountId: c.account, assetId: c.asset },
            role: c.role,
            status: c.status as IndexGrant["status"],
          });
          live.set(id, g);
          incremental.apply({ kind: "grant", value: g });
        }
        const fresh = new AccessIndex(policy);
        fresh.load({ people, accounts, assets: assets(), sharedLogins: [], grants: [...live.values()] });
        for (const a of accounts) {
          const mine = [...live.values()].filter((g) => g.target.accountId === a.id);
          const overview = incremental.accountOverview(a.id, 100)!;
          // Every grant recorded in the account, by state, and the people among them.
          expect(overview.grants).toEqual({
            pending: mine.filter((g) => g.status === "pending").length,
            active: mine.filter((g) => g.status === "active").length,
            revoked: mine.filter((g) => g.status === "revoked").length,
          });
          expect(overview.people).toBe(
            new Set(
              mine
                .filter((g) => g.subject.type === "person" && g.status !== "revoked")
                .map((g) => (g.subject as { personId: string }).personId),
            ).size,
          );
          expect(overview.partners.total).toBe(mine.filter((g) => g.subject.type === "partner").length);
          // The same overview as an index loaded from the outcome.
          expect(rolesSorted(overview)).toEqual(rolesSorted(fresh.accountOverview(a.id, 100)!));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("changes that arrive before what they name", () => {
  const DAY = "2026-11-24";

  it("a grant on an asset the index has not seen yet is not an account role; it counts once the asset arrives", () => {
    const idx = agencyWorld();
    idx.apply({
      kind: "grant",
      value: grant({
        subject: person("jane"),
        target: { accountId: "clientBC", assetId: "shop" },
        role: "Admin",
      }),
    });
    expect(names(idx.reach("jane", DAY))).toEqual(["Agency BC", "Client ads"]);
    expect(names(idx.whoCanReach({ assetId: "tt" }, DAY))).not.toContain("Jane");
    expect(names(idx.whoCanReach({ accountId: "clientBC" }, DAY))).not.toContain("Jane");
    idx.apply({ kind: "asset", value: { id: "shop", name: "Client shop", accountId: "clientBC" } });
    expect(names(idx.reach("jane", DAY))).toEqual(["Agency BC", "Client ads", "Client shop"]);
    const jane = idx.whoCanReach({ assetId: "shop" }, DAY).find((a) => a.node.name === "Jane")!;
    expect(route(jane)).toBe("Jane -Admin-> Client shop");
  });

  it("a grant before its person and account, and an asset before its account, take effect when they arrive", () => {
    const idx = new AccessIndex({
      reachesAllAssets: (platform, role) => platform === "tiktok" && role === "Admin",
    });
    idx.load({ people: [], accounts: [], assets: [], sharedLogins: [], grants: [] });
    idx.apply({
      kind: "grant",
      value: grant({ subject: person("zoe"), target: { accountId: "newBC", assetId: null }, role: "Admin" }),
    });
    idx.apply({ kind: "asset", value: { id: "ads2", name: "New ads", accountId: "newBC" } });
    idx.apply({ kind: "person", value: { id: "zoe", name: "Zoe", status: "active", leftOn: null } });
    // Only now is the platform known, and with it that this Admin role reaches every asset.
    idx.apply({ kind: "account", value: { id: "newBC", name: "New BC", platform: "tiktok" } });
    expect(names(idx.reach("zoe", DAY))).toEqual(["New BC", "New ads"]);
    const [zoe] = idx.whoCanReach({ assetId: "ads2" }, DAY);
    expect(route(zoe!)).toBe("Zoe -Admin-> New BC | New BC -includes-> New ads");
  });

  it("answers the same whatever order a workspace's changes are applied in", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const s = randomWorkspace(seed);
      const loaded = new AccessIndex(policy);
      loaded.load(s);
      const applied = new AccessIndex(policy);
      applied.load({ people: [], accounts: [], assets: [], sharedLogins: [], grants: [] });
      const changes: IndexChange[] = [
        ...s.grants.map((value) => ({ kind: "grant" as const, value })),
        ...s.sharedLogins.map((value) => ({ kind: "shared_login" as const, value })),
        ...s.assets.map((value) => ({ kind: "asset" as const, value })),
        ...s.people.map((value) => ({ kind: "person" as const, value })),
        ...s.accounts.map((value) => ({ kind: "account" as const, value })),
      ];
      const r = lcg(seed);
      for (let i = changes.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [changes[i], changes[j]] = [changes[j]!, changes[i]!];
      }
      for (const c of changes) applied.apply(c);
      const seen = (answers: ReachAnswer[]) =>
        answers.map((a) => `${a.node.type}:${a.node.id}:${a.node.name}:${a.departed}`).sort();
      for (const x of s.assets)
        expect(seen(applied.whoCanReach({ assetId: x.id }, DAY)), `seed ${seed}, asset ${x.id}`).toEqual(
          seen(loaded.whoCanReach({ assetId: x.id }, DAY)),
        );
      for (const a of s.accounts)
        expect(seen(applied.whoCanReach({ accountId: a.id }, DAY)), `seed ${seed}, account ${a.id}`).toEqual(
          seen(loaded.whoCanReach({ accountId: a.id }, DAY)),
        );
      for (const p of s.people)
        expect(seen(applied.reach(p.id, DAY)), `seed ${seed}, person ${p.id}`).toEqual(
          seen(loaded.reach(p.id, DAY)),
        );
    }
  });
});

describe("an index that takes changes one by one for a long time", () => {
  it("packs its lists again now and then, and answers as a fresh load of the same grants", () => {
    const r = lcg(11);
    const id = (kind: number, k: number) => `0000000${kind}-0000-7000-8000-${String(k).padStart(12, "0")}`;
    const people = Array.from({ length: 200 }, (_, i) => ({
      id: id(1, i),
      name: `P${i}`,
      status: "active" as const,
      leftOn: null,
    }));
    const accounts = Array.from({ length: 20 }, (_, i) => ({
      id: id(2, i),
      name: `A${i}`,
      platform: "tiktok",
    }));
    const assets = Array.from({ length: 100 }, (_, i) => ({
      id: id(3, i),
      name: `X${i}`,
      accountId: accounts[i % 20]!.id,
    }));
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
    const roles = ["Admin", "Operator", "Analyst"];
    const live = new Map<string, IndexGrant>();
    let next = 0;
    const newGrant = (): IndexGrant => {
      const asset = r() < 0.7 ? pick(assets) : null;
      return {
        id: id(5, next++),
        subject: r() < 0.05 ? { type: "partner", accountId: pick(accounts).id } : person(pick(people).id),
        target: { accountId: asset ? asset.accountId : pick(accounts).id, assetId: asset?.id ?? null },
        role: pick(roles),
        status: r() < 0.1 ? "revoked" : "active",
        expiresOn: null,
      };
    };
    for (let i = 0; i < 3000; i++) {
      const g = newGrant();
      live.set(g.id, g);
    }
    const base = { people, accounts, assets, sharedLogins: [] };
    const index = new AccessIndex(policy);
    index.load({ ...base, grants: [...live.values()] });
    // 6,000 single changes: new grants, role changes and removals of the oldest.
    for (let i = 0; i < 6000; i++) {
      const x = r();
      if (x < 0.5) {
        const g = newGrant();
        live.set(g.id, g);
        index.apply({ kind: "grant", value: g });
        continue;
      }
      const old = pick([...live.keys()].slice(0, 50));
      if (x < 0.75) {
        const g = { ...live.get(old)!, role: pick(roles) };
        live.set(old, g);
        index.apply({ kind: "grant", value: g });
      } else {
        live.delete(old);
        index.apply({ kind: "remove-grant", id: old });
      }
    }
    expect(index.repacks).toBeGreaterThan(0);
    const fresh = new AccessIndex(policy);
    fresh.load({ ...base, grants: [...live.values()].sort((a, b) => (a.id < b.id ? -1 : 1)) });
    const day = "2026-11-24";
    const seen = (answers: ReachAnswer[]) => answers.map((a) => `${a.node.id} ${a.role} ${route(a)}`).sort();
    for (const a of accounts) {
      expect(seen(index.whoCanReach({ accountId: a.id }, day))).toEqual(
        seen(fresh.whoCanReach({ accountId: a.id }, day)),
      );
      expect(rolesSorted(index.accountOverview(a.id, 1000)!)).toEqual(
        rolesSorted(fresh.accountOverview(a.id, 1000)!),
      );
    }
    for (const a of assets)
      expect(seen(index.whoCanReach({ assetId: a.id }, day))).toEqual(
        seen(fresh.whoCanReach({ assetId: a.id }, day)),
      );
    for (const p of people) expect(seen(index.reach(p.id, day))).toEqual(seen(fresh.reach(p.id, day)));
  });
});

function lcg(seed: number) {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/** A small workspace with partner chains and cycles, shared logins, and dead grants. */
function randomWorkspace(seed: number): IndexSnapshot {
  const r = lcg(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const id = (kind: number, k: number) => `0000000${kind}-0000-7000-8000-${String(k).padStart(12, "0")}`;
  const people = Array.from({ length: 6 }, (_, i) => ({
    id: id(1, i),
    name: `P${i}`,
    status: r() < 0.2 ? ("departed" as const) : ("active" as const),
    leftOn: null,
  }));
  const accounts = Array.from({ length: 5 }, (_, i) => ({ id: id(2, i), name: `A${i}`, platform: "tiktok" }));
  const assets = Array.from({ length: 10 }, (_, i) => ({
    id: id(3, i),
    name: `X${i}`,
    accountId: pick(accounts).id,
  }));
  const sharedLogins = Array.from({ length: 2 }, (_, i) => ({
    id: id(4, i),
    label: `L${i}`,
    knownByPersonIds: people.filter(() => r() < 0.3).map((p) => p.id),
  }));
  const grants = Array.from({ length: 40 }, (_, i): IndexGrant => {
    const t = r();
    const account = pick(accounts);
    const a = r();
    return {
      id: id(5, i),
      subject:
        t < 0.5
          ? person(pick(people).id)
          : t < 0.85
            ? { type: "partner", accountId: pick(accounts).id }
            : { type: "shared_login", sharedLoginId: pick(sharedLogins).id },
      target: { accountId: account.id, assetId: a < 0.4 ? null : pick(assets).id },
      role: pick(["Admin", "Standard", "Operator"]),
      status: r() < 0.1 ? "revoked" : "active",
      expiresOn: r() < 0.1 ? "2026-06-30" : null,
    };
  });
  return { people, accounts, assets, sharedLogins, grants };
}
