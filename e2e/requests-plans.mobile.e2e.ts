import { describe, expect, it } from "vitest";
import { DESKTOP, newContext, serverAndBrowser, shot } from "./harness.ts";
import { AppPage } from "./pages/app.ts";

const env = serverAndBrowser();

describe("requests and change plans on a phone", () => {
  it("asks for access and records it when verified; plans a leaver's exit and watches the findings close", async () => {
    const page = await (await newContext(env.browser(), env.server().url)).newPage();
    const app = new AppPage(page);
    const slug = await app.startWithDemo();

    // ── An access request, from draft to verified ──
    await app.goTo("Requests");
    await page.getByRole("heading", { level: 1, name: "Access requests" }).waitFor();
    await page.getByRole("button", { name: "New access request" }).click();
    const form = page.getByRole("form", { name: "New access request" });
    await form
      .getByLabel("Account", { exact: true })
      .selectOption({ label: "Florist Ltd Analytics (Google Analytics 4)" });
    // The narrowest role is suggested.
    expect(await form.getByLabel("Role wanted").inputValue()).toBe("Viewer");
    await form
      .getByLabel("Person", { exact: true })
      .selectOption({ label: "Sam Singh (sam@bright.example)" });
    await form.getByLabel("Their admin's name").fill("Fiona Flores");
    await form.getByLabel("Their admin's email").fill("fiona@florist.example");
    await shot(page, "phone-requests-01-new");
    await form.getByRole("button", { name: "Draft the request" }).click();
    await page
      .getByRole("heading", { level: 2, name: "Viewer on Florist Ltd Analytics for Sam Singh" })
      .waitFor();
    const message = page.getByTestId("request-message");
    await message.waitFor();
    expect(await message.textContent()).toContain("Could you invite Sam Singh (sam@bright.example)");
    await page.getByRole("button", { name: "Copy the message" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain("Access request: Google Analytics 4, Florist Ltd Analytics");
    expect(copied).toContain('with the role "Viewer"');
    await shot(page, "phone-requests-02-message");

    for (const [button, status] of [
      ["Mark as sent", "Sent"],
      ["We accepted it", "Accepted"],
      ["Access works: verify", "Verified"],
    ] as const) {
      await page.getByRole("button", { name: button }).click();
      await page.getByText(status, { exact: true }).first().waitFor();
    }
    await page.getByText(/1 grant in the record/).waitFor();
    await shot(page, "phone-requests-03-verified");
    await page.getByRole("link", { name: "Florist Ltd Analytics" }).first().click();
    await page.getByRole("heading", { level: 2, name: "Florist Ltd Analytics" }).waitFor();
    await page
      .getByText(/Sam Singh.*Viewer/)
      .first()
      .waitFor();

    // ── Dana left: plan her exit and work through it ──
    await app.goTo("Home");
    await page.getByRole("article", { name: "Someone who left still has access" }).first().waitFor();
    await app.goTo("People");
    await page.getByRole("link", { name: "Dana Designer" }).click();
    await page.getByRole("link", { name: "Plan their departure" }).click();
    const planForm = page.getByRole("form", { name: "New change plan" });
    expect(await planForm.getByLabel("Who leaves").inputValue()).not.toBe("");
    await shot(page, "phone-plans-01-new");
    await planForm.getByRole("button", { name: "Make the plan" }).click();
    await page.getByRole("heading", { level: 2, name: "Dana Designer leaves" }).waitFor();
    await shot(page, "phone-plans-02-plan");
    const tasks = page.getByRole("article");
    const count = await tasks.count();
    expect(count).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < count; i++) {
      const task = page
        .getByRole("article")
        .filter({ has: page.getByRole("button", { name: "Mark done" }) })
        .first();
      await task.getByRole("button", { name: "Mark done" }).click();
      await page.getByRole("progressbar", { name: `${i + 1} of ${count} tasks done` }).waitFor();
    }
    await page.getByText("Complete: the re-check found nothing left in the record.").waitFor();
    await shot(page, "phone-plans-03-complete");

    await app.goTo("Home");
    await page.getByRole("heading", { level: 1, name: "Bright Agency" }).waitFor();
    const open = page.getByRole("list", { name: "Open findings" });
    await open.waitFor();
    // The home screen may first show what it cached before the plan, then its refreshed findings.
    await expect
      .poll(async () => (await open.textContent()) ?? "", { timeout: 10_000 })
      .not.toContain("Dana Designer");
    await shot(page, "phone-plans-04-findings-closed");

    // Inbox and calendar at phone size; the plan and request at desktop size.
    await page.getByRole("link", { name: /^Notifications/ }).click();
    await page.getByRole("heading", { level: 1, name: "Notifications" }).waitFor();
    await page.getByRole("button", { name: "Make my calendar address" }).click();
    await page.getByLabel("Subscribe to this address (shown once)").waitFor();
    const feedUrl = await page.getByLabel("Subscribe to this address (shown once)").inputValue();
    const ics = await (await fetch(feedUrl)).text();
    expect(ics).toContain("BEGIN:VCALENDAR");
    await shot(page, "phone-inbox");

    const desk = await (await newContext(env.browser(), env.server().url, DESKTOP)).newPage();
    await desk.goto("/app/sign-in");
    await desk.getByLabel("Email").fill("olivia@bright.example");
    await desk.getByLabel("Password").fill("correct horse battery");
    await desk.getByRole("button", { name: "Sign in", exact: true }).click();
    await desk.getByRole("list", { name: "Open findings" }).waitFor();
    await desk.goto(`/app/w/${slug}/plans`);
    await desk.getByRole("link", { name: /Dana Designer leaves/ }).click();
    await desk.getByRole("heading", { level: 2, name: "Dana Designer leaves" }).waitFor();
    await shot(desk, "desktop-plan");
    await desk.goto(`/app/w/${slug}/requests`);
    await desk.getByRole("button", { name: "All" }).click();
    await desk.getByRole("link", { name: /Viewer on Florist Ltd Analytics/ }).waitFor();
    await shot(desk, "desktop-requests");
  });
});
