import { describe, expect, it } from "vitest";
import { AccessIndex } from "../access/index.ts";
import { getPlatform, reachesAllAssets } from "../catalog/index.ts";
import type { AccountView, AssetView, GrantView, PersonView, SharedLoginView } from "../record/schemas.ts";
import { type ChangeRule, generatePlan, type PlanContext, planRemaining } from "./generate.ts";
import type { PlanSubject, TaskDraft } from "./types.ts";

const stamp = { createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z", notes: null };
const person = (
  id: string,
  name: string,
  organizationId: string,
  extra: Partial<PersonView> = {},
): PersonView => ({
  id,
  name,
  emails: [`${id}@example.test`],
  organizationId,
  status: "active",
  leftOn: null,
  ...stamp,
  ...extra,
});
const account = (
  id: string,
  name: string,
  platform: string,
  organizationId: string,
  extra: Partial<AccountView> = {},
): AccountView => ({
  id,
  platform,
  platformId: null,
  name,
  organizationId,
  ownerPersonId: null,
  backupOwnerPersonId: null,
  reviewCadenceDays: null,
  lastReviewedOn: null,
  recoveryEmailHolder: null,
  twoFactorHolder: null,
  ...stamp,
  ...extra,
});
let n = 0;
const grant = (
  subject: GrantView["subject"],
  accountId: string,
  role: string,
  extra: Partial<GrantView> = {},
): GrantView => ({
  id: `00000000-0000-7000-8000-${String(++n).padStart(12, "0")}`,
  subject,
  target: { accountId, assetId: null },
  role,
  status: "active",
  invitedOn: null,
  grantedOn: null,
  expiresOn: null,
  revokedOn: null,
  grantedBy: null,
  reason: null,
  source: "typed",
  lastVerifiedOn: null,
  ...stamp,
  ...extra,
});
const P = (personId: string) => ({ type: "person" as const, personId });

/**
 * Acme (own) works with North (agency). Jane runs Acme's Meta portfolio alone and shares a TikTok
 * BC with Sam; North's BC is a partner on Acme's ad account and Pat works inside it; a shared
 * login that Jane knows opens the YouTube channel.
 */
function world(rules: ChangeRule[] = []) {
  n = 0;
  const people = [
    person("jane", "Jane", "acme"),
    person("sam", "Sam", "acme"),
    person("kim", "Kim", "acme"),
    person("pat", "Pat", "north"),
  ];
  const accounts = [
    account("meta", "Acme portfolio", "meta", "acme", {
      ownerPersonId: "jane",
      backupOwnerPersonId: "sam",
      recoveryEmailHolder: "Jane",
    }),
    account("bc", "Acme BC", "tiktok", "acme", { ownerPersonId: "sam" }),
    account("northbc", "North BC", "tiktok", "north"),
    account("yt", "Acme channel", "youtube", "acme"),
  ];
  const assets: AssetView[] = [
    {
      id: "ads",
      accountId: "bc",
      organizationId: "acme",
      type: "ad_account",
      name: "Acme ads",
      platformId: null,
      ...stamp,
    },
  ];
  const sharedLogins: SharedLoginView[] = [
    { id: "login", label: "Channel login", knownByPersonIds: ["jane", "kim"], ...stamp },
  ];
  const grants = [
    grant(P("jane"), "meta", "Full control"),
    grant(P("jane"), "bc", "Admin"),
    grant(P("sam"), "bc", "Admin"),
    grant(P("jane"), "bc", "Operator", {
      target: { accountId: "bc", assetId: "ads" },
      status: "pending",
      invitedOn: "2026-11-01",
    }),
    grant({ type: "partner", accountId: "northbc" }, "bc", "Operator", {
      target: { accountId: "bc", assetId: "ads" },
    }),
    grant(P("pat"), "northbc", "Admin"),
    grant({ type: "shared_login", sharedLoginId: "login" }, "yt", "Manager"),
  ];
  const index = new AccessIndex({
    reachesAllAssets: (platform, role) => {
      const p = getPlatform(platform);
      return p ? reachesAllAssets(p, role) : false;
    },
  });
  index.load({
    people: people.map((p) => ({ id: p.id, name: p.name, status: p.status, leftOn: p.leftOn })),
    accounts: accounts.map((a) => ({ id: a.id, name: a.name, platform: a.platform })),
    assets: assets.map((a) => ({ id: a.id, name: a.name, accountId: a.accountId })),
    sharedLogins: sharedLogins.map((l) => ({
      id: l.id,
      label: l.label,
      knownByPersonIds: l.knownByPersonIds,
    })),
    grants: grants.map((g) => ({
      id: g.id,
      subject: g.subject,
      target: g.target,
      role: g.role,
      status: g.status,
      expiresOn: g.expiresOn,
    })),
  });
  const ctx = (subject: PlanSubject, successorPersonId: string | null = null): PlanContext => {
    const concerned =
      subject.kind === "person-leaves"
        ? [subject.personId]
        : subject.kind === "relationship-ends"
          ? people.filter((p) => p.organizationId === subject.organizationId).map((p) => p.id)
          : [];
    return {
      today: "2026-11-24",
      dueOn: "2026-12-01",
      successorPersonId,
      people,
      accounts,
      assets,
      sharedLogins,
      grants,
      reach: new Map(concerned.map((p) => [p, index.reach(p, "2026-11-24")])),
      rules: new Map(rules.map((r) => [r.accountId, r])),
      platform: getPlatform,
    };
  };
  return { people, accounts, grants, sharedLogins, ctx };
}

const titles = (tasks: TaskDraft[]) => tasks.map((t) => t.title);
const byKey = (tasks: TaskDraft[], prefix: string) => tasks.filter((t) => t.key.startsWith(prefix));
const before = (tasks: TaskDraft[], a: string, b: string) =>
  tasks.findIndex((t) => t.key === a) < tasks.findIndex((t) => t.key === b);

describe("a person leaves", () => {
  it("covers every grant, pending invitation, ownership and shared login, in a safe order", () => {
    const w = world();
    const tasks = generatePlan(
      { kind: "person-leaves", personId: "jane" },
      w.ctx({ kind: "person-leaves", personId: "jane" }, "kim"),
    );
    expect(titles(tasks)).toEqual([
      "Mark Jane as departed in the record",
      "Make Kim Full control of Acme portfolio",
      "Make Kim the accountable owner of Acme portfolio",
      "Choose a new backup owner for Acme portfolio".replace(
        "Choose a new backup owner for Acme portfolio",
        "Move the recovery email of Acme portfolio away from Jane",
      ),
      "Remove Jane from Acme BC (Admin)",
      "Cancel the invitation of Jane to Acme ads (in Acme BC)",
      "Remove Jane from Acme portfolio (Full control)",
      'Change the password of "Channel login" and sign out its sessions',
    ]);
    // Sam still administers Acme BC, so no hand-over there; Jane alone on Meta needs one first.
    expect(byKey(tasks, "admin:")).toHaveLength(1);
    const removeMeta = tasks.find((t) => t.title.startsWith("Remove Jane from Acme portfolio"))!;
    expect(removeMeta.blockedBy).toContain("admin:meta");
    expect(removeMeta.blockedBy).toContain("owner:meta");
    expect(removeMeta.guide).toBe("meta/remove-person");
    expect(tasks.find((t) => t.kind === "move-recovery")?.guide).toBe(
      "general/move-recovery-to-the-business",
    );
    expect(before(tasks, "admin:meta", removeMeta.key)).toBe(true);
    const hand = tasks.find((t) => t.key === "admin:meta")!;
    expect(hand.action).toEqual({
      type: "create-grant",
      personId: "kim",
      accountId: "meta",
      assetId: null,
      role: "Full control",
    });
    const rotate = tasks.find((t) => t.key === "rotate:login")!;
    expect(rotate.action).toEqual({
      type: "forget-shared-login",
      sharedLoginId: "login",
      personIds: ["jane"],
    });
    expect(rotate.detail).toContain("It opens Acme channel");
    expect(tasks.map((t) => t.phase)).toEqual(
      [...tasks.map((t) => t.phase)].sort(
        (a, b) =>
          ["prepare", "hand-over", "remove", "secure"].indexOf(a) -
          ["prepare", "hand-over", "remove", "secure"].indexOf(b),
      ),
    );
  });

  it("without a successor, the hand-over asks who takes over instead of guessing", () => {
    const w = world();
    const tasks = generatePlan(
      { kind: "person-leaves", personId: "jane" },
      w.ctx({ kind: "person-leaves", personId: "jane" }),
    );
    const hand = tasks.find((t) => t.key === "admin:meta")!;
    expect(hand.title).toBe("Choose who becomes Full control of Acme portfolio");
    expect(hand.action).toMatchObject({ type: "create-grant", personId: null });
    // The backup owner steps up as accountable owner.
    expect(tasks.find((t) => t.key === "owner:meta")!.action).toMatchObject({
      personId: "sam",
      required: true,
    });
  });

  it("access through a partner is named on the grant that leads to it", () => {
    const w = world();
    const tasks = generatePlan(
      { kind: "person-leaves", personId: "pat" },
      w.ctx({ kind: "person-leaves", personId: "pat" }),
    );
    const remove = tasks.find((t) => t.title === "Remove Pat from North BC (Admin)")!;
    expect(remove.detail).toContain("Acme ads");
    // North BC has no other admin: the plan hands it over before removing Pat.
    expect(remove.blockedBy).toContain("admin:northbc");
  });

  it("follows the account's rule: tell someone first, remove within its days, its successor", () => {
    const w = world([
      { accountId: "meta", notify: "the client's CMO", removeWithinDays: 2, successorPersonId: "sam" },
    ]);
    const tasks = generatePlan(
      { kind: "person-leaves", personId: "jane" },
      w.ctx({ kind: "person-leaves", personId: "jane" }),
    );
    expect(tasks[1]!.title).toBe("Tell the client's CMO about the change to Acme portfolio");
    const hand = tasks.find((t) => t.key === "admin:meta")!;
    expect(hand.action).toMatchObject({ personId: "sam" });
    expect(hand.dueOn).toBe("2026-11-26");
    expect(tasks.find((t) => t.title.startsWith("Remove Jane from Acme portfolio"))!.blockedBy).toContain(
      "notify:meta",
    );
  });

  it("what is left shrinks to nothing as the record catches up", () => {
    const w = world();
    const ctx = w.ctx({ kind: "person-leaves", personId: "jane" });
    const left = planRemaining({ kind: "person-leaves", personId: "jane" }, ctx);
    expect(left).toEqual(
      expect.arrayContaining([
        "Jane still has Full control on Acme portfolio",
        "Jane still has a pending invitation to Acme ads (in Acme BC)",
        "Jane is still the accountable owner of Acme portfolio",
        'Jane is still recorded as knowing "Channel login"',
      ]),
    );
    const cleared: PlanContext = {
      ...ctx,
      grants: ctx.grants.map((g) =>
        g.subject.type === "person" && g.subject.personId === "jane" ? { ...g, status: "revoked" } : g,
      ),
      accounts: ctx.accounts.map((a) => (a.ownerPersonId === "jane" ? { ...a, ownerPersonId: "sam" } : a)),
      sharedLogins: ctx.sharedLogins.map((l) => ({
        ...l,
        knownByPersonIds: l.knownByPersonIds.filter((p) => p !== "jane"),
      })),
      reach: new Map([["jane", []]]),
    };
    expect(planRemaining({ kind: "person-leaves", personId: "jane" }, cleared)).toEqual([]);
  });
});

describe("other changes", () => {
  it("a relationship ends: the partner connection goes, and everyone of the agency", () => {
    const w = world();
    const subject: PlanSubject = { kind: "relationship-ends", organizationId: "north" };
    const tasks = generatePlan(subject, w.ctx(subject));
    expect(titles(tasks)).toContain("Remove the partner North BC from Acme ads (in Acme BC)");
    expect(tasks.find((t) => t.kind === "remove-partner")!.guide).toBe("tiktok/remove-partner");
    expect(titles(tasks)).toContain("Mark Pat as departed in the record");
    expect(planRemaining(subject, w.ctx(subject))).toContain(
      "North BC is still a partner on Acme ads (in Acme BC)",
    );
  });

  it("a role change that would leave no admin hands over first", () => {
    const w = world();
    const metaGrant = w.grants.find((g) => g.target.accountId === "meta")!;
    const subject: PlanSubject = { kind: "role-change", grantId: metaGrant.id, role: "Partial access" };
    const tasks = generatePlan(subject, w.ctx(subject, "sam"));
    expect(titles(tasks)).toEqual([
      "Make Sam Full control of Acme portfolio",
      "Change Jane's role on Acme portfolio from Full control to Partial access",
    ]);
    expect(tasks[1]!.blockedBy).toEqual(["admin:meta"]);
  });

  it("ownership hand-over: admin first, then the platform transfer, then the record", () => {
    const w = world();
    const subject: PlanSubject = {
      kind: "ownership-handover",
      accountId: "yt",
      toPersonId: "kim",
      removePrevious: false,
    };
    const tasks = generatePlan(subject, w.ctx(subject));
    expect(tasks.map((t) => t.kind)).toEqual(["hand-over-admin", "transfer-ownership", "set-owner"]);
    expect(tasks[1]!.guide).toBe("youtube/transfer-ownership");
    expect(tasks[1]!.detail).toContain("7 days");
  });

  it("a shared login retired: each person who knew it gets their own access before it goes", () => {
    const w = world();
    const subject: PlanSubject = { kind: "shared-login-retired", sharedLoginId: "login" };
    const tasks = generatePlan(subject, w.ctx(subject));
    expect(titles(tasks)).toEqual([
      "Give Jane their own access to Acme channel (Manager)",
      "Give Kim their own access to Acme channel (Manager)",
      'Remove "Channel login" from Acme channel',
      'Change the password of "Channel login" one last time and record that no one knows it',
    ]);
    const login = w.grants.find((g) => g.subject.type === "shared_login")!;
    expect(tasks[2]!.blockedBy).toEqual([`own:${login.id}:jane`, `own:${login.id}:kim`]);
  });
});
