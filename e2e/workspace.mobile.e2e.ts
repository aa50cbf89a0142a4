import { describe, expect, it } from "vitest";
import { DESKTOP, newContext, serverAndBrowser, shot } from "./harness.ts";
import { AppPage } from "./pages/app.ts";

const env = serverAndBrowser();

describe("a new team on a phone", () => {
  it("signs up, creates a workspace, invites a viewer who joins with their own login, and the viewer cannot manage the team", async () => {
    const owner = new AppPage(await (await newContext(env.browser(), env.server().url)).newPage());
    await owner.open();
    await owner.expectHeading("Create the first account");
    await shot(owner.page, "phone-01-first-account");
    await owner.signUp("Olivia Owner", "olivia@acme.test");
    await owner.expectHeading("Name your workspace");
    await shot(owner.page, "phone-02-name-workspace");
    await owner.createWorkspace("Acme Bakery");
    await shot(owner.page, "phone-03-home");

    await owner.goToTeam();
    await owner.invite("victor@acme.test", "viewer");
    await shot(owner.page, "phone-04-team-invited");
    const link = await owner.copyInvitationLink();
    expect(link).toMatch(new RegExp(`^${env.server().url}/app/invite/[0-9a-f-]{36}$`));

    const viewer = new AppPage(await (await newContext(env.browser(), env.server().url)).newPage());
    await viewer.page.goto(link);
    await viewer.expectHeading("Join Acme Bakery");
    await shot(viewer.page, "phone-05-invitation");
    await viewer.page.getByRole("link", { name: "Create my account" }).click();
    await viewer.expectHeading("Create your account");
    expect(await viewer.page.getByLabel("Email").inputValue()).toBe("victor@acme.test");
    await viewer.signUp("Victor Viewer", "victor@acme.test");
    await viewer.expectHeading("Join Acme Bakery");
    await viewer.page.getByRole("button", { name: /Accept and open/ }).click();
    await viewer.expectHeading("Acme Bakery");
    await shot(viewer.page, "phone-06-viewer-home");

    await viewer.goToTeam();
    await viewer.page.getByText("Olivia Owner").waitFor();
    expect(await viewer.page.getByRole("button", { name: "Send invitation" }).count()).toBe(0);
    expect(await viewer.page.getByRole("button", { name: "Remove" }).count()).toBe(0);
    await shot(viewer.page, "phone-07-viewer-team");

    const slug = new URL(viewer.page.url()).pathname.split("/")[3];
    await viewer.page.goto(`/app/w/${slug}/settings`);
    await viewer.expectHeading("You need the owner role");
    await shot(viewer.page, "phone-08-viewer-needs-owner");

    await owner.page.reload();
    await owner.page.getByText("victor@acme.test", { exact: true }).waitFor();
    await shot(owner.page, "phone-09-owner-sees-member");

    await owner.page.emulateMedia({ colorScheme: "dark" });
    await owner.page
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: "Home" })
      .click();
    await owner.expectHeading("Acme Bakery");
    await shot(owner.page, "phone-10-dark-home");
  });

  it("shows the main screens at desktop size", async () => {
    const page = await (await newContext(env.browser(), env.server().url, DESKTOP)).newPage();
    const app = new AppPage(page);
    await app.open("/app/sign-in");
    await shot(page, "desktop-01-sign-in");
    await page.getByLabel("Email").fill("olivia@acme.test");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await app.expectHeading("Acme Bakery");
    await shot(page, "desktop-02-home");
    await app.goToTeam();
    await shot(page, "desktop-03-team");
    await page.goto("/app/account");
    await app.expectHeading("Olivia Owner");
    await shot(page, "desktop-04-account");
  });
});
