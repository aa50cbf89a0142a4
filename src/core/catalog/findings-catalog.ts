import type { FindingsCatalog } from "../findings/rules.ts";
import { getPlatform, isAdminLevel } from "./index.ts";

/** The built-in catalog as the finding rules see it; custom platforms count admin/owner roles. */
export const findingsCatalog: FindingsCatalog = {
  isAdminLevel: (platform, role) => {
    const p = getPlatform(platform);
    return p ? isAdminLevel(p, "account", role) : /^(admin|owner)$/i.test(role.trim());
  },
  invitationLifetimeDays: (platform) => getPlatform(platform)?.invitationLifetimeDays ?? null,
  hasPartnerMechanism: (platform) => getPlatform(platform)?.partner != null,
  platformName: (platform) => getPlatform(platform)?.name ?? platform,
  systemUsers: (platform) => getPlatform(platform)?.systemUsers ?? null,
  guide: (platform, action) => getPlatform(platform)?.guides[action] ?? null,
};
