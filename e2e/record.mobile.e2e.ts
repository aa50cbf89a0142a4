import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { newContext, serverAndBrowser, shot } from "./harness.ts";
import { AppPage } from "./pages/app.ts";

const env = serverAndBrowser();

async function nav(page: Page, section: string) {
  await new AppPage(page).goTo(section);
  await page.getByRole("heading", { level: 1, name: section }).waitFor();
}

async function addAccount(
  page: Page,
  platform: string,
  name: string,
  org: { name: string; kind: string } | string,
) {
  await nav(page, "Accounts");
  await page.getByRole("button", { name: "Add an account" }).click();
  const form = page.getByRole("form", { name: "Add an account" });
  await form.getByLabel("Platform", { exact: true }).selectOption(platform);
  await form.getByLabel("Account name", { exact: true }).fill(name);
  if (typeof org === "string")
    await form.getByLabel("Belongs to", { exact: true }).selectOption({ label: org });
  else {
    await form.getByLabel("Belongs to", { exact: true }).selectOption("__new");
    await form.getByLabel("Organization name", { exact: true }).fill(org.name);
    await form.getByLabel("Kind", { exact: true }).selectOption(org.kind);
  }
  await form.getByRole("button", { name: "Add account" }).click();
  await page.getByRole("link", { name }).waitFor();
}

async function openAccount(page: Page, name: string) {
  await nav(page, "Accounts");
  await page.getByRole("link", { name }).click();
  await page.getByRole("heading", { level: 2, name }).waitFor();
}

