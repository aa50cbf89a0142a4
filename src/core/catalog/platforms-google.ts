import type { PlatformDef } from "./types.ts";

export const YOUTUBE: PlatformDef = {
  key: "youtube",
  name: "YouTube",
  container: "Channel (Brand Account)",
  accountRoles: [
    {
      name: "Primary owner",
      aliases: ["primary"],
      admin: true,
      owner: true,
      reachesAllAssets: true,
      summary: "The Brand Account's primary owner: the only one who can transfer or delete the channel",
    },
    {
      name: "Owner",
      aliases: ["brand account owner"],
      admin: true,
      owner: true,
      reachesAllAssets: true,
      summary: "Owns the Brand Account; manages owners and managers",
    },
    {
      name: "Manager",
      aliases: ["brand account manager", "channel manager"],
      admin: true,
      reachesAllAssets: true,
      summary: "Manages permissions; cannot delete the channel",
    },
    { name: "Editor", summary: "Edits and publishes; cannot manage permissions" },
    { name: "Editor (limited)", aliases: ["limited editor"], summary: "Edits without seeing revenue" },
    { name: "Subtitle editor", aliases: ["subtitles"], summary: "Edits subtitles only" },
    { name: "Viewer", summary: "Sees the channel's data in Studio" },
    { name: "Viewer (limited)", aliases: ["limited viewer"], summary: "Sees data without revenue" },
  ],
  assetTypes: [{ key: "channel", name: "Channel", roles: [] }],
  partner: null,
  invitationLifetimeDays: null,
  guides: {
    invite: "youtube/add-channel-user",
    remove: "youtube/remove-channel-user",
    "change-role": "youtube/two-layers-explained",
    "transfer-ownership": "youtube/transfer-ownership",
  },
};

export const GOOGLE_ADS: PlatformDef = {
  key: "google-ads",
  name: "Google Ads",
  container: "Google Ads account",
  accountRoles: [
    {
      name: "Admin",
      aliases: ["ADMIN", "administrative"],
      admin: true,
      reachesAllAssets: true,
      summary: "Invites, changes access levels, accepts and unlinks managers",
    },
    {
      name: "Standard",
      aliases: ["STANDARD"],
      reachesAllAssets: true,
      summary: "Edits campaigns and billing; cannot manage users",
    },
    {
      name: "Read-only",
      aliases: ["READ_ONLY", "read only"],
      reachesAllAssets: true,
      summary: "Sees the account",
    },
    { name: "Email-only", aliases: ["EMAIL_ONLY", "email only"], summary: "Receives emails and reports" },
    { name: "Billing", aliases: ["billing only"], summary: "Manages billing only" },
    {
      name: "Manager account",
      aliases: ["manager", "mcc", "linked manager"],
      admin: true,
      reachesAllAssets: true,
      summary: "A manager account (MCC) linked to this account",
    },
  ],
  assetTypes: [{ key: "conversion_action", name: "Conversion action", roles: [] }],
  partner: { name: "Manager account link (MCC)" },
  invitationLifetimeDays: 20,
  guides: {
    invite: "google-ads/add-user",
    remove: "google-ads/remove-user",
    "change-role": "google-ads/access-levels-explained",
    "add-partner": "google-ads/accept-manager-link",
    "remove-partner": "google-ads/unlink-manager-account",
    "transfer-ownership": "google-ads/transfer-ownership",
    "request-access": "google-ads/link-manager-account",
  },
};

const ga4Roles = [
  {
    name: "Administrator",
    aliases: ["admin", "predefinedRoles/admin"],
    admin: true,
    reachesAllAssets: true,
    summary: "Manages users and everything else",
  },
  {
    name: "Editor",
    aliases: ["predefinedRoles/editor"],
    reachesAllAssets: true,
    summary: "Edits settings and data",
  },
  {
    name: "Marketer",
    aliases: ["predefinedRoles/marketer"],
    reachesAllAssets: true,
    summary: "Edits audiences, conversions and attribution",
  },
  {
    name: "Analyst",
    aliases: ["predefinedRoles/analyst"],
    reachesAllAssets: true,
    summary: "Builds and shares reports",
  },
  {
    name: "Viewer",
    aliases: ["predefinedRoles/viewer", "read"],
    reachesAllAssets: true,
    summary: "Sees reports and settings",
  },
];

export const GOOGLE_ANALYTICS: PlatformDef = {
  key: "google-analytics",
  name: "Google Analytics 4",
  container: "Analytics account",
  accountRoles: ga4Roles,
  assetTypes: [
    { key: "property", name: "Property", roles: ga4Roles.map(({ reachesAllAssets: _r, ...r }) => r) },
  ],
  partner: null,
  invitationLifetimeDays: null,
  guides: {
    invite: "google-analytics/add-user",
    remove: "google-analytics/remove-user",
    "change-role": "google-analytics/roles-explained",
  },
};

export const GOOGLE_BUSINESS_PROFILE: PlatformDef = {
  key: "google-business-profile",
  name: "Google Business Profile",
  container: "Business Profile group",
  accountRoles: [
    {
      name: "Primary owner",
      aliases: ["PRIMARY_OWNER"],
      admin: true,
      owner: true,
      reachesAllAssets: true,
      summary: "Transfers primary ownership; manages everyone",
    },
    {
      name: "Owner",
      aliases: ["OWNER"],
      admin: true,
      owner: true,
      reachesAllAssets: true,
      summary: "Adds and removes users; manages the profile",
    },
    {
      name: "Manager",
      aliases: ["MANAGER"],
      reachesAllAssets: true,
      summary: "Edits the profile; cannot manage users",
    },
  ],
  assetTypes: [
    {
      key: "location",
      name: "Business location",
      roles: [
        {
          name: "Primary owner",
          aliases: ["PRIMARY_OWNER"],
          admin: true,
          owner: true,
          summary: "The profile's primary owner",
        },
        {
          name: "Owner",
          aliases: ["OWNER"],
          admin: true,
          owner: true,
          summary: "Manages users of the profile",
        },
        { name: "Manager", aliases: ["MANAGER"], summary: "Edits the profile" },
      ],
    },
  ],
  partner: null,
  invitationLifetimeDays: null,
  guides: {
    invite: "google-business-profile/add-user",
    remove: "google-business-profile/remove-user",
    "change-role": "google-business-profile/owners-and-managers",
    "transfer-ownership": "google-business-profile/transfer-primary-ownership",
  },
};
