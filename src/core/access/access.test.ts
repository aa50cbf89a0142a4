import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AccessIndex, type IndexGrant, type ReachAnswer } from "./index.ts";

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

  it("reach lists what a departed person can still get into, through logins they know too", () => {
    const idx = agencyWorld();
    const dan = idx.reach("dan", "2026-11-24");
    expect(names(dan)).toEqual(["Client TikTok"]);
    expect(dan.every((a) => a.departed)).toBe(true);
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
