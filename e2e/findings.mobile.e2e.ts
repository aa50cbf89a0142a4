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
    const openList = page.getByRole("list", { name: "Open findings" });
    const first = openList.getByRole("article").first();
    await first.waitFor();
    expect(await first.getAttribute("aria-label")).toBe("Someone who left still has access");
    // Every open finding of the sample record, worst first (by severity, then rule).
    const titles = () =>
      openList.getByRole("article").evaluateAll((all) => all.map((a) => a.getAttribute("aria-label")));
    expect(await titles()).toEqual([
      "Someone who left still has access", // Dana, Bright Agency BC
      "Someone who left knows a shared password", // Dana knows the Instagram team login
      "A shared login", // the Instagram team login
      "Only one admin", // Carla on Bakery Co BC
      "Only one admin", // Fiona on Florist Ltd Analytics (Pat's admin role has ended)
      "Access past its end date", // Pat on Florist Ltd Analytics
      "Invitation expired", // Sam on Florist Ltd Ads (Google Ads invitations last 20 days)
      "Invitation waiting too long", // Nina on Bright Agency BC
    ]);
    // The counts by severity.
    const bySeverity = page.getByRole("region", { name: "Open findings by severity" });
    expect((await bySeverity.textContent())?.replace(/\s+/g, "")).toBe("2critical3high2medium1low");
    // Per organization of the accounts, worst first; one tap filters the list.
    const perOrg = page.getByRole("list", { name: "Findings per organization" }).getByRole("button");
    expect(await perOrg.evaluateAll((all) => all.map((b) => b.textContent))).toEqual([
      "Bakery Co1 critical2 high",
      "Bright Agency1 critical1 low",
      "Florist Ltd1 high2 medium",
    ]);
    await perOrg.filter({ hasText: "Florist Ltd" }).click();
    await page.getByText("Showing one organization.").waitFor();
    await openList.getByRole("article").nth(2).waitFor();
    expect(await titles()).toEqual(["Only one admin", "Access past its end date", "Invitation expired"]);
    await page.getByRole("button", { name: "Show all" }).click();
    await openList.getByRole("article").nth(7).waitFor();
    // Coming up: both pending invitations. Google Ads invitations run out after 20 days; TikTok's
    // have no set lifetime, so Nina's is due a check after 14 days (as the stale-invite finding says).
    const coming = page.getByRole("list", { name: "Coming up" }).getByRole("listitem");
    expect(await coming.evaluateAll((all) => all.map((li) => li.textContent))).toEqual([
      "overdue 10-19Invitation still waiting: Bright Agency BC", // Nina's, sent 2026-10-05
      "overdue 11-09Invitation runs out: Florist Ltd Ads", // Sam's, sent 2026-10-20
    ]);
    await shot(page, "phone-findings-03-dashboard");

    // The finding's own page: why it matters, what it is about, the records involved, and the fixes.
    await first.getByRole("heading", { level: 2 }).getByRole("link").click();
    await page.getByRole("heading", { name: "Why it matters" }).waitFor();
    expect(await page.getByRole("link", { name: "Start a change plan" }).isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Dana Designer" }).isVisible()).toBe(true);
    const record = page.getByRole("region", { name: "What the record shows" });
    const danaGrants = record.getByRole("list", { name: "Dana Designer's access on Bright Agency BC" });
    expect(
      await danaGrants
        .getByRole("listitem")
        .evaluateAll((all) => all.map((li) => li.getAttribute("aria-label"))),
    ).toEqual(["Standard on Bright Agency BC", "Analyst on Bakery ads (in Bright Agency BC)"]);
    const standard = danaGrants.getByRole("listitem", { name: "Standard on Bright Agency BC" });
    expect(await standard.getByText("granted 2025-05-10").isVisible()).toBe(true);
    expect(await standard.getByRole("link", { name: "Bright Agency BC" }).isVisible()).toBe(true);
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
    await page.getByText(/Acknowledged and snoozed \(1\)/).click();
    // The card says who acknowledged it, on which day, and why.
    const decided = page
      .getByRole("group")
      .filter({ hasText: "Acknowledged and snoozed (1)" })
      .getByRole("article", { name: "Only one admin" });
    await decided.waitFor();
    expect(await decided.locator("p", { hasText: /^Acknowledged by/ }).textContent()).toMatch(
      /^Acknowledged by olivia@bright\.example on \d{4}-\d{2}-\d{2}: A second admin starts on Monday$/,
    );
    expect(await decided.getByRole("button", { name: "Reopen" }).isVisible()).toBe(true);
    await shot(page, "phone-findings-05-acknowledged");
    // And so does its own page.
    await decided.getByRole("heading", { level: 2 }).getByRole("link").click();
    await page.getByRole("heading", { name: "Why it matters" }).waitFor();
    expect(
      await page.locator("p", { hasText: /^Acknowledged by olivia@bright\.example on / }).textContent(),
    ).toContain(": A second admin starts on Monday");
    expect(
      await page
        .getByRole("region", { name: "What the record shows" })
        .getByRole("heading", { name: /^Admin roles on / })
        .isVisible(),
    ).toBe(true);
    await shot(page, "phone-findings-05b-acknowledged-finding");

    // The same screens at desktop size.
    const desk = await (await newContext(env.browser(), env.server().url, DESKTOP)).newPage();
    await desk.goto("/app/sign-in");
    await desk.getByLabel("Email").fill("olivia@bright.example");
    await desk.getByLabel("Password").fill("correct horse battery");
    await desk.getByRole("button", { name: "Sign in", exact: true }).click();
    await desk.getByRole("list", { name: "Open findings" }).waitFor();
    await desk.getByRole("list", { name: "Coming up" }).waitFor();
    await shot(desk, "desktop-findings-dashboard");
    await desk
      .getByRole("list", { name: "Open findings" })
      .getByRole("article")
      .first()
      .getByRole("heading", { level: 2 })
      .getByRole("link")
      .click();
    await desk.getByRole("list", { name: "Dana Designer's access on Bright Agency BC" }).waitFor();
    await shot(desk, "desktop-finding");
    await desk.goBack();
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
