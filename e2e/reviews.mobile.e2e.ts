import { describe, expect, it } from "vitest";
import { newContext, serverAndBrowser, shot } from "./harness.ts";
import { AppPage } from "./pages/app.ts";

const env = serverAndBrowser();

describe("access reviews on a phone", () => {
  it("reviews an account, confirms the rest in one tap, completes it and opens the evidence", async () => {
    const page = await (await newContext(env.browser(), env.server().url)).newPage();
    const app = new AppPage(page);
    await app.startWithDemo();

    await app.goTo("Accounts");
    await page.getByRole("link", { name: "Bakery Co portfolio" }).click();
    await page.getByRole("button", { name: "Review who has access now" }).click();
    await page.getByRole("heading", { level: 1, name: "Access review" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "Everyone with access" }).waitFor();
    await shot(page, "phone-review-01-start");

    // Remove the shared login, confirm everyone else in one tap.
    const login = page.getByRole("article", { name: /Instagram team login/ });
    await login.getByRole("button", { name: "Remove" }).click();
    await login.getByText(/^Remove/).waitFor();
    await page.getByRole("button", { name: /in one tap/ }).click();
    await page.getByRole("button", { name: "Complete the review" }).click();
    await page.getByRole("link", { name: "Printable evidence" }).waitFor();
    await shot(page, "phone-review-02-complete");

    const evidence = await page.getByRole("link", { name: "Printable evidence" }).getAttribute("href");
    await page.goto(evidence!);
    await page.getByRole("heading", { level: 1, name: "Access review: Bakery Co portfolio" }).waitFor();
    expect(await page.getByRole("cell", { name: "Removed" }).count()).toBe(1);
    await shot(page, "phone-review-03-evidence");
  });
});