describe("the Record on a phone", () => {
  it("records a client's Business Center, its ad account, an agency partner and an agency person, then shows the path in who-can-reach", async () => {
    const page = await (await newContext(env.browser(), env.server().url)).newPage();
    const app = new AppPage(page);
    await app.open();
    await app.signUp("Olivia Owner", "olivia@agency.test");
    await app.createWorkspace("Bright Agency");

    await addAccount(page, "tiktok", "Client BC", { name: "Client Co", kind: "client" });
    await shot(page, "phone-record-01-accounts");
    await openAccount(page, "Client BC");
    await page.getByRole("button", { name: "Add an asset" }).click();
    const assetForm = page.getByRole("form", { name: "Add an asset" });
    await assetForm.getByLabel("Asset type", { exact: true }).selectOption("ad_account");
    await assetForm.getByLabel("Asset name", { exact: true }).fill("Client ads");
    await assetForm.getByRole("button", { name: "Add asset" }).click();
    await page.getByText("Who can reach Client ads?").waitFor();

    await addAccount(page, "tiktok", "Agency BC", { name: "Bright Agency Ltd", kind: "agency" });
    await nav(page, "People");
    await page.getByRole("button", { name: "Add a person" }).click();
    const personForm = page.getByRole("form", { name: "Add a person" });
    await personForm.getByLabel("Name", { exact: true }).fill("Jane Designer");
    await personForm.getByLabel("Email", { exact: true }).fill("jane@agency.test");
    await personForm.getByLabel("Organization", { exact: true }).selectOption({ label: "Bright Agency Ltd" });
    await personForm.getByRole("button", { name: "Add person" }).click();
    await page.getByRole("link", { name: "Jane Designer" }).waitFor();
    await shot(page, "phone-record-02-people");

    await page.getByRole("link", { name: "Search the record" }).click();
    await page.getByRole("searchbox", { name: "Search the record" }).fill("jane@agency");
    await page.getByRole("list", { name: "Results" }).getByRole("link", { name: "Jane Designer" }).waitFor();
    await shot(page, "phone-record-02b-search");

    // The client's BC shares its ad account with the agency's BC as a partner.
    await openAccount(page, "Client BC");
    await page.getByRole("button", { name: "Record access" }).click();
    let form = page.getByRole("form", { name: "Record access" });
    await form.getByLabel("Who", { exact: true }).selectOption("partner");
    await form.getByLabel("Partner account", { exact: true }).selectOption({ label: "Agency BC" });
    await form.getByLabel("On", { exact: true }).selectOption({ label: "Client ads" });
    await form.getByLabel("Role", { exact: true }).selectOption("Operator");
    await form.getByRole("button", { name: "Record access" }).click();
    await page.getByText("Agency BC (partner)").first().waitFor();
    await shot(page, "phone-record-03-partner");

    // Inside the agency's BC, Jane is assigned to the shared ad account.
    await openAccount(page, "Agency BC");
    await page.getByRole("button", { name: "Record access" }).click();
    form = page.getByRole("form", { name: "Record access" });
    await form
      .getByLabel("Person", { exact: true })
      .selectOption({ label: "Jane Designer (jane@agency.test)" });
    await form
      .getByLabel("On", { exact: true })
      .selectOption({ label: "Client ads (shared with this account)" });
    await form.getByLabel("Role", { exact: true }).selectOption("Analyst");
    await form.getByRole("button", { name: "Record access" }).click();
    await page.getByRole("button", { name: "Record access" }).waitFor();

    await openAccount(page, "Client BC");
    await page.getByText("Who can reach Client ads?").click();
    const path = page.getByRole("list", { name: "Path for Jane Designer" });
    await path.waitFor();
    const text = ((await path.textContent()) ?? "").replace(/\s+/g, "");
    expect(text).toContain("JaneDesigner");
    expect(text).toContain("Analyst→AgencyBC");
    expect(text).toContain("Operator→Clientads");
    await shot(page, "phone-record-04-who-can-reach");

    await page.getByRole("link", { name: "See it on the access map →" }).click();
    await page.getByRole("heading", { level: 1, name: "Access map" }).waitFor();
    await page.getByLabel("Highlight a path").selectOption({ label: "Jane Designer as Operator" });
    const map = page.getByRole("img", { name: /Access map with \d+ items/ });
    await map.waitFor();
    expect(await map.getAttribute("aria-label")).toBe("Access map with 3 items and 2 connections");
    await page.locator(".react-flow__edge.animated").first().waitFor();
    expect(await page.locator(".react-flow__edge.animated").count()).toBe(2);
    await shot(page, "phone-record-04b-access-map");

    await nav(page, "People");
    await page.getByRole("link", { name: "Jane Designer" }).click();
    await page.getByRole("heading", { level: 2, name: /Jane Designer/ }).waitFor();
    await page.getByRole("list", { name: "Path for Client ads" }).waitFor();
    await shot(page, "phone-record-05-person-reach");

    // Editing: Jane leaves (the person's details), her role in Agency BC is revoked (the grant).
    await page.getByRole("button", { name: "Change details" }).click();
    const editPerson = page.getByRole("form", { name: "Change this person" });
    await editPerson.getByLabel("Status").selectOption("departed");
    await editPerson.getByLabel("Left on").fill("2026-11-20");
    await editPerson.getByRole("button", { name: "Save" }).click();
    await page.getByText("departed 2026-11-20").waitFor();
    await openAccount(page, "Agency BC");
    const row = page
      .getByRole("region", { name: "Assigned to assets shared with this account" })
      .getByRole("listitem", { name: "Jane Designer: Analyst" });
    await row.getByRole("button", { name: "Change" }).click();
    const grantForm = page.getByRole("form", { name: "Change this access" });
    await grantForm.getByLabel("Status").selectOption("revoked");
    await shot(page, "phone-record-06-edit-grant");
    await grantForm.getByRole("button", { name: "Save" }).click();
    await row.getByText("revoked", { exact: true }).waitFor();

    // A shared login, recorded by name with who knows it.
    await nav(page, "People");
    await page.getByRole("button", { name: "Record a shared login" }).click();
    const loginForm = page.getByRole("form", { name: "Record a shared login" });
    await loginForm.getByLabel("Label").fill("Client Instagram login");
    await loginForm.getByRole("checkbox", { name: /Jane Designer/ }).check();
    await loginForm.getByRole("button", { name: "Record the shared login" }).click();
    await page.getByText("Known by Jane Designer").waitFor();
    await page.getByRole("button", { name: "Add an organization" }).click();
    const orgForm = page.getByRole("form", { name: "Add an organization" });
    await orgForm.getByLabel("Name").fill("Northwind Freelance");
    await orgForm.getByLabel("What it is to you").selectOption("vendor");
    await orgForm.getByRole("button", { name: "Add the organization" }).click();
    await page.getByText("A vendor or contractor · 0 accounts · 0 people").waitFor();
    await shot(page, "phone-record-07-people-orgs-logins");

    // A system user Jane set up in the client's Meta portfolio: her leaving shows on Home.
    await addAccount(page, "meta", "Client portfolio", "Client Co");
    await openAccount(page, "Client portfolio");
    await page.getByRole("button", { name: "Record access" }).click();
    form = page.getByRole("form", { name: "Record access" });
    await form.getByLabel("Who", { exact: true }).selectOption("system_user");
    await form.getByLabel("System user name", { exact: true }).fill("Reporting tool");
    await form.getByLabel("Set up by (a name or email)", { exact: true }).fill("jane@agency.test");
    await form.getByLabel("Role", { exact: true }).selectOption("Full control");
    await shot(page, "phone-record-08-system-user");
    await form.getByRole("button", { name: "Record access" }).click();
    await page.getByRole("button", { name: "Record access" }).waitFor();
    await app.goTo("Home");
    const finding = page.getByRole("article", { name: "A system user set up by someone who left" });
    await finding.waitFor();
    expect(await finding.textContent()).toContain('"Reporting tool" on Client portfolio');
  });
});
