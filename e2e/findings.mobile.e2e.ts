import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newContext, serverAndBrowser, shot } from "./harness.ts";
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
    expect(await page.getByText("Create 16 grants").isVisible()).toBe(true);
    await shot(page, "phone-findings-02-import-preview");
    await page.getByRole("button", { name: /^Import / }).click();
    await page.getByText(/Imported 16 rows/).waitFor();

    await page
      .getByRole("navigation", { name: "Sections" })
      .last()
      .getByRole("link", { name: "Home" })
      .click();
    const first = page.getByRole("list", { name: "Open findings" }).getByRole("article").first();
    await first.waitFor();
    expect(await first.getAttribute("aria-label")).toBe("Someone who left still has access");
    await shot(page, "phone-findings-03-dashboard");

    await first.getByRole("link", { name: "How to fix it →" }).click();
    await page
      .getByRole("heading", { level: 1, name: "Remove someone from your TikTok Business Center" })
      .waitFor();
    await shot(page, "phone-findings-04-guide");
    await page.goBack();

    const single = page.getByRole("article", { name: "Only one admin" }).first();
    await single.waitFor();
    await single.getByRole("button", { name: "Acknowledge" }).click();
    await single.getByLabel("Why is this acceptable?").fill("A second admin starts on Monday");
    await single.getByRole("button", { name: "Acknowledge" }).click();
    await page.getByText(/Acknowledged and snoozed \(1\)/).waitFor();
    await shot(page, "phone-findings-05-acknowledged");
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
