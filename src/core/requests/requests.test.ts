import { describe, expect, it } from "vitest";
import { getPlatform } from "../catalog/index.ts";
import { AppError } from "../errors.ts";
import { composeRequestMessage, invitationExpiresOn, nextReminderOn, requestEvents } from "./compose.ts";
import { assertMove, canMove, REQUEST_STATUSES, type RequestStatus, TRANSITIONS } from "./state.ts";

describe("the access request state machine", () => {
  const allowed: [RequestStatus, RequestStatus][] = [
    ["draft", "sent"],
    ["draft", "withdrawn"],
    ["sent", "invited"],
    ["sent", "accepted"],
    ["sent", "stuck"],
    ["sent", "declined"],
    ["sent", "withdrawn"],
    ["invited", "accepted"],
    ["invited", "stuck"],
    ["invited", "declined"],
    ["invited", "expired"],
    ["invited", "withdrawn"],
    ["accepted", "verified"],
    ["accepted", "stuck"],
    ["accepted", "withdrawn"],
    ["stuck", "sent"],
    ["stuck", "invited"],
    ["stuck", "accepted"],
    ["stuck", "declined"],
    ["stuck", "withdrawn"],
    ["expired", "sent"],
    ["expired", "withdrawn"],
  ];
  const key = (a: string, b: string) => `${a}→${b}`;
  const allowedSet = new Set(allowed.map(([a, b]) => key(a, b)));

  it("allows exactly the listed moves: all 81 pairs checked", () => {
    let refused = 0;
    for (const from of REQUEST_STATUSES)
      for (const to of REQUEST_STATUSES) {
        const expected = allowedSet.has(key(from, to));
        expect(canMove(from, to), key(from, to)).toBe(expected);
        if (expected) expect(() => assertMove(from, to)).not.toThrow();
        else {
          refused++;
          expect(() => assertMove(from, to), key(from, to)).toThrow(AppError);
        }
      }
    expect(refused).toBe(81 - allowed.length);
  });

  it("a refused move says which moves are possible", () => {
    try {
      assertMove("draft", "verified");
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).code).toBe("CONFLICT");
      expect((e as AppError).userMessage).toContain("It can become: sent, withdrawn");
    }
    expect(() => assertMove("verified", "sent")).toThrow(/cannot change any more/);
  });

  it("final states lead nowhere; every other state can be withdrawn", () => {
    for (const s of ["verified", "declined", "withdrawn"] as const) expect(TRANSITIONS[s]).toEqual([]);
    for (const s of REQUEST_STATUSES)
      if (!["verified", "declined", "withdrawn"].includes(s)) expect(TRANSITIONS[s]).toContain("withdrawn");
  });
});

describe("the message for the admin who grants access", () => {
  const tiktok = getPlatform("tiktok")!;
  const base = {
    direction: "outgoing" as const,
    platform: tiktok,
    account: { name: "Bloom BC", platformId: "7001" },
    assets: [{ name: "Bloom ads", typeName: "Ad account", platformId: "7123" }],
    role: "Operator",
    contactName: "Carla",
    senderName: "Olivia",
    senderOrganization: "North Agency",
    dueOn: "2026-12-01",
    guide: {
      title: "Add an agency as a partner",
      url: "http://delvia.test/guides/tiktok/add-partner",
      steps: ["Open Business Center", "Add the partner"],
    },
  };

  it("a TikTok partner request names our Business Center ID, the asset, the role and the steps", () => {
    const m = composeRequestMessage({
      ...base,
      method: "partner",
      invitee: null,
      partner: { name: "North Agency BC", platformId: "7999000111" },
    });
    expect(m.subject).toBe("Access request: TikTok Business Center, Bloom BC");
    expect(m.text).toContain("Hi Carla,");
    expect(m.text).toContain('"North Agency BC" ID 7999000111 as a partner');
    expect(m.text).toContain('ad account "Bloom ads" (ID 7123) in the Business Center "Bloom BC" (ID 7001)');
    expect(m.text).toContain('with the role "Operator"');
    expect(m.text).toContain("by its ID (7999000111)");
    expect(m.text).toContain("1. Open Business Center\n2. Add the partner");
    expect(m.text).toContain("http://delvia.test/guides/tiktok/add-partner");
    expect(m.text).toContain("We would need it by 2026-12-01.");
    expect(m.text).toContain("Olivia, North Agency");
  });

  it("an invitation names the exact address and, on Google Ads, the 20-day lifetime", () => {
    const m = composeRequestMessage({
      ...base,
      platform: getPlatform("google-ads")!,
      assets: [],
      account: { name: "Bloom Ads", platformId: "123-456-7890" },
      role: "Standard",
      method: "invite",
      invitee: { name: "Dev", email: "dev@north.test" },
      partner: null,
      guide: null,
    });
    expect(m.text).toContain("Could you invite Dev (dev@north.test)");
    expect(m.text).toContain("send the invitation to dev@north.test exactly");
    expect(m.text).toContain("run out after 20 days");
  });
});

