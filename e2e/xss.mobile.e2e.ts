import { describe, expect, it } from "vitest";
import { DESKTOP, newContext, serverAndBrowser } from "./harness.ts";
import { AppPage } from "./pages/app.ts";

const env = serverAndBrowser();

/** Each payload sets a marker if it ever runs. */
const PAYLOADS = [
  `<img src=x onerror="window.__xss='img'">`,
  `"><script>window.__xss='script'</script>`,
  `<svg onload="window.__xss='svg'"></svg>`,
  `javascript:window.__xss='href'`,
];

describe("stored values cannot inject script (a real browser)", () => {
  it("shows hostile names as text on every screen, and in the guide site", async () => {
    const context = await newContext(env.browser(), env.server().url, DESKTOP);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const app = new AppPage(page);
    await app.open();
    await app.signUp(PAYLOADS[0]!, "olivia@xss.example");
    await app.createWorkspace(`Acme ${PAYLOADS[1]}`);
    const slug = new URL(page.url()).pathname.split("/")[3]!;
    // Fill the record with hostile values through the API, from the signed-in page.
    const ids = await page.evaluate(async (payloads) => {
      const me = await (await fetch("/api/v1/me")).json();
      const ws = me.workspaces[0].id;
      const post = async (path: string, body: unknown) => {
        const r = await fetch(`/api/v1/workspaces/${ws}/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
        return (await r.json()).id as string;
      };
      const org = await post("organizations", { name: payloads[0], kind: "client" });
      const person = await post("people", {
        name: payloads[1],
        emails: ["p@xss.example"],
        organizationId: org,
        status: "departed",
        leftOn: "2026-01-01",
      });
      const account = await post("accounts", {
        platform: "tiktok",
        name: payloads[2],
        organizationId: org,
        ownerPersonId: person,
        notes: payloads[3],
      });
      const asset = await post("assets", { accountId: account, type: "ad_account", name: payloads[3] });
      await post("grants", {
        subject: { type: "person", personId: person },
        target: { accountId: account, assetId: null },
        role: "Admin",
        reason: payloads[0],
      });
      await post("shared-logins", { label: payloads[2], knownByPersonIds: [person] });
      const request = await post("requests", {
        direction: "outgoing",
        accountId: account,
        assetIds: [asset],
        role: "Admin",
        subject: { type: "person", personId: person },
        contactName: payloads[0],
        title: payloads[1],
      });
      const plan = await post("plans", { subject: { kind: "person-leaves", personId: person } });
      return { ws, person, account, request, plan };
    }, PAYLOADS);

    const screens = [
      `/app/w/${slug}`,
      `/app/w/${slug}/accounts`,
      `/app/w/${slug}/accounts/${ids.account}`,
      `/app/w/${slug}/people`,
      `/app/w/${slug}/people/${ids.person}`,
      `/app/w/${slug}/requests`,
      `/app/w/${slug}/requests/${ids.request}`,
      `/app/w/${slug}/plans/${ids.plan}`,
      `/app/w/${slug}/map?accountId=${ids.account}`,
      `/app/w/${slug}/search?q=${encodeURIComponent("<img")}`,
      `/app/w/${slug}/members`,
      `/guides/search?q=${encodeURIComponent(PAYLOADS[1]!)}`,
    ];
    for (const path of screens) {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      await page.waitForFunction(() => document.querySelector("[data-loading]") === null, undefined, {
        timeout: 10_000,
      });
      expect(
        await page.evaluate(() => (window as unknown as { __xss?: string }).__xss),
        path,
      ).toBeUndefined();
      // The payload is on the page as text, not as markup.
      expect(
        await page
          .locator("script:not([src]):not([type])")
          .evaluateAll((s) => s.filter((x) => x.textContent?.includes("__xss")).length),
        path,
      ).toBe(0);
      expect(await page.locator("img[src='x'], svg[onload]").count(), path).toBe(0);
    }
    await page.goto(`/app/w/${slug}/people/${ids.person}`);
    await page.getByRole("heading", { level: 2, name: PAYLOADS[1]! }).waitFor();
    expect(dialogs).toEqual([]);
  });
});
