/** A role on a platform, most powerful first in every list. */
export interface RoleDef {
  name: string;
  /** Other names people use for it (older labels, API values); matched case-insensitively. */
  aliases?: string[];
  /** Admin-level: can manage who has access. */
  admin?: boolean;
  /** An account-level role that reaches every asset in the account without assignment. */
  reachesAllAssets?: boolean;
  /** Holds ownership (can transfer or delete the account), not just access. */
  owner?: boolean;
  summary: string;
}

export interface AssetTypeDef {
  key: string;
  name: string;
  roles: RoleDef[];
}

export const ACCESS_ACTIONS = [
  "invite",
  "remove",
  "change-role",
  "add-partner",
  "remove-partner",
  "transfer-ownership",
  "request-access",
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

export interface PlatformDef {
  key: string;
  name: string;
  /** What one account (container) is called on this platform. */
  container: string;
  accountRoles: RoleDef[];
  assetTypes: AssetTypeDef[];
  partner: { name: string } | null;
  /** Days a platform invitation stays valid, where the platform documents it; null = unknown. */
  invitationLifetimeDays: number | null;
  /**
   * Non-human accounts for API tools whose tokens keep working after the person who set them up
   * leaves, until someone revokes them (Meta's system users), and the guide about them.
   */
  systemUsers?: { guide: string };
  /** Guide refs (platform/slug) for each access action, where a guide exists. */
  guides: Partial<Record<AccessAction, string>>;
  custom?: boolean;
}