describe("what the scheduler does for a request, and when", () => {
  const r = {
    id: "r1",
    status: "sent" as const,
    sentOn: "2026-11-01",
    invitedOn: null,
    dueOn: null,
    reminderDays: [3, 7, 14],
    hasEscalation: true,
  };

  it("reminds on days 3 and 7 and escalates on the last day, each once by key", () => {
    expect(requestEvents(r, null, "2026-11-03")).toEqual([]);
    expect(requestEvents(r, null, "2026-11-04").map((e) => e.kind)).toEqual(["reminder"]);
    const at15 = requestEvents(r, null, "2026-11-15");
    expect(at15.map((e) => `${e.kind}@${e.day}`)).toEqual([
      "reminder@2026-11-04",
      "reminder@2026-11-08",
      "escalation@2026-11-15",
    ]);
    expect(new Set(at15.map((e) => e.key)).size).toBe(3);
    expect(requestEvents({ ...r, hasEscalation: false }, null, "2026-11-15").map((e) => e.kind)).toEqual([
      "reminder",
      "reminder",
      "reminder",
    ]);
    expect(nextReminderOn(r, "2026-11-05")).toBe("2026-11-08");
  });

  it("stops reminding once accepted, and starts again with new keys when re-sent", () => {
    expect(requestEvents({ ...r, status: "accepted" }, null, "2026-11-30")).toEqual([]);
    const again = requestEvents({ ...r, sentOn: "2026-11-20" }, null, "2026-11-24");
    expect(again).toHaveLength(1);
    expect(again[0]!.key).not.toBe(requestEvents(r, null, "2026-11-24")[0]!.key);
  });

  it("warns 3 days before a Google Ads invitation runs out (20 days) and expires it after", () => {
    const invited = { ...r, status: "invited" as const, invitedOn: "2026-11-01", reminderDays: [] };
    expect(invitationExpiresOn("2026-11-01", 20)).toBe("2026-11-21");
    expect(requestEvents(invited, 20, "2026-11-17")).toEqual([]);
    expect(requestEvents(invited, 20, "2026-11-18").map((e) => e.kind)).toEqual(["expiry-warning"]);
    expect(requestEvents(invited, 20, "2026-11-21").map((e) => e.kind)).toEqual(["expiry-warning"]);
    expect(requestEvents(invited, 20, "2026-11-22").map((e) => e.kind)).toEqual(["expire"]);
    expect(requestEvents(invited, null, "2027-01-01")).toEqual([]);
  });

  it("flags a request past its due date until it is settled", () => {
    expect(
      requestEvents({ ...r, reminderDays: [], dueOn: "2026-11-10" }, null, "2026-11-11").map((e) => e.kind),
    ).toEqual(["overdue"]);
    expect(
      requestEvents({ ...r, reminderDays: [], dueOn: "2026-11-10", status: "draft" }, null, "2026-11-11"),
    ).toEqual([]);
  });
});
