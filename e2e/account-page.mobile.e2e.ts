import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DESKTOP, newContext, SCREENSHOTS, serverAndBrowser, shot } from "./harness.ts";
import { AppPage } from "./pages/app.ts";

const env = serverAndBrowser();

/**
 * A client Business Center with many people on it: 3 admins, 80 standard members (one invited,
 * one who left), ad accounts with their own roles, and the agency as a partner.
 */
function bigSheet(): string {
  const rows = [
    "platform,account,account_id,account_org,account_owner,asset,asset_type,asset_id,subject,subject_type,email,subject_org,role,status,person_status,left_on",
  ];
  const acct = "tiktok,Harbor Foods BC,7200000001,Harbor Foods,hana@harbor.example";
  for (const [name, email] of [
    ["Hana Harbor", "hana@harbor.example"],
    ["Ivan Ito", "ivan@harbor.example"],
    ["Jo Jensen", "jo@harbor.example"],
  ])
    rows.push(`${acct},,,,${name},person,${email},Harbor Foods,Admin,active,,`);
  for (let i = 0; i < 80; i++) {
    const n = String(i + 1).padStart(2, "0");
    const status = i === 7 ? "pending" : "active";
    const left = i === 12 ? "departed,2026-10-01" : ",";
    rows.push(
      `${acct},,,,Store manager ${n},person,store${n}@harbor.example,Harbor Foods,Standard,${status},${left}`,
    );
  }
  for (let i = 0; i < 12; i++) {
    const n = String(i + 1).padStart(2, "0");
    rows.push(
      `${acct},Harbor ads ${i % 2 ? "EU" : "US"},ad_account,9300000${i % 2},Analyst ${n},person,analyst${n}@harbor.example,Harbor Foods,${i % 3 ? "Analyst" : "Operator"},active,,`,
    );
  }
  rows.push(
    `${acct},Harbor ads US,ad_account,93000000,Bright Agency BC,partner,,Bright Agency,Operator,active,,`,
  );
  return `${rows.join("\n")}\n`;
}

async function importBig(page: Page, slug: string) {
  const me = await (await page.request.get("/api/v1/me")).json();
  const ws = (me.workspaces as { id: string; slug: string }[]).find((w) => w.slug === slug)!;
  const origin = new URL(page.url()).origin;
  // Two rows per import, as a sheet kept up over weeks: each import lists its grants in one
  // event on the account, so its history has pages of older changes.
  const [header, ...rows] = bigSheet().trim().split("\n");
  for (let i = 0; i < rows.length; i += 2) {
    const res = await page.request.post(`/api/v1/workspaces/${ws.id}/import`, {
      headers: { "content-type": "text/csv", origin },
      data: `${[header, ...rows.slice(i, i + 2)].join("\n")}\n`,
    });
    expect(res.status(), await res.text()).toBe(200);
  }
}

async function openAccount(page: Page, name: string) {
  await new AppPage(page).goTo("Accounts");
  await page.getByRole("heading", { level: 1, name: "Accounts" }).waitFor();
  await page.getByRole("link", { name }).click();
  await page.getByRole("heading", { level: 2, name }).waitFor();
}

