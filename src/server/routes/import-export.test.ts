import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstance, readJson, type TestInstance } from "../testing.ts";

let t: TestInstance;
let cookie: string;
let base: string;

const SHEET = `Platform,Account,Account_ID,Account_Org,Asset,Asset_Type,Asset_ID,Subject,Subject_Type,Email,Subject_Org,Role
tiktok,Client BC,7001,Client Co,,,,Carla,,carla@client.test,Client Co,admin
tiktok,Client BC,7001,Client Co,Client ads,ad_account,111,Agency BC,partner,,Agency,Operator
tiktok,Agency BC,8001,Agency,Client ads,ad_account,111,Jane,person,jane@agency.test,Agency,Analyst
`;

beforeAll(async () => {
  t = await createTestInstance("sqlite");
  cookie = await t.signUp("olivia@acme.test");
  const ws = await readJson<{ id: string }>(
    await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } }),
  );
  base = `/api/v1/workspaces/${ws.id}`;
});
afterAll(() => t.dispose());

const upload = (text: string, query = "", type = "text/csv") =>
  t.call("POST", `${base}/import${query}`, { cookie, body: text, headers: { "content-type": type } });

describe("import and export over HTTP", () => {
  it("previews an access sheet without writing, then imports it, then finds nothing new on a second import", async () => {
    const preview = await readJson<{ dryRun: boolean; created: { grants: number } }>(
      await upload(SHEET, "?dryRun=true"),
    );
    expect(preview).toMatchObject({ dryRun: true, created: { grants: 3 } });
    expect(
      (await readJson<{ grants: unknown[] }>(await t.call("GET", `${base}/grants`, { cookie }))).grants,
    ).toHaveLength(0);
    const first = await readJson<{ created: { grants: number; accounts: number } }>(await upload(SHEET));
    expect(first.created).toMatchObject({ grants: 3, accounts: 2 });
    const again = await readJson<{ created: { grants: number }; unchangedRows: number }>(await upload(SHEET));
    expect(again).toMatchObject({ created: { grants: 0 }, unchangedRows: 3 });
  });

  it("refuses a sheet with problems, listing each, and writes nothing", async () => {
    const before = (await readJson<{ grants: unknown[] }>(await t.call("GET", `${base}/grants`, { cookie })))
      .grants.length;
    const res = await upload(
      "platform,account,account_org,subject,role,email,expires_on\ntiktok,X,Org,Ann,boss,ann@x.test,tomorrow\n",
    );
    const body = await readJson<{ problems: { path: string }[] }>(res);
    expect(res.status).toBe(400);
    expect(body.problems.map((p) => p.path)).toEqual(["row 2.expires_on", "row 2.role"]);
    expect(
      (await readJson<{ grants: unknown[] }>(await t.call("GET", `${base}/grants`, { cookie }))).grants,
    ).toHaveLength(before);
  });

  it("exports CSV that imports back unchanged, and JSON that rebuilds the record in an empty workspace", async () => {
    const csv = await (await t.call("GET", `${base}/export?format=csv`, { cookie })).text();
    expect(csv.split("\n")[0]).toContain("platform,account,account_id");
    expect(await readJson(await upload(csv))).toMatchObject({ created: { grants: 0 }, unchangedRows: 3 });

    const json = await (await t.call("GET", `${base}/export?format=json`, { cookie })).text();
    const ws2 = await readJson<{ id: string }>(
      await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Copy" } }),
    );
    const res = await t.call("POST", `/api/v1/workspaces/${ws2.id}/import`, {
      cookie,
      body: json,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(200);
    expect(
      (
        await readJson<{ grants: unknown[] }>(
          await t.call("GET", `/api/v1/workspaces/${ws2.id}/grants`, { cookie }),
        )
      ).grants,
    ).toHaveLength(3);
  });

  it("a file in another format is refused with what to send", async () => {
    const res = await upload("x", "", "application/pdf");
    expect(res.status).toBe(415);
  });
});
