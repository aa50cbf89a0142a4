import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstance, readJson, type TestInstance } from "../testing.ts";

let t: TestInstance;
let cookie: string;
let viewer: string;
let base: string;

beforeAll(async () => {
  t = await createTestInstance("sqlite");
  cookie = await t.signUp("olivia@acme.test");
  const ws = await readJson<{ id: string }>(
    await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } }),
  );
  base = `/api/v1/workspaces/${ws.id}`;
  const inv = await readJson<{ id: string }>(
    await t.call("POST", `${base}/invitations`, {
      cookie,
      body: { email: "vera@acme.test", role: "viewer" },
    }),
  );
  viewer = await t.signUp("vera@acme.test");
  await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: viewer });
});
afterAll(() => t.dispose());

async function post<T = { id: string }>(path: string, body: unknown, as = cookie) {
  const res = await t.call("POST", `${base}/${path}`, { cookie: as, body });
  return { status: res.status, body: await readJson<T>(res) };
}

describe("recording accounts, people and grants through the API", () => {
  it("records a client's TikTok Business Center, its ad account and who holds which role, with canonical role names", async () => {
    const org = await post("organizations", { name: "Client Co", kind: "client" });
    const carla = await post("people", {
      name: "Carla",
      emails: ["carla@client.test"],
      organizationId: org.body.id,
    });
    const bc = await post("accounts", {
      platform: "tiktok",
      platformId: "7012",
      name: "Client BC",
      organizationId: org.body.id,
      ownerPersonId: carla.body.id,
    });
    expect(bc.status).toBe(201);
    const ads = await post("assets", { accountId: bc.body.id, type: "ad_account", name: "Client ads" });
    expect(ads.status).toBe(201);
    const grant = await post<{ role: string }>("grants", {
      subject: { type: "person", personId: carla.body.id },
      target: { accountId: bc.body.id },
      role: "admin",
    });
    expect(grant.status).toBe(201);
    expect(grant.body.role).toBe("Admin");
    const onAsset = await post<{ role: string }>("grants", {
      subject: { type: "person", personId: carla.body.id },
      target: { accountId: bc.body.id, assetId: ads.body.id },
      role: "OPERATOR",
    });
    expect(onAsset.body.role).toBe("Operator");

    const history = await readJson<{ events: { action: string; entityType: string; actorLabel: string }[] }>(
      await t.call("GET", `${base}/history?entityId=${bc.body.id}`, { cookie: viewer }),
    );
    expect(history.events).toEqual([
      expect.objectContaining({ action: "create", entityType: "account", actorLabel: "olivia@acme.test" }),
    ]);
  });

  it("a change names only what changes: the other fields keep their values", async () => {
    const org = await post("organizations", { name: "Keep Co", kind: "client", notes: "since 2024" });
    const kim = await post("people", { name: "Kim", emails: ["kim@keep.test"], organizationId: org.body.id });
    const lee = await post("people", { name: "Lee", emails: ["lee@keep.test"] });
    const bc = await post("accounts", {
      platform: "tiktok",
      name: "Keep BC",
      organizationId: org.body.id,
      ownerPersonId: kim.body.id,
      reviewCadenceDays: 90,
      recoveryEmailHolder: "Kim",
    });
    const patch = async <T>(path: string, body: unknown) => {
      const res = await t.call("PATCH", `${base}/${path}`, { cookie, body });
      expect(res.status).toBe(200);
      return readJson<T>(res);
    };
    const person = await patch<Record<string, unknown>>(`people/${kim.body.id}`, {
      status: "departed",
      leftOn: "2026-11-20",
    });
    expect(person).toMatchObject({
      status: "departed",
      emails: ["kim@keep.test"],
      organizationId: org.body.id,
    });
    const account = await patch<Record<string, unknown>>(`accounts/${bc.body.id}`, {
      backupOwnerPersonId: lee.body.id,
    });
    expect(account).toMatchObject({
      backupOwnerPersonId: lee.body.id,
      ownerPersonId: kim.body.id,
      reviewCadenceDays: 90,
      recoveryEmailHolder: "Kim",
    });
    const orgAfter = await patch<Record<string, unknown>>(`organizations/${org.body.id}`, { kind: "agency" });
    expect(orgAfter).toMatchObject({ kind: "agency", notes: "since 2024", name: "Keep Co" });
  });

  it("an unknown role is refused with the valid roles listed", async () => {
    const org = await post("organizations", { name: "Role Co", kind: "client" });
    const p = await post("people", { name: "Rob", emails: [], organizationId: org.body.id });
    const bc = await post("accounts", { platform: "tiktok", name: "Role BC", organizationId: org.body.id });
    const res = await post<{ detail: string }>("grants", {
      subject: { type: "person", personId: p.body.id },
      target: { accountId: bc.body.id },
      role: "Operator",
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe(
      "Unknown role 'Operator' for TikTok Business Center; valid roles: Admin, Standard",
    );
  });

  it("an asset type the platform does not have is refused", async () => {
    const org = await post("organizations", { name: "Type Co", kind: "client" });
    const bc = await post("accounts", { platform: "tiktok", name: "Type BC", organizationId: org.body.id });
    const res = await post<{ detail: string }>("assets", {
      accountId: bc.body.id,
      type: "page",
      name: "A page",
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain("ad_account");
  });

  it("a pasted password is refused with the field named, and nothing is written", async () => {
    const before = (
      await readJson<{ sharedLogins: unknown[] }>(await t.call("GET", `${base}/shared-logins`, { cookie }))
    ).sharedLogins.length;
    const res = await post<{ problems: { path: string; message: string }[] }>("shared-logins", {
      label: "Instagram login",
      notes: "password: Summer2024!",
    });
    expect(res.status).toBe(400);
    expect(res.body.problems[0]?.path).toBe("notes");
    expect(res.body.problems[0]?.message).toContain("never the secret");
    expect(
      (await readJson<{ sharedLogins: unknown[] }>(await t.call("GET", `${base}/shared-logins`, { cookie })))
        .sharedLogins,
    ).toHaveLength(before);
  });

  it("a viewer can read the record but not change it", async () => {
    expect((await t.call("GET", `${base}/accounts`, { cookie: viewer })).status).toBe(200);
    expect((await post("organizations", { name: "Nope", kind: "other" }, viewer)).status).toBe(403);
  });
});

describe("search across the record", () => {
  it("finds accounts by platform ID, people by email, and says what to type when the query is empty", async () => {
    const find = async (q: string) =>
      (
        await readJson<{ hits: { type: string; name: string }[] }>(
          await t.call("GET", `${base}/search?q=${encodeURIComponent(q)}`, { cookie: viewer }),
        )
      ).hits;
    expect((await find("7012")).map((h) => [h.type, h.name])).toContainEqual(["account", "Client BC"]);
    expect((await find("CARLA@client")).map((h) => [h.type, h.name])).toEqual([["person", "Carla"]]);
    expect(await find("no such thing")).toEqual([]);
    const empty = await t.call("GET", `${base}/search?q=`, { cookie: viewer });
    expect(empty.status).toBe(400);
  });
});
