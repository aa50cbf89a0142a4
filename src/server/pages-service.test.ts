import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PageService } from "./pages-service.ts";
import { createTestInstance, readJson, type TestInstance } from "./testing.ts";

describe("account and person pages built once per version", () => {
  let t: TestInstance;
  let cookie: string;
  let base: string;
  let ws: string;
  const ids: Record<string, string> = {};
  const post = async (path: string, body: unknown) => {
    const res = await t.call("POST", `${base}/${path}`, { cookie, body });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await readJson<{ id: string }>(res)).id;
  };

  beforeAll(async () => {
    t = await createTestInstance();
    cookie = await t.signUp("olivia@agency.test");
    ws = (
      await readJson<{ id: string }>(
        await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Bright" } }),
      )
    ).id;
    base = `/api/v1/workspaces/${ws}`;
    const org = await post("organizations", { name: "Client Co", kind: "client" });
    ids.carla = await post("people", { name: "Carla", emails: ["carla@client.test"], organizationId: org });
    for (const name of ["Client BC", "Other BC"])
      ids[name] = await post("accounts", { platform: "tiktok", name, organizationId: org });
    await post("grants", {
      subject: { type: "person", personId: ids.carla },
      target: { accountId: ids["Client BC"] },
      role: "Admin",
    });
  });
  afterAll(() => t.dispose());

  it("views that arrive while a page is built share that build, and get the same page", async () => {
    const pages = new PageService(t.db, t.clock, t.access);
    const views = await Promise.all(
      Array.from({ length: 6 }, () => pages.accountPage(ws, ids["Client BC"]!, 20)),
    );
    expect(pages.builds).toBe(1);
    expect(new Set(views).size).toBe(1);
    expect(JSON.parse(views[0]!)).toMatchObject({
      account: { name: "Client BC" },
      counts: { grants: { active: 1 } },
    });
    // Kept: viewing it again builds nothing.
    await pages.accountPage(ws, ids["Client BC"]!, 20);
    expect(pages.builds).toBe(1);
  });

  it("builds each page of its own, and again once what it shows has changed", async () => {
    const pages = new PageService(t.db, t.clock, t.access);
    await Promise.all([
      pages.accountPage(ws, ids["Client BC"]!, 20),
      pages.accountPage(ws, ids["Other BC"]!, 20),
      pages.accountPage(ws, ids["Client BC"]!, 5),
      pages.personPage(ws, ids.carla!, 20),
      pages.personPage(ws, ids.carla!, 20),
    ]);
    expect(pages.builds).toBe(4);
    await post("grants", {
      subject: { type: "person", personId: ids.carla },
      target: { accountId: ids["Other BC"] },
      role: "Admin",
    });
    const [other] = await Promise.all([
      pages.accountPage(ws, ids["Other BC"]!, 20),
      pages.accountPage(ws, ids["Other BC"]!, 20),
      pages.accountPage(ws, ids["Client BC"]!, 20),
    ]);
    expect(pages.builds).toBe(5); // Other BC again (twice asked, once built); Client BC kept
    expect(JSON.parse(other)).toMatchObject({ counts: { grants: { active: 1 } } });
  });

  it("a failed build fails every view that waited for it, and the next view tries again", async () => {
    const pages = new PageService(t.db, t.clock, t.access);
    const missing = "01a00000-0000-7000-8000-000000000000";
    const views = await Promise.allSettled([
      pages.accountPage(ws, missing, 20),
      pages.accountPage(ws, missing, 20),
    ]);
    expect(views.map((v) => v.status)).toEqual(["rejected", "rejected"]);
    expect(pages.builds).toBe(1);
    await expect(pages.accountPage(ws, missing, 20)).rejects.toThrow();
    expect(pages.builds).toBe(2);
  });
});
