import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";

/** Page model of the Record app: role-based locators, one method per thing a person does. */
export class AppPage {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  /** Sign up as Olivia, create "Bright Agency" and import the sample agency sheet; the workspace slug. */
  async startWithDemo(): Promise<string> {
    await this.open();
    await this.signUp("Olivia Ortiz", "olivia@bright.example");
    await this.createWorkspace("Bright Agency");
    const slug = new URL(this.page.url()).pathname.split("/")[3]!;
    await this.page.goto(`/app/w/${slug}/import`);
    await this.page
      .getByLabel("File")
      .setInputFiles(join(import.meta.dirname, "../../content/demo/agency-sheet.csv"));
    await this.page.getByRole("button", { name: "Preview" }).click();
    await this.page.getByRole("button", { name: /^Import / }).click();
    await this.page.getByText(/Imported 17 rows/).waitFor();
    return slug;
  }

  async open(path = "/app") {
    await this.page.goto(path);
  }

  async signUp(name: string, email: string, password = "correct horse battery") {
    await this.page.getByLabel("Your name").fill(name);
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Create account" }).click();
  }

  async createWorkspace(name: string) {
    await this.page.getByRole("heading", { name: "Name your workspace" }).waitFor();
    await this.page.getByLabel("Workspace name").fill(name);
    await this.page.getByRole("button", { name: "Create workspace" }).click();
    await this.page.getByRole("heading", { level: 1, name }).waitFor();
  }

  /** A section: from the tab bar on a phone (through "More" when it is not there), the side bar on a desktop. */
  async goTo(section: string) {
    const navs = this.page.getByRole("navigation", { name: "Sections" });
    const visible = navs.getByRole("link", { name: section, exact: true }).filter({ visible: true });
    if ((await visible.count()) > 0) await visible.first().click();
    else {
      await navs.getByRole("link", { name: "More", exact: true }).filter({ visible: true }).click();
      await this.page.getByRole("link", { name: new RegExp(`^${section}`) }).click();
    }
  }

  async goToTeam() {
    await this.goTo("Team");
    await this.page.getByRole("heading", { level: 1, name: "Team" }).waitFor();
  }

  async invite(email: string, role: string) {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Role", { exact: true }).selectOption(role);
    await this.page.getByRole("button", { name: "Send invitation" }).click();
    await this.page.getByText(`Invitation for ${email} created`).waitFor();
  }

  async copyInvitationLink(): Promise<string> {
    await this.page.getByRole("button", { name: "Copy invitation link" }).first().click();
    await this.page.getByRole("button", { name: "Copied" }).waitFor();
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  async expectHeading(name: string | RegExp) {
    await this.page.getByRole("heading", { level: 1, name }).waitFor();
    expect(await this.page.getByRole("heading", { level: 1, name }).isVisible()).toBe(true);
  }
}