describe("the account page of a large account", () => {
  it("shows the first of each role from one request, pages through the rest, and looks right on a phone and a desktop", async () => {
    const context = await newContext(env.browser(), env.server().url);
    const page = await context.newPage();
    const requests: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/v1/workspaces/")) requests.push(new URL(r.url()).pathname);
    });
    const slug = await new AppPage(page).startWithDemo();
    await importBig(page, slug);
    await page.goto(`/app/w/${slug}`);
    await page.getByRole("heading", { level: 1, name: "Bright Agency" }).waitFor();
    requests.length = 0;
    await openAccount(page, "Harbor Foods BC");

    // The page came from its own request: never the workspace's whole list of grants.
    expect(requests.some((p) => /\/accounts\/[^/]+\/page$/.test(p))).toBe(true);
    expect(requests.filter((p) => p.endsWith("/grants") || p.endsWith("/history"))).toEqual([]);

    const access = page.getByRole("region", { name: "Who has access to the account" });
    const admins = access.getByRole("list", { name: /^Admin/ });
    const standard = access.getByRole("list", { name: /^Standard/ });
    await expect.poll(() => admins.getByRole("listitem").count()).toBe(3);
    expect(await standard.getByRole("listitem").count()).toBe(10);
    // Admins come first: roles in order of power.
    const headings = await access.getByRole("heading", { level: 3 }).allTextContents();
    expect(headings.map((h) => h.split("·")[0]!.trim())).toEqual(["Admin", "Standard"]);
    await page.getByRole("region", { name: /Problems on this account/ }).waitFor();
    await shot(page, "phone-account-01-large");

    await access.getByRole("button", { name: "Show more (70 left)" }).click();
    await expect.poll(() => standard.getByRole("listitem").count()).toBe(60);
    await access.getByRole("button", { name: "Show more (20 left)" }).click();
    await expect.poll(() => standard.getByRole("listitem").count()).toBe(80);
    expect(await access.getByRole("button", { name: /Show more/ }).count()).toBe(0);
    // The invited one is listed after every active member.
    const last = await standard.getByRole("listitem").last().textContent();
    expect(last).toContain("pending");

    // An asset's grants load when opened.
    await page.getByText("Who has access to Harbor ads US").click();
    const us = page.getByRole("list", { name: /^Operator/ }).first();
    await us.getByRole("listitem").first().waitFor();
    expect(await page.getByText("Bright Agency BC (partner)").count()).toBeGreaterThan(0);
    await shot(page, "phone-account-02-large-expanded");

    // Older changes, a page at a time.
    const history = page.getByRole("region", { name: "History" });
    expect(await history.getByRole("listitem").count()).toBe(10);
    // Each import reads as one change: how many grants it added, and where.
    expect(await history.getByRole("listitem").first().textContent()).toContain(
      "imported 2 grants on Harbor Foods BC",
    );
    await history.getByRole("button", { name: "Show older changes" }).click();
    await expect.poll(() => history.getByRole("listitem").count()).toBe(30);
    await history.screenshot({ path: join(SCREENSHOTS, "phone-account-03-history.png") });

    // The same person on a desktop: the phone's session, a wide window.
    const desktop = await (
      await env.browser().newContext({
        baseURL: env.server().url,
        viewport: DESKTOP,
        deviceScaleFactor: 1,
        storageState: await context.storageState(),
      })
    ).newPage();
    await desktop.goto(page.url());
    await desktop.getByRole("heading", { level: 2, name: "Harbor Foods BC" }).waitFor();
    await desktop
      .getByRole("list", { name: /^Standard/ })
      .getByRole("listitem")
      .first()
      .waitFor();
    await shot(desktop, "desktop-account-01-large");
    const desktopHistory = desktop.getByRole("region", { name: "History" });
    await desktopHistory.getByRole("listitem").first().waitFor();
    await desktopHistory.screenshot({ path: join(SCREENSHOTS, "desktop-account-02-history.png") });

    // The person page: their grants and changes from one request too.
    await page.getByRole("link", { name: "Store manager 13" }).click();
    await page.getByRole("heading", { level: 2, name: /Store manager 13/ }).waitFor();
    await page
      .getByRole("region", { name: "Direct grants" })
      .getByRole("link", { name: "Harbor Foods BC" })
      .waitFor();
    await shot(page, "phone-person-01");
    // Their history lists the import that gave them access, by the account it was on.
    const personHistory = page.getByRole("region", { name: "History" });
    expect(await personHistory.getByRole("listitem").first().textContent()).toContain(
      "imported 2 grants on Harbor Foods BC",
    );
    // As the phone shows it scrolled to the end, above the fixed navigation bar.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.screenshot({ path: join(SCREENSHOTS, "phone-person-02-history.png") });
    await desktop.goto(page.url());
    await desktop.getByRole("heading", { level: 2, name: /Store manager 13/ }).waitFor();
    await shot(desktop, "desktop-person-01");
    await desktop
      .getByRole("region", { name: "History" })
      .screenshot({ path: join(SCREENSHOTS, "desktop-person-02-history.png") });
  });
});
