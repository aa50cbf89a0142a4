import type { PlatformDef } from "./types.ts";

export const TIKTOK: PlatformDef = {
  key: "tiktok",
  name: "TikTok Business Center",
  container: "Business Center",
  accountRoles: [
    {
      name: "Admin",
      aliases: ["ADMIN", "administrator"],
      admin: true,
      reachesAllAssets: true,
      summary: "Manages members, partners and every asset",
    },
    {
      name: "Standard",
      aliases: ["STANDARD", "member", "employee"],
      summary: "Works only on the assets assigned to them",
    },
  ],
  assetTypes: [
    {
      key: "ad_account",
      name: "Ad account",
      roles: [
        {
          name: "Admin",
          aliases: ["ADMIN"],
          admin: true,
          summary: "Finance, settings, permissions and campaigns",
        },
        { name: "Operator", aliases: ["OPERATOR"], summary: "Creates and edits campaigns, sees data" },
        { name: "Analyst", aliases: ["ANALYST"], summary: "Sees data only" },
      ],
    },
    {
      key: "tiktok_account",
      name: "TikTok account",
      roles: [
        { name: "Post", aliases: ["POST"], summary: "Publishes posts" },
        { name: "Live", aliases: ["LIVE"], summary: "Runs LIVE sessions" },
        { name: "Direct message", aliases: ["DIRECT_MESSAGE", "dm"], summary: "Answers direct messages" },
      ],
    },
    {
      key: "pixel",
      name: "Pixel",
      roles: [
        { name: "Admin", admin: true, summary: "Manages the pixel" },
        { name: "Operator", summary: "Uses the pixel" },
      ],
    },
    {
      key: "catalog",
      name: "Catalog",
      roles: [
        { name: "Admin", aliases: ["ADMIN"], admin: true, summary: "Manages the catalog" },
        { name: "Ad promote", aliases: ["AD_PROMOTE"], summary: "Uses it in ads" },
      ],
    },
    {
      key: "lead_form_library",
      name: "Lead form library",
      roles: [
        { name: "Admin", admin: true, summary: "Manages lead forms" },
        { name: "Analyst", summary: "Reads leads" },
      ],
    },
    {
      key: "tiktok_shop",
      name: "TikTok Shop",
      roles: [{ name: "Ad promotion", aliases: ["AD_PROMOTION"], summary: "Promotes the shop in ads" }],
    },
  ],
  partner: { name: "Partner (another Business Center)" },
  invitationLifetimeDays: null,
  guides: {
    invite: "tiktok/add-member",
    remove: "tiktok/remove-member",
    "change-role": "tiktok/roles-explained",
    "add-partner": "tiktok/add-partner",
    "remove-partner": "tiktok/remove-partner",
    "request-access": "tiktok/request-business-center-access",
  },
};

const metaTasks = (what: string) => [
  {
    name: "Full control",
    aliases: ["admin", "manage", "MANAGE", "full"],
    admin: true,
    summary: `Everything on the ${what}, including who else has access`,
  },
  {
    name: "Partial access",
    aliases: [
      "partial",
      "ADVERTISE",
      "advertise",
      "ANALYZE",
      "analyze",
      "content",
      "messages",
      "community activity",
      "ads",
      "insights",
    ],
    summary: `Only the chosen tasks on the ${what} (content, messages, ads, insights…)`,
  },
];

export const META: PlatformDef = {
  key: "meta",
  name: "Meta Business portfolio",
  container: "Business portfolio",
  accountRoles: [
    {
      name: "Full control",
      aliases: ["admin", "business admin", "full"],
      admin: true,
      reachesAllAssets: true,
      summary: "Manages the portfolio, its people, partners and every asset",
    },
    {
      name: "Partial access",
      aliases: ["employee", "basic", "partial access - basic", "partial"],
      summary: "Works only on the assets and tasks assigned",
    },
    {
      name: "Apps and integrations",
      aliases: ["developer", "partial access - apps and integrations"],
      summary: "Manages apps and integrations only",
    },
    {
      name: "Financial access",
      aliases: ["finance", "financial"],
      summary: "Sees or edits payment and invoice details",
    },
  ],
  assetTypes: [
    { key: "page", name: "Facebook Page", roles: metaTasks("Page") },
    { key: "instagram_account", name: "Instagram account", roles: metaTasks("Instagram account") },
    { key: "ad_account", name: "Ad account", roles: metaTasks("ad account") },
    { key: "pixel", name: "Pixel (dataset)", roles: metaTasks("pixel") },
    { key: "catalog", name: "Catalog", roles: metaTasks("catalog") },
  ],
  partner: { name: "Partner (another Business portfolio, by its ID)" },
  systemUsers: { guide: "meta/system-users" },
  invitationLifetimeDays: null,
  guides: {
    invite: "meta/add-person",
    remove: "meta/remove-person",
    "change-role": "meta/full-control-vs-partial-access",
    "add-partner": "meta/add-partner",
    "remove-partner": "meta/remove-partner",
  },
};
