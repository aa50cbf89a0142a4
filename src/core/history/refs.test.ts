import { describe, expect, it } from "vitest";
import { namedRefs } from "./refs.ts";

describe("the accounts and people a history event concerns", () => {
  it("a grant names its target account and its person, before and after a move", () => {
    expect(
      namedRefs(
        "grant",
        { subject: { type: "person", personId: "p1" }, target: { accountId: "a1", assetId: null } },
        { subject: { type: "person", personId: "p1" }, target: { accountId: "a2", assetId: "x1" } },
      ).sort(),
    ).toEqual(["a1", "a2", "p1"]);
  });

  it("a partner grant names the partner account; an import's grant names its columns", () => {
    expect(
      namedRefs("grant", null, {
        subject: { type: "partner", accountId: "b" },
        target: { accountId: "a" },
      }).sort(),
    ).toEqual(["a", "b"]);
    expect(
      namedRefs("grant", null, {
        subject_type: "person",
        subject_person_id: "p",
        target: { accountId: "a" },
      }).sort(),
    ).toEqual(["a", "p"]);
  });

  it("a batch of imported grants names its account and each grant's person or partner", () => {
    expect(
      namedRefs("grant_batch", null, {
        accountId: "a",
        grants: [
          { id: "g1", subject_type: "person", subject_person_id: "p", target: { accountId: "a" } },
          { id: "g2", subject_type: "partner", subject_account_id: "b", target: { accountId: "a" } },
          { id: "g3", subject_type: "system_user", subject_name: "bot", target: { accountId: "a" } },
        ],
      }).sort(),
    ).toEqual(["a", "b", "p"]);
    expect(namedRefs("grant_batch", null, { accountId: "a", grants: "none" })).toEqual(["a"]);
  });

  it("assets, requests and reviews name their account; other events and odd images name nothing", () => {
    expect(namedRefs("asset", null, { accountId: "a", name: "Ads" })).toEqual(["a"]);
    expect(namedRefs("review", null, { accountId: "a" })).toEqual(["a"]);
    expect(namedRefs("person", null, { accountId: "a" })).toEqual([]);
    expect(namedRefs("grant", "text", [1, 2])).toEqual([]);
    expect(namedRefs("grant", { role: "Admin" }, { role: "Analyst" })).toEqual([]);
  });
});
