import { GOOGLE_ADS, GOOGLE_ANALYTICS, GOOGLE_BUSINESS_PROFILE, YOUTUBE } from "./platforms-google.ts";
import { LINKEDIN, PINTEREST, SHOPIFY, X_ADS } from "./platforms-others.ts";
import { META, TIKTOK } from "./platforms-tiktok-meta.ts";
import type { PlatformDef, RoleDef } from "./types.ts";

export type { AccessAction, AssetTypeDef, PlatformDef, RoleDef } from "./types.ts";
export { ACCESS_ACTIONS } from "./types.ts";

/** The built-in catalog, in the order platforms are offered. */
export const PLATFORMS: readonly PlatformDef[] = [
  TIKTOK,
  META,
  YOUTUBE,
  GOOGLE_ADS,
  GOOGLE_ANALYTICS,
  GOOGLE_BUSINESS_PROFILE,
  SHOPIFY,
  LINKEDIN,
  PINTEREST,
  X_ADS,
];
const BY_KEY = new Map(PLATFORMS.map((p) => [p.key, p]));

export function getPlatform(key: string): PlatformDef | undefined {
  return BY_KEY.get(key);
}

export function isBuiltInPlatform(key: string): boolean {
  return BY_KEY.has(key);
}

/**
 * A workspace's own platform (a bank portal, a registrar): roles named "admin" or "owner"
 * count as admin-level and reach everything; it has no partner mechanism.
 */
export function customPlatform(key: string, name: string, roles: string[]): PlatformDef {
  return {
    key,
    name,
    container: "Account",
    custom: true,
    accountRoles: roles.map((r) => {
      const admin = /^(admin|owner)$/i.test(r.trim());
      return { name: r.trim(), admin, reachesAllAssets: admin, summary: admin ? "Admin-level" : "" };
    }),
    assetTypes: [],
    partner: null,
    invitationLifetimeDays: null,
    guides: {},
  };
}

/** The roles at one level: "account", or an asset type's key. */
export function rolesAt(platform: PlatformDef, level: string): RoleDef[] {
  if (level === "account") return platform.accountRoles;
  return platform.assetTypes.find((t) => t.key === level)?.roles ?? [];
}

export type RoleResolution = { ok: true; role: RoleDef } | { ok: false; valid: string[]; message: string };

/**
 * Find a role by its name or an alias, case-insensitively. Asset levels with no roles of their
 * own accept the account roles (access to them comes from the account).
 * @example resolveRole(getPlatform("meta")!, "account", "admin") // → Full control
 */
export function resolveRole(platform: PlatformDef, level: string, input: string): RoleResolution {
  if (level !== "account" && !platform.assetTypes.some((t) => t.key === level) && !platform.custom) {
    return {
      ok: false,
      valid: platform.assetTypes.map((t) => t.key),
      message: `${platform.name} has no asset type "${level}"; types: ${platform.assetTypes.map((t) => t.key).join(", ")}`,
    };
  }
  let roles = rolesAt(platform, level);
  if (roles.length === 0) roles = platform.accountRoles;
  const wanted = input.trim().toLowerCase();
  const role = roles.find(
    (r) => r.name.toLowerCase() === wanted || r.aliases?.some((a) => a.toLowerCase() === wanted),
  );
  if (role) return { ok: true, role };
  const valid = roles.map((r) => r.name);
  const where =
    level === "account"
      ? platform.name
      : `${platform.assetTypes.find((t) => t.key === level)?.name ?? level} on ${platform.name}`;
  return {
    ok: false,
    valid,
    message: `Unknown role '${input}' for ${where}; valid roles: ${valid.join(", ")}`,
  };
}

export function isAdminLevel(platform: PlatformDef, level: string, role: string): boolean {
  const r = resolveRole(platform, level, role);
  return r.ok && r.role.admin === true;
}

/** Whether an account-level role reaches every asset in the account without assignment. */
export function reachesAllAssets(platform: PlatformDef, role: string): boolean {
  const r = resolveRole(platform, "account", role);
  return r.ok && r.role.reachesAllAssets === true;
}

/** The index of a role in its level's list: lower is more powerful; -1 if unknown. */
export function rolePower(platform: PlatformDef, level: string, role: string): number {
  const r = resolveRole(platform, level, role);
  if (!r.ok) return -1;
  const list = rolesAt(platform, level).length ? rolesAt(platform, level) : platform.accountRoles;
  return list.indexOf(r.role);
}

/** The least powerful role at a level that still satisfies `need` (used to suggest least access). */
export function narrowestRole(
  platform: PlatformDef,
  level: string,
  need: (r: RoleDef) => boolean,
): RoleDef | undefined {
  const list = rolesAt(platform, level).length ? rolesAt(platform, level) : platform.accountRoles;
  return [...list].reverse().find(need);
}
