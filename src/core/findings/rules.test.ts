import { describe, expect, it } from "vitest";
import { findingsCatalog } from "../catalog/findings-catalog.ts";
import { type FGrant, type FindingsInput, type FPerson, scanFindings } from "./rules.ts";

let n = 0;
const person = (name: string, extra: Partial<FPerson> = {}): FPerson => ({
  id: `p-${name}`,
  name,
  emails: [`${name.toLowerCase()}@acme.test`],
  organizationId: "own",
  status: "active",
  leftOn: null,
  ...extra,
});
const grant = (personId: string, role: string, extra: Partial<FGrant> = {}, accountId = "bc"): FGrant => ({
  id: `g${++n}`,
  subject: { type: "person", personId },
  target: { accountId, assetId: null },
  role,
  status: "active",
  invitedOn: null,
  expiresOn: null,
  ...extra,
});

function world(
  people: FPerson[],
  grants: FGrant[],
  asOf = "2026-11-24",
  account: Partial<FindingsInput["accounts"][0]> = {},
): FindingsInput {
  return {
    asOf,
    people,
    accounts: [
      {
        id: "bc",
        name: "Acme BC",
        platform: "tiktok",
        platformId: "7",
        organizationId: "own",
        ownerPersonId: people[0]?.id ?? null,
        reviewCadenceDays: null,
        lastReviewedOn: null,
        createdOn: "2026-11-01",
        ...account,
      },
    ],
    assets: [],
    sharedLogins: [],
    grants,
  };
}
const rules = (input: FindingsInput) => scanFindings(input, findingsCatalog).map((f) => f.rule);

