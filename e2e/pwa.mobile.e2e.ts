import { describe, expect, it } from "vitest";
import { newContext, serverAndBrowser, shot } from "./harness.ts";

const env = serverAndBrowser();

describe("the installable app", () => {
  it("has a manifest, and once visited opens offline from its service worker with an offline notice", async () => {
    const context = await newContext(env.browser(), env.server().url);
    const page = await context.newPage();
    await page.goto("/app");
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    const manifest = await (await fetch(`${env.server().url}/app/manifest.webmanifest`)).json();
    expect(manifest).toMatchObject({
      short_name: "Delvia",
      start_url: "/app/",
      scope: "/app/",
      display: "standalone",
    });
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout: 10_000,
    });
    await context.setOffline(true);
    await page.reload({ timeout: 10_000 });
    await page.getByText("You are offline").waitFor({ timeout: 10_000 });
    await shot(page, "phone-pwa-offline");
    await context.setOffline(false);
  });

  it("shows the offline notice when the server cannot be reached although the phone says it is online, and hides it once a request gets through", async () => {
    const page = await (await newContext(env.browser(), env.server().url)).newPage();
    await page.route("**/api/v1/**", (route) => route.abort("internetdisconnected"));
    await page.goto("/app");
    const notice = page.getByText("Delvia cannot be reached right now");
    await notice.waitFor({ timeout: 10_000 });
    await shot(page, "phone-unreachable");
    await page.unroute("**/api/v1/**");
    // Retrying fetches again without a reload; the answer alone must clear the notice.
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("heading", { level: 1, name: "Create the first account" }).waitFor();
    await notice.waitFor({ state: "detached", timeout: 10_000 });
  });

  it("serves a readable API reference without JavaScript", async () => {
    const res = await fetch(`${env.server().url}/api/docs`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("/api/v1/workspaces/{workspaceId}/who-can-reach");
    expect(html).toContain("Who may call it: workspace viewers and above");
    const page = await (
      await newContext(env.browser(), env.server().url, { width: 1280, height: 800 })
    ).newPage();
    await page.goto("/api/docs");
    await shot(page, "desktop-api-docs");
  });
});
