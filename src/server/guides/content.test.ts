import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGuides } from "./load.ts";

const CONTENT = join(import.meta.dirname, "../../../content/guides");

describe("the guide content", () => {
  it("is valid: every field present, every link resolves, every step says what confirms it", () => {
    const { guides, problems } = readGuides(CONTENT);
    expect(problems.map((p) => `${p.ref} ${p.field}: ${p.message}`)).toEqual([]);
    expect(guides.length).toBeGreaterThan(0);
  });

  it("gives every action guide at least one step and one mistake, and every understanding guide a roles table", () => {
    const { guides } = readGuides(CONTENT);
    for (const g of guides) {
      if (g.kind === "action") expect(g.steps.length && g.mistakes.length, g.ref).toBeTruthy();
      if (g.kind === "understanding") expect(g.roles.length, g.ref).toBeGreaterThan(0);
    }
  });
});

describe("the catalog and the guides agree", () => {
  it("every guide the platform catalog points to exists", async () => {
    const { PLATFORMS } = await import("../../core/catalog/index.ts");
    const { guides } = readGuides(CONTENT);
    const refs = new Set(guides.map((g) => g.ref));
    const missing = PLATFORMS.flatMap((p) =>
      [...Object.values(p.guides), ...(p.systemUsers ? [p.systemUsers.guide] : [])].filter(
        (r) => !refs.has(r),
      ),
    );
    expect(missing).toEqual([]);
  });

  it("every guide a finding rule names exists", () => {
    const rules = readFileSync(join(import.meta.dirname, "../../core/findings/rules.ts"), "utf8");
    const named = [...rules.matchAll(/"([a-z0-9-]+\/[a-z0-9-]+)"/g)].map((m) => m[1]);
    expect(named).toContain("general/move-recovery-to-the-business");
    const refs = new Set(readGuides(CONTENT).guides.map((g) => g.ref));
    expect(named.filter((r) => !refs.has(r!))).toEqual([]);
  });
});