describe("finding rules", () => {
  it("no-admin fires when the only admin has left, single-admin when exactly one remains, neither with two", () => {
    const ann = person("Ann");
    const bob = person("Bob", { status: "departed" });
    expect(rules(world([ann, bob], [grant(bob.id, "Admin")]))).toContain("no-admin");
    expect(rules(world([ann, bob], [grant(ann.id, "Admin")]))).toContain("single-admin");
    const cat = person("Cat");
    const r = rules(world([ann, cat], [grant(ann.id, "Admin"), grant(cat.id, "Admin")]));
    expect(r).not.toContain("single-admin");
    expect(r).not.toContain("no-admin");
  });

  it("a Standard member does not count as an admin", () => {
    const ann = person("Ann");
    expect(rules(world([ann], [grant(ann.id, "Standard")]))).toContain("no-admin");
  });

  it("too-many-admins fires at 11 admins, not at 10", () => {
    const ten = Array.from({ length: 10 }, (_, i) => person(`P${i}`));
    expect(
      rules(
        world(
          ten,
          ten.map((p) => grant(p.id, "Admin")),
        ),
      ),
    ).not.toContain("too-many-admins");
    const eleven = [...ten, person("P10")];
    expect(
      rules(
        world(
          eleven,
          eleven.map((p) => grant(p.id, "Admin")),
        ),
      ),
    ).toContain("too-many-admins");
  });

  it("departed-with-access fires on the day of the left-on date, not the day before, and for pending invitations", () => {
    const ann = person("Ann");
    const dan = person("Dan", { leftOn: "2026-11-24" });
    const w = (asOf: string) =>
      rules(
        world([ann, dan], [grant(ann.id, "Admin"), grant(ann.id, "Admin"), grant(dan.id, "Standard")], asOf),
      );
    expect(w("2026-11-23")).not.toContain("departed-with-access");
    expect(w("2026-11-24")).toContain("departed-with-access");
    const eve = person("Eve", { status: "departed" });
    expect(
      rules(world([ann, eve], [grant(ann.id, "Admin"), grant(eve.id, "Standard", { status: "pending" })])),
    ).toContain("departed-with-access");
    expect(
      rules(world([ann, eve], [grant(ann.id, "Admin"), grant(eve.id, "Standard", { status: "revoked" })])),
    ).not.toContain("departed-with-access");
  });

  it("expired-access fires the day after expiry, not on the day", () => {
    const ann = person("Ann");
    const g = [grant(ann.id, "Admin"), grant(ann.id, "Standard", { expiresOn: "2026-11-24" })];
    expect(rules(world([ann], g, "2026-11-24"))).not.toContain("expired-access");
    expect(rules(world([ann], g, "2026-11-25"))).toContain("expired-access");
  });

  it("invite-expired uses Google Ads' 20 days; stale-invite waits 14 days where the lifetime is unknown", () => {
    const ann = person("Ann");
    const ads = (asOf: string) =>
      rules(
        world(
          [ann],
          [grant(ann.id, "Admin"), grant(ann.id, "Standard", { status: "pending", invitedOn: "2026-11-01" })],
          asOf,
          { platform: "google-ads" },
        ),
      );
    expect(ads("2026-11-21")).not.toContain("invite-expired");
    expect(ads("2026-11-22")).toContain("invite-expired");
    const tiktok = (asOf: string) =>
      rules(
        world(
          [ann],
          [grant(ann.id, "Admin"), grant(ann.id, "Standard", { status: "pending", invitedOn: "2026-11-01" })],
          asOf,
        ),
      );
    expect(tiktok("2026-11-15")).not.toContain("stale-invite");
    expect(tiktok("2026-11-16")).toContain("stale-invite");
    expect(tiktok("2026-11-16")).not.toContain("invite-expired");
  });

  it("personal-email-admin fires for an admin on a public mailbox", () => {
    const ann = person("Ann", { emails: ["ann.smith@gmail.com"] });
    const bob = person("Bob");
    expect(rules(world([ann, bob], [grant(ann.id, "Admin"), grant(bob.id, "Admin")]))).toContain(
      "personal-email-admin",
    );
    expect(rules(world([ann, bob], [grant(ann.id, "Standard"), grant(bob.id, "Admin")]))).not.toContain(
      "personal-email-admin",
    );
    // The same admin on the business's own domain, or on a provider's look-alike domain: no finding.
    for (const email of ["ann.smith@acme.test", "ann@gmail.com.acme.test", "ann@notgmail.com"]) {
      const own = person("Ann", { emails: [email] });
      expect(rules(world([own, bob], [grant(own.id, "Admin"), grant(bob.id, "Admin")]))).not.toContain(
        "personal-email-admin",
      );
    }
    // Upper case is still the public provider.
    const upper = person("Ann", { emails: ["Ann@GMail.com"] });
    expect(rules(world([upper, bob], [grant(upper.id, "Admin"), grant(bob.id, "Admin")]))).toContain(
      "personal-email-admin",
    );
  });

  it("shared logins, and a shared login known by someone who left", () => {
    const ann = person("Ann");
    const dan = person("Dan", { status: "departed" });
    const input = world(
      [ann, dan],
      [
        grant(ann.id, "Admin"),
        grant(ann.id, "Admin"),
        { ...grant(ann.id, "Post"), subject: { type: "shared_login", sharedLoginId: "l1" } },
      ],
    );
    input.sharedLogins = [{ id: "l1", label: "Team login", knownByPersonIds: [ann.id, dan.id] }];
    const r = rules(input);
    expect(r).toContain("shared-login");
    expect(r).toContain("shared-login-known-by-departed");
  });

  it("shared-login needs a live grant: revoked, pending or past its end date, no finding", () => {
    const ann = person("Ann");
    const login = (extra: Partial<FGrant>, asOf = "2026-11-24") => {
      const input = world(
        [ann],
        [
          grant(ann.id, "Admin"),
          grant(ann.id, "Admin"),
          { ...grant(ann.id, "Post", extra), subject: { type: "shared_login", sharedLoginId: "l1" } },
        ],
        asOf,
      );
      input.sharedLogins = [{ id: "l1", label: "Team login", knownByPersonIds: [ann.id] }];
      return rules(input);
    };
    expect(login({})).toContain("shared-login");
    expect(login({ status: "revoked" })).not.toContain("shared-login");
    expect(login({ status: "pending", invitedOn: "2026-11-20" })).not.toContain("shared-login");
    // Ends on the 24th: still live that day, over the day after.
    expect(login({ expiresOn: "2026-11-24" })).toContain("shared-login");
    expect(login({ expiresOn: "2026-11-24" }, "2026-11-25")).not.toContain("shared-login");
  });

  it("shared-login-known-by-departed fires from the knower's leaving day, not the day before, nor for a knower still here", () => {
    const ann = person("Ann");
    const scan = (knower: FPerson, asOf: string, status: FGrant["status"] = "active") => {
      const input = world(
        [ann, knower],
        [
          grant(ann.id, "Admin"),
          grant(ann.id, "Admin"),
          { ...grant(ann.id, "Post", { status }), subject: { type: "shared_login", sharedLoginId: "l1" } },
        ],
        asOf,
      );
      input.sharedLogins = [{ id: "l1", label: "Team login", knownByPersonIds: [ann.id, knower.id] }];
      return scanFindings(input, findingsCatalog).filter((f) => f.rule === "shared-login-known-by-departed");
    };
    const dan = person("Dan", { leftOn: "2026-11-24" });
    expect(scan(dan, "2026-11-23")).toEqual([]);
    const found = scan(dan, "2026-11-24");
    expect(found.map((f) => [f.key, f.severity, f.subject?.name])).toEqual([
      ["shared-login-known-by-departed:p-Dan:l1:bc", "critical", "Dan"],
    ]);
    expect(scan(person("Eve"), "2026-11-24")).toEqual([]);
    // A login that no longer opens the account: what Dan knows opens nothing.
    expect(scan(dan, "2026-11-24", "revoked")).toEqual([]);
  });

  it("departed-with-access is one finding per person and account, however many grants they hold there", () => {
    const ann = person("Ann");
    const dan = person("Dan", { status: "departed" });
    const input = world(
      [ann, dan],
      [
        grant(ann.id, "Admin"),
        grant(ann.id, "Admin"),
        grant(dan.id, "Standard"),
        grant(dan.id, "Analyst", { target: { accountId: "bc", assetId: "ad1" } }),
        grant(dan.id, "Operator", {
          status: "pending",
          invitedOn: "2026-11-20",
          target: { accountId: "bc", assetId: "ad2" },
        }),
      ],
    );
    input.accounts.push({ ...input.accounts[0]!, id: "bc2", name: "Other BC", platformId: "8" });
    input.grants.push(grant(dan.id, "Analyst", {}, "bc2"), grant(ann.id, "Admin", {}, "bc2"));
    const departedFindings = scanFindings(input, findingsCatalog).filter(
      (f) => f.rule === "departed-with-access",
    );
    expect(departedFindings.map((f) => f.key).sort()).toEqual([
      "departed-with-access:p-Dan:bc",
      "departed-with-access:p-Dan:bc2",
    ]);
    // A revoked grant is not access: once every grant is revoked the finding is gone.
    const revoked = world(
      [ann, dan],
      [grant(ann.id, "Admin"), grant(ann.id, "Admin"), grant(dan.id, "Standard", { status: "revoked" })],
    );
    expect(rules(revoked)).not.toContain("departed-with-access");
  });

  it("owner rules: no owner, and an owner who left", () => {
    const ann = person("Ann");
    expect(rules(world([ann], [grant(ann.id, "Admin")], "2026-11-24", { ownerPersonId: null }))).toContain(
      "no-owner",
    );
    const dan = person("Dan", { status: "departed" });
    expect(rules(world([dan, ann], [grant(ann.id, "Admin")]))).toContain("owner-departed");
  });

  it("no-owner stops once an owner is named; owner-departed fires from the owner's leaving day, not the day before", () => {
    const ann = person("Ann");
    const owned = rules(world([ann], [grant(ann.id, "Admin")]));
    expect(owned).not.toContain("no-owner");
    expect(owned).not.toContain("owner-departed");
    // An owner ID that names nobody in the record is no owner.
    expect(
      rules(world([ann], [grant(ann.id, "Admin")], "2026-11-24", { ownerPersonId: "p-gone" })),
    ).toContain("no-owner");
    const olga = person("Olga", { leftOn: "2026-11-24" });
    const onDay = (asOf: string) =>
      scanFindings(world([olga, ann], [grant(ann.id, "Admin")], asOf), findingsCatalog).filter((f) =>
        ["owner-departed", "no-owner"].includes(f.rule),
      );
    expect(onDay("2026-11-23")).toEqual([]);
    expect(onDay("2026-11-24").map((f) => [f.rule, f.severity, f.subject?.name])).toEqual([
      ["owner-departed", "high", "Olga"],
    ]);
  });

  it("external-individual-access names the first three outside people, in the order of their first grant, and counts the rest", () => {
    const ann = person("Ann");
    const staff = ["Uma", "Vic", "Wes", "Xan", "Yul"].map((n) => person(n, { organizationId: "agency" }));
    const message = (people: FPerson[]) =>
      scanFindings(
        world([ann, ...people], [grant(ann.id, "Admin"), ...people.map((p) => grant(p.id, "Standard"))]),
        findingsCatalog,
      ).find((f) => f.rule === "external-individual-access")?.message;
    expect(message(staff)).toContain(
      "5 people from the same outside organization (Uma, Vic, Wes and 2 more)",
    );
    expect(message(staff.slice(0, 3))).toContain(
      "3 people from the same outside organization (Uma, Vic, Wes)",
    );
    expect(message(staff.slice(0, 2))).toContain("(Uma, Vic)");
  });

  it("external-individual-access fires for two people of one outside organization on a platform with partners", () => {
    const ann = person("Ann");
    const a1 = person("Ag1", { organizationId: "agency" });
    const a2 = person("Ag2", { organizationId: "agency" });
    expect(rules(world([ann, a1], [grant(ann.id, "Admin"), grant(a1.id, "Standard")]))).not.toContain(
      "external-individual-access",
    );
    expect(
      rules(
        world([ann, a1, a2], [grant(ann.id, "Admin"), grant(a1.id, "Standard"), grant(a2.id, "Standard")]),
      ),
    ).toContain("external-individual-access");
    expect(
      rules(
        world(
          [ann, a1, a2],
          [grant(ann.id, "Admin"), grant(a1.id, "Editor"), grant(a2.id, "Editor")],
          "2026-11-24",
          { platform: "youtube" },
        ),
      ),
    ).not.toContain("external-individual-access");
  });

  it("review-overdue counts from the last review, or from when the account was recorded", () => {
    const ann = person("Ann");
    const w = (asOf: string, last: string | null) =>
      rules(
        world([ann], [grant(ann.id, "Admin")], asOf, {
          reviewCadenceDays: 90,
          lastReviewedOn: last,
          createdOn: "2026-01-01",
        }),
      );
    expect(w("2026-04-01", null)).not.toContain("review-overdue");
    expect(w("2026-04-02", null)).toContain("review-overdue");
    expect(w("2026-11-24", "2026-10-01")).not.toContain("review-overdue");
  });

  it("sorts critical first and gives each finding a stable key and a guide", () => {
    const ann = person("Ann");
    const dan = person("Dan", { status: "departed" });
    const found = scanFindings(
      world([ann, dan], [grant(ann.id, "Admin"), grant(dan.id, "Admin")]),
      findingsCatalog,
    );
    expect(found[0]?.severity).toBe("critical");
    expect(found.map((f) => f.key)).toContain("departed-with-access:p-Dan:bc");
    expect(found.find((f) => f.rule === "departed-with-access")?.guide).toBe("tiktok/remove-member");
  });
});

