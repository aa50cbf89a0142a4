import type { SheetCatalog } from "../record/access-sheet.ts";
import { getPlatform, isBuiltInPlatform, resolveRole } from "./index.ts";

/** The built-in catalog as the access-sheet checker sees it. */
export const sheetCatalog: SheetCatalog = {
  isBuiltIn: isBuiltInPlatform,
  assetTypes: (platform) => getPlatform(platform)?.assetTypes.map((t) => t.key) ?? [],
  resolveRole: (platform, level, input) => {
    const p = getPlatform(platform);
    if (!p) return { role: input };
    const r = resolveRole(p, level, input);
    return r.ok ? { role: r.role.name } : { valid: r.valid };
  },
};
