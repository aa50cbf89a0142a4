import { describe, expect, it } from "vitest";
import { newContext, serverAndBrowser, shot } from "./harness.ts";
import { AppPage } from "./pages/app.ts";

const env = serverAndBrowser();

describe("record this, pre-filled from the finding", () => {
  it("follows the removal guide from a finding as a checklist and records the removal in one tap", async () => {
    const page = await (await newContext(env.browser(), env.server().url)).newPage();
    const app = new AppPage(page);
    await app.startWithDemo();
    await app.goTo("Home");

    const finding = page.getByRole("article", { name: "Someone who left still has access" }).first();
    const text = (await finding.textContent()) ?? "";
    expect(text).toContain("Dana Designer");
    await finding.getByRole("link", { name: "How to fix it →" }).click();
    const checklist = page.getByRole("list", { name: "Checklist" });
    await checklist.waitFor();
    for (const box of await checklist.getByRole("checkbox").all()) await box.check();
    await page.getByRole("link", { name: "Record this" }).click();
    await page.getByRole("heading", { level: 1, name: "Record this" }).waitFor();
    // The account and the person come from the finding: only Dana's access is offered.
    const card = page.getByRole("region", { name: "Mark the access as removed" });
    await card
      .getByText(/Dana Designer — /)
      .first()
      .waitFor();
    await shot(page, "phone-record-this");
    // Each of Dana's grants on the account, until none is left.
    const buttons = card.getByRole("button", { name: "Mark removed" });
    expect(await buttons.count()).toBe(2);
    await buttons.first().click();
    await expect.poll(() => buttons.count()).toBe(1);
    await buttons.first().click();
    await page.getByText("Recorded: nothing of theirs is left on this account.").waitFor();
  });
});