describe("rules about people who left and still hold something the roles do not show", () => {
  const ann = person("Ann");
  const bob = person("Bob");
  const bot = (grantedBy: string | null, extra: Partial<FGrant> = {}): FGrant => ({
    ...grant("-", "Admin", extra),
    subject: { type: "system_user", name: "Reporting tool" },
    grantedBy,
  });
  const admins = () => [grant(ann.id, "Full control"), grant(bob.id, "Full control")];
  const found = (input: FindingsInput, rule: string) =>
    scanFindings(input, findingsCatalog).filter((f) => f.rule === rule);

  it("system-user-creator-departed: a Meta system user set up by someone who left, named by name or email, from the day they leave", () => {
    const dana = person("Dana", { leftOn: "2026-11-24" });
    const meta = (by: string | null, asOf = "2026-11-24", extra: Partial<FGrant> = {}) => {
      const g = bot(by, extra);
      const out = found(
        world([ann, bob, dana], [...admins(), g], asOf, { platform: "meta" }),
        "system-user-creator-departed",
      );
      return { g, out };
    };
    const { g, out } = meta("  dana ");
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      key: `system-user-creator-departed:${g.id}:bc`,
      severity: "high",
      subject: { type: "system_user", id: g.id, name: "Reporting tool" },
      guide: "meta/system-users",
    });
    expect(out[0]!.message).toContain('"Reporting tool"');
    expect(out[0]!.message).toContain("set up by Dana, who has left");
    expect(meta("DANA@acme.test").out).toHaveLength(1);
    expect(meta("Dana", "2026-11-24", { status: "pending" }).out).toHaveLength(1);
    // The day before Dana leaves; a revoked system user; someone else; nobody named.
    expect(meta("Dana", "2026-11-23").out).toEqual([]);
    expect(meta("Dana", "2026-11-24", { status: "revoked" }).out).toEqual([]);
    expect(meta("Dan").out).toEqual([]);
    expect(meta("ann@acme.test").out).toEqual([]);
    expect(meta(null).out).toEqual([]);
    // A platform without system users in the catalog.
    expect(
      found(
        world([ann, bob, dana], [grant(ann.id, "Admin"), grant(bob.id, "Admin"), bot("Dana")]),
        "system-user-creator-departed",
      ),
    ).toEqual([]);
  });

  it("recovery-holder-departed: the recovery email or two-step holder names someone who left (critical)", () => {
    const dan = person("Dan", { status: "departed" });
    const eve = person("Eve", { status: "departed" });
    const holders = (
      recoveryEmailHolder: string | null,
      twoFactorHolder: string | null,
      people = [ann, dan],
    ) =>
      found(
        world(people, [grant(ann.id, "Admin"), grant(ann.id, "Admin")], "2026-11-24", {
          recoveryEmailHolder,
          twoFactorHolder,
        }),
        "recovery-holder-departed",
      );
    const one = holders("dan@ACME.test", null);
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({
      key: "recovery-holder-departed:p-Dan:bc",
      severity: "critical",
      subject: { type: "person", id: dan.id, name: "Dan" },
      guide: "general/move-recovery-to-the-business",
    });
    expect(one[0]!.message).toContain("Dan has left but still holds the recovery email of Acme BC");
    expect(holders(null, " dan ")[0]!.message).toContain("holds the two-step verification of");
    const both = holders("Dan", "dan@acme.test");
    expect(both).toHaveLength(1);
    expect(both[0]!.message).toContain("the recovery email and the two-step verification");
    expect(holders("Dan", "Eve", [ann, dan, eve]).map((f) => f.subject?.name)).toEqual(["Dan", "Eve"]);
    // Held by someone who is still here, or by nobody the record knows.
    expect(holders("Ann", "ann@acme.test")).toEqual([]);
    expect(holders("Daniel", "Dan Smith")).toEqual([]);
    const later = person("Dan", { leftOn: "2026-11-25" });
    expect(holders("Dan", null, [ann, later])).toEqual([]);
  });

  it("backup-owner-departed: the backup owner has left, from their leaving day (medium)", () => {
    const backup = (b: FPerson, asOf = "2026-11-24") =>
      found(
        world([ann, b], [grant(ann.id, "Admin"), grant(ann.id, "Admin")], asOf, {
          backupOwnerPersonId: b.id,
        }),
        "backup-owner-departed",
      );
    const cat = person("Cat", { leftOn: "2026-11-24" });
    expect(backup(cat)).toHaveLength(1);
    expect(backup(cat)[0]).toMatchObject({
      key: "backup-owner-departed:p-Cat:bc",
      severity: "medium",
      guide: "general/owner-and-backup-owner",
    });
    expect(backup(cat, "2026-11-23")).toEqual([]);
    expect(backup(person("Cat"))).toEqual([]);
    expect(
      found(
        world([ann], [grant(ann.id, "Admin")], "2026-11-24", { backupOwnerPersonId: "p-unknown" }),
        "backup-owner-departed",
      ),
    ).toEqual([]);
  });
});
