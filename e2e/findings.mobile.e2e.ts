import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DESKTOP, newContext, serverAndBrowser, shot } from "./harness.ts";
import { AppPage } from "./pages/app.ts";

const env = serverAndBrowser();

describe("findings and guides on a phone", () => {
  it("imports the sample agency record with a preview, walks from a finding to its guide, and acknowledges another", async () => {
    const page = await (await newContext(env.browser(), env.server().url)).newPage();
    const app = new AppPage(page);
    await app.open();
    await app.signUp("Olivia Ortiz", "olivia@bright.example");
    await app.createWorkspace("Bright Agency");
    await shot(page, "phone-findings-01-empty-dashboard");

    const slug = new URL(page.url()).pathname.split("/")[3]!;
    await page.goto(`/app/w/${slug}/import`);
    await page
      .getByLabel("File")
      .setInputFiles(join(import.meta.dirname, "../content/demo/agency-sheet.csv"));
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByRole("heading", { name: "What this file will do" }).waitFor();
    expect(await page.getByText("Create 17 grants").isVisible()).toBe(true);
    await shot(page, "phone-findings-02-import-preview");
    await page.getByRole("button", { name: /^Import / }).click();
    await page.getByText(/Imported 17 rows/).waitFor();

    await page
      .getByRole("navigation", { name: "Sections" })
      .last()
      .getByRole("link", { name: "Home" })
      .click();
    const first = page.getByRole("list", { name: "Open findings" }).getByRole("article").first();
    await first.waitFor();
    expect(await first.getAttribute("aria-label")).toBe("Someone who left still has access");
    await shot(page, "phone-findings-03-dashboard");

    // The finding's own page: why it matters, what it is about, and the fixes.
    await first.getByRole("heading", { level: 2 }).getByRole("link").click();
    await page.getByRole("heading", { name: "Why it matters" }).waitFor();
    expect(await page.getByRole("link", { name: "Start a change plan" }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Dana Designer" }).isVisible()).toBe(true);
    await shot(page, "phone-findings-03b-finding");
    await page.goBack();
    await first.waitFor();
    await first.getByRole("link", { name: "How to fix it →" }).click();
    await page
      .getByRole("heading", { level: 1, name: "Remove someone from your TikTok Business Center" })
      .waitFor();
    // Followed as a checklist inside the app: a ticked step is still ticked after a reload.
    const checklist = page.getByRole("list", { name: "Checklist" });
    await checklist.getByRole("checkbox").first().check();
    await page.getByText(/^1 of \d+ done/).waitFor();
    await page.reload();
    await page.getByText(/^1 of \d+ done/).waitFor();
    expect(await checklist.getByRole("checkbox").first().isChecked()).toBe(true);
    await shot(page, "phone-findings-04-guide");
    await page.goBack();

    const single = page.getByRole("article", { name: "Only one admin" }).first();
    await single.waitFor();
    await single.getByRole("button", { name: "Acknowledge" }).click();
    await single.getByLabel("Why is this acceptable?").fill("A second admin starts on Monday");
    await single.getByRole("button", { name: "Acknowledge" }).click();
    await page.getByText(/Acknowledged and snoozed \(1\)/).waitFor();
    await shot(page, "phone-findings-05-acknowledged");

    // The same screens at desktop size.
    const desk = await (await newContext(env.browser(), env.server().url, DESKTOP)).newPage();
    await desk.goto("/app/sign-in");
    await desk.getByLabel("Email").fill("olivia@bright.example");
    await desk.getByLabel("Password").fill("correct horse battery");
    await desk.getByRole("button", { name: "Sign in", exact: true }).click();
    await desk.getByRole("list", { name: "Open findings" }).waitFor();
    await shot(desk, "desktop-findings-dashboard");
    await desk
      .getByRole("navigation", { name: "Sections" })
      .first()
      .getByRole("link", { name: "Accounts" })
      .click();
    await desk.getByRole("heading", { level: 1, name: "Accounts" }).waitFor();
    await shot(desk, "desktop-record-accounts");
    await desk.getByRole("link", { name: "Bakery Co BC" }).click();
    await desk.getByRole("heading", { level: 2, name: "Bakery Co BC" }).waitFor();
    await shot(desk, "desktop-record-account");
    await desk.getByRole("link", { name: "See it on the access map →" }).click();
    await desk.getByRole("img", { name: /Access map with/ }).waitFor();
    await shot(desk, "desktop-access-map");
  });

  it("shows the worst findings first and the rest a page at a time on request", async () => {
    const page = await (await newContext(env.browser(), env.server().url)).newPage();
    const app = new AppPage(page);
    await app.open("/app/sign-up");
    await app.signUp("Paul Page", "paul@many.example");
    await app.createWorkspace("Many Findings");
    const slug = new URL(page.url()).pathname.split("/")[3]!;
    // 70 people who left still have access to one account: 70 critical findings, more than a page.
    const rows = Array.from(
      { length: 70 },
      (_, i) =>
        `tiktok,Big BC,Many Findings,Leaver ${i},person,leaver${i}@many.example,Many Findings,Standard,active,departed`,
    );
    await page.goto(`/app/w/${slug}/import`);
    await page.getByLabel("File").setInputFiles({
      name: "leavers.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        `platform,account,account_org,subject,subject_type,email,subject_org,role,status,person_status\n${rows.join("\n")}\n`,
      ),
    });
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByRole("button", { name: /^Import / }).click();
    await page.getByText(/Imported 70 rows/).waitFor();
    await page.goto(`/app/w/${slug}`);
    const list = page.getByRole("list", { name: "Open findings" });
    await list.getByRole("article").first().waitFor();
    expect(await list.getByRole("article").first().getAttribute("aria-label")).toBe(
      "Someone who left still has access",
    );
    const shown = () => list.getByRole("article").count();
    expect(await shown()).toBe(50);
    await page.getByText(/^Showing 50 of \d+ open findings/).waitFor();
    await page.getByRole("button", { name: "Show more" }).click();
    // While the next page loads the button reads "Loading…", so wait for the list itself.
    // Every open finding is reachable: the 70 leavers and the account's own (no admin, no owner).
    await list.getByRole("article").nth(71).waitFor();
    await page.getByRole("button", { name: /^(Show more|Loading…)$/ }).waitFor({ state: "detached" });
    expect(await shown()).toBe(72);
    expect(await page.getByText(/^Showing \d+ of/).count()).toBe(0);
    await shot(page, "phone-findings-06-show-more");
  });

  it("searches the guides, opens an action guide, follows 'if this fails' to the troubleshooting page", async () => {
    const page = await (await newContext(env.browser(), env.server().url)).newPage();
    await page.goto("/");
    await page
      .getByRole("searchbox", { name: "Search the guides" })
      .first()
      .fill("add agency partner tiktok");
    await page.getByRole("searchbox", { name: "Search the guides" }).first().press("Enter");
    await page.getByRole("heading", { level: 1, name: "Search" }).waitFor();
    await shot(page, "phone-guides-01-search");
    await page
      .getByRole("link", { name: /Add an agency as a partner to your TikTok Business Center/ })
      .click();
    await page
      .getByRole("heading", { level: 1, name: "Add an agency as a partner to your TikTok Business Center" })
      .waitFor();
    await shot(page, "phone-guides-02-action");
    await page
      .getByRole("link", { name: "Added to a TikTok Business Center but the ad account is not visible" })
      .first()
      .click();
    await page
      .getByRole("heading", {
        level: 1,
        name: "Added to a TikTok Business Center but the ad account is not visible",
      })
      .waitFor();
    expect(await page.getByRole("heading", { name: "Likely causes, most likely first" }).isVisible()).toBe(
      true,
    );
    await shot(page, "phone-guides-03-troubleshooting");
  });
});
