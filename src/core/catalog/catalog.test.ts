import { describe, expect, it } from "vitest";
import {
  ACCESS_ACTIONS,
  customPlatform,
  getPlatform,
  isAdminLevel,
  narrowestRole,
  PLATFORMS,
  reachesAllAssets,
  resolveRole,
} from "./index.ts";

const platform = (key: string) => {
  const p = getPlatform(key);
  if (!p) throw new Error(key);
  return p;
};

describe("platform catalog", () => {
  it("has the ten built-in platforms with unique keys and roles at every level", () => {
    expect(PLATFORMS.map((p) => p.key)).toEqual([
      "tiktok",
      "meta",
      "youtube",
      "google-ads",
      "google-analytics",
      "google-business-profile",
      "shopify",
      "linkedin",
      "pinterest",
      "x-ads",
    ]);
    for (const p of PLATFORMS) {
      expect(p.accountRoles.length, p.key).toBeGreaterThan(0);
      expect(
        p.accountRoles.some((r) => r.admin),
        `${p.key} has an admin-level role`,
      ).toBe(true);
      const names = p.accountRoles.map((r) => r.name.toLowerCase());
      expect(new Set(names).size, `${p.key} role names are unique`).toBe(names.length);
    }
  });

  it("knows Google Ads invitations last 20 days and does not guess the others", () => {
    expect(platform("google-ads").invitationLifetimeDays).toBe(20);
    expect(platform("tiktok").invitationLifetimeDays).toBeNull();
    expect(platform("meta").invitationLifetimeDays).toBeNull();
  });

  it("resolves aliases case-insensitively: Meta 'admin' is Full control, 'employee' is Partial access", () => {
    expect(resolveRole(platform("meta"), "account", "ADMIN")).toMatchObject({
      ok: true,
      role: { name: "Full control" },
    });
    expect(resolveRole(platform("meta"), "account", "employee")).toMatchObject({
      ok: true,
      role: { name: "Partial access" },
    });
    expect(resolveRole(platform("tiktok"), "ad_account", "operator")).toMatchObject({
      ok: true,
      role: { name: "Operator" },
    });
    expect(resolveRole(platform("google-ads"), "account", "READ_ONLY")).toMatchObject({
      ok: true,
      role: { name: "Read-only" },
    });
  });

  it("an unknown role lists the valid ones", () => {
    const r = resolveRole(platform("tiktok"), "account", "boss");
    expect(r).toEqual({
      ok: false,
      valid: ["Admin", "Standard"],
      message: "Unknown role 'boss' for TikTok Business Center; valid roles: Admin, Standard",
    });
  });

  it("TikTok: Operator is an asset role, not a Business Center role", () => {
    expect(resolveRole(platform("tiktok"), "account", "Operator").ok).toBe(false);
  });

  it("says which roles are admin-level and which reach every asset", () => {
    expect(isAdminLevel(platform("tiktok"), "account", "Admin")).toBe(true);
    expect(isAdminLevel(platform("tiktok"), "account", "Standard")).toBe(false);
    expect(reachesAllAssets(platform("tiktok"), "Standard")).toBe(false);
    expect(reachesAllAssets(platform("meta"), "Full control")).toBe(true);
    expect(isAdminLevel(platform("youtube"), "account", "Editor")).toBe(false);
    expect(isAdminLevel(platform("google-business-profile"), "account", "Primary owner")).toBe(true);
  });

  it("only Meta is known to have system users that outlive the person who set them up", () => {
    expect(PLATFORMS.filter((p) => p.systemUsers).map((p) => p.key)).toEqual(["meta"]);
  });

  it("custom platforms count roles named admin or owner as admin-level", () => {
    const bank = customPlatform("bank-portal", "Bank portal", ["Owner", "Viewer", "administrator"]);
    expect(isAdminLevel(bank, "account", "owner")).toBe(true);
    expect(isAdminLevel(bank, "account", "Viewer")).toBe(false);
    expect(isAdminLevel(bank, "account", "administrator")).toBe(false);
    expect(bank.partner).toBeNull();
  });

  it("suggests the narrowest role that does the job", () => {
    expect(narrowestRole(platform("tiktok"), "ad_account", (r) => r.name !== "Analyst")?.name).toBe(
      "Operator",
    );
  });

  it("names a guide for each action only with refs of the form platform/slug on its own platform or general", () => {
    for (const p of PLATFORMS) {
      for (const [action, ref] of Object.entries(p.guides)) {
        expect(ACCESS_ACTIONS).toContain(action);
        expect(ref, `${p.key} ${action}`).toMatch(new RegExp(`^(${p.key}|general)/[a-z0-9-]+$`));
      }
      if (p.systemUsers) expect(p.systemUsers.guide).toMatch(new RegExp(`^(${p.key}|general)/[a-z0-9-]+$`));
    }
  });
});
