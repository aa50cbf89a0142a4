import type { PlatformDef } from "./types.ts";

export const SHOPIFY: PlatformDef = {
  key: "shopify",
  name: "Shopify",
  container: "Store",
  accountRoles: [
    {
      name: "Store owner",
      aliases: ["owner"],
      admin: true,
      owner: true,
      reachesAllAssets: true,
      summary: "Billing, plan and ownership transfer",
    },
    {
      name: "Staff (full permissions)",
      aliases: ["admin staff", "full staff"],
      admin: true,
      reachesAllAssets: true,
      summary: "A staff account with every permission, including staff management",
    },
    {
      name: "Staff",
      aliases: ["staff member", "REGULAR"],
      summary: "Only the areas their permissions allow",
    },
    {
      name: "Collaborator",
      aliases: ["COLLABORATOR", "collaborator account"],
      summary: "A partner's account with the permissions the merchant approved",
    },
  ],
  assetTypes: [],
  partner: { name: "Collaborator account (from a Shopify Partner organization)" },
  invitationLifetimeDays: null,
  guides: {
    invite: "shopify/add-staff",
    remove: "shopify/remove-or-suspend-staff",
    "change-role": "shopify/staff-and-collaborators",
    "add-partner": "shopify/approve-collaborator-request",
    "transfer-ownership": "shopify/transfer-store-ownership",
  },
};

export const LINKEDIN: PlatformDef = {
  key: "linkedin",
  name: "LinkedIn",
  container: "Business Manager",
  accountRoles: [
    {
      name: "Admin",
      aliases: ["business manager admin"],
      admin: true,
      reachesAllAssets: true,
      summary: "Manages the Business Manager, its people and partners",
    },
    { name: "Employee", aliases: ["member"], summary: "Works on the ad accounts and Pages assigned" },
  ],
  assetTypes: [
    {
      key: "ad_account",
      name: "Ad account",
      roles: [
        {
          name: "Billing admin",
          aliases: ["BILLING_ADMIN"],
          admin: true,
          summary: "Owns billing; every ad account has one",
        },
        {
          name: "Account manager",
          aliases: ["ACCOUNT_MANAGER"],
          admin: true,
          summary: "Manages the account and its users",
        },
        { name: "Campaign manager", aliases: ["CAMPAIGN_MANAGER"], summary: "Creates and runs campaigns" },
        { name: "Creative manager", aliases: ["CREATIVE_MANAGER"], summary: "Creates and edits ads" },
        { name: "Viewer", aliases: ["VIEWER"], summary: "Sees campaigns and reports" },
      ],
    },
    {
      key: "page",
      name: "LinkedIn Page",
      roles: [
        { name: "Super admin", admin: true, summary: "Manages the Page and its admins" },
        { name: "Content admin", summary: "Posts as the Page" },
        { name: "Analyst", summary: "Sees analytics" },
      ],
    },
  ],
  partner: { name: "Partner (another Business Manager)" },
  invitationLifetimeDays: null,
  guides: {
    invite: "linkedin/add-ad-account-user",
    "change-role": "linkedin/ad-account-roles",
    "add-partner": "linkedin/share-with-partner",
  },
};

export const PINTEREST: PlatformDef = {
  key: "pinterest",
  name: "Pinterest Business",
  container: "Business Manager",
  accountRoles: [
    {
      name: "Manager",
      aliases: ["admin"],
      admin: true,
      reachesAllAssets: true,
      summary: "Manages people, partners and assets",
    },
    { name: "Employee", summary: "Works on the assets assigned" },
  ],
  assetTypes: [
    {
      key: "ad_account",
      name: "Ad account",
      roles: [
        { name: "Admin", admin: true, summary: "Everything on the ad account" },
        { name: "Finance", summary: "Billing" },
        { name: "Campaign", summary: "Campaigns" },
        { name: "Audience", summary: "Audiences" },
        { name: "Catalogs", summary: "Catalogs" },
        { name: "Analyst", summary: "Reports" },
      ],
    },
  ],
  partner: { name: "Partner business" },
  invitationLifetimeDays: null,
  guides: {},
};

export const X_ADS: PlatformDef = {
  key: "x-ads",
  name: "X Ads",
  container: "Ads account",
  accountRoles: [
    {
      name: "Account administrator",
      aliases: ["admin"],
      admin: true,
      reachesAllAssets: true,
      summary: "Manages the account and its users",
    },
    { name: "Ad manager", summary: "Runs campaigns" },
    { name: "Analyst", summary: "Sees reports" },
  ],
  assetTypes: [],
  partner: null,
  invitationLifetimeDays: null,
  guides: {},
};
