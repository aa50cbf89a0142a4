import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstance, readJson, type TestInstance } from "../testing.ts";

let t: TestInstance;
let cookie: string;
let base: string;

const SHEET = `platform,account,account_id,account_org,asset,asset_type,asset_id,subject,subject_type,email,subject_org,role
tiktok,Client BC,7001,Client Co,,,,Carla,,carla@client.test,Client Co,Admin
tiktok,Client BC,7001,Client Co,Client ads,ad_account,111,Agency BC,partner,,Agency,Operator
tiktok,Agency BC,8001,Agency,Client ads,ad_account,111,Jane,person,jane@agency.test,Agency,Analyst
tiktok,Agency BC,8001,Agency,,,,Jane,person,jane@agency.test,Agency,Standard
`;

interface Answer {
  node: { name: string; type: string };
  role: string;
  path: { from: { name: string }; to: { name: string }; role: string | null }[];
}

beforeAll(async () => {
  t = await createTestInstance("sqlite");
  cookie = await t.signUp("olivia@acme.test");
  const ws = await readJson<{ id: string }>(
    await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } }),
  );
  base = `/api/v1/workspaces/${ws.id}`;
  await t.call("POST", `${base}/import`, { cookie, body: SHEET, headers: { "content-type": "text/csv" } });
});
afterAll(() => t.dispose());

describe("who can reach and reach over HTTP", () => {
  it("answers who can reach the client's ad account, with Jane's path through the agency's Business Center", async () => {
    const assets = await readJson<{ assets: { id: string; name: string }[] }>(
      await t.call("GET", `${base}/assets`, { cookie }),
    );
    const ads = assets.assets.find((a) => a.name === "Client ads")!;
    const res = await readJson<{ answers: Answer[] }>(
      await t.call("GET", `${base}/who-can-reach?assetId=${ads.id}`, { cookie }),
    );
    const jane = res.answers.find((a) => a.node.name === "Jane")!;
    expect(jane.path.map((e) => `${e.from.name}>${e.to.name}`)).toEqual([
      "Jane>Agency BC",
      "Agency BC>Client ads",
    ]);
    expect(jane.role).toBe("Operator");
  });

  it("sees a revoked grant disappear on the next query (read-your-writes)", async () => {
    const people = await readJson<{ people: { id: string; name: string }[] }>(
      await t.call("GET", `${base}/people`, { cookie }),
    );
    const carla = people.people.find((p) => p.name === "Carla")!;
    const before = await readJson<{ answers: Answer[] }>(
      await t.call("GET", `${base}/people/${carla.id}/reach`, { cookie }),
    );
    expect(before.answers.map((a) => a.node.name)).toContain("Client BC");
    const grants = await readJson<{ grants: { id: string; subject: { personId?: string } }[] }>(
      await t.call("GET", `${base}/grants?personId=${carla.id}`, { cookie }),
    );
    const g = grants.grants[0]! as unknown as Record<string, unknown>;
    const { id, createdAt: _c, updatedAt: _u, ...rest } = g;
    expect(
      (
        await t.call("PUT", `${base}/grants/${id}`, {
          cookie,
          body: { ...rest, status: "revoked", revokedOn: "2026-11-24" },
        })
      ).status,
    ).toBe(200);
    const after = await readJson<{ answers: Answer[] }>(
      await t.call("GET", `${base}/people/${carla.id}/reach`, { cookie }),
    );
    expect(after.answers).toEqual([]);
  });

  it("needs exactly one target", async () => {
    expect((await t.call("GET", `${base}/who-can-reach`, { cookie })).status).toBe(400);
  });
});
