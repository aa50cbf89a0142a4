import { z } from "zod";

/** A guide reference: `platform/slug`. */
export const GuideRef = z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, "a guide reference is platform/slug");

const md = z.string().trim().min(1);
const common = {
  title: z.string().trim().min(5).max(80),
  summary: z.string().trim().min(10).max(240),
  platform: z.string(),
  related: z.array(GuideRef).default([]),
  faq: z.array(z.strictObject({ q: md, a: md })).default([]),
  sources: z.array(z.url()).min(1, "name at least one source"),
  last_reviewed: z.iso.date(),
  actions: z
    .array(
      z.enum([
        "invite",
        "remove",
        "change-role",
        "add-partner",
        "remove-partner",
        "transfer-ownership",
        "request-access",
      ]),
    )
    .default([]),
};

export const ActionGuide = z.strictObject({
  kind: z.literal("action"),
  ...common,
  situations: z.array(z.strictObject({ if: md, guide: GuideRef })).default([]),
  prerequisites: z.array(z.strictObject({ item: md, why: md, verify: md })).min(1),
  steps: z
    .array(
      z
        .strictObject({
          title: md,
          where: md,
          body: md,
          confirm: md.optional(),
          no_confirm_reason: md.optional(),
          if_fails: GuideRef.optional(),
        })
        .refine((s) => s.confirm || s.no_confirm_reason, {
          message: "each step says what confirms it worked (confirm) or why nothing does (no_confirm_reason)",
        }),
    )
    .min(1),
  mistakes: z.array(z.strictObject({ mistake: md, why: md, already_happened: GuideRef.optional() })).min(1),
});

export const TroubleshootingGuide = z.strictObject({
  kind: z.literal("troubleshooting"),
  ...common,
  symptom: md,
  causes: z.array(z.strictObject({ cause: md, fix: md })).min(1),
  escalate: md,
});

export const GovernanceGuide = z.strictObject({
  kind: z.literal("governance"),
  ...common,
  principles: z.array(z.strictObject({ principle: md, why: md })).min(1),
  review_cadence: md,
  goes_wrong: z.array(md).min(1),
  related_actions: z.array(GuideRef).min(1),
});

export const UnderstandingGuide = z.strictObject({
  kind: z.literal("understanding"),
  ...common,
  faq: z.array(z.strictObject({ q: md, a: md })).min(1, "understanding guides end with an FAQ"),
  roles: z
    .array(
      z.strictObject({
        caption: md,
        rows: z.array(z.strictObject({ role: md, where: md, can: md, cannot: md })).min(1),
      }),
    )
    .min(1),
});

export const GuideFrontMatter = z.discriminatedUnion("kind", [
  ActionGuide,
  TroubleshootingGuide,
  GovernanceGuide,
  UnderstandingGuide,
]);
export type GuideFrontMatter = z.infer<typeof GuideFrontMatter>;

/** A parsed guide: its front matter, Markdown body and where it lives. */
export type Guide = GuideFrontMatter & { ref: string; slug: string; body: string };

export const GUIDE_KINDS = ["action", "troubleshooting", "understanding", "governance"] as const;
export const KIND_LABELS: Record<(typeof GUIDE_KINDS)[number], string> = {
  action: "How to",
  troubleshooting: "When something goes wrong",
  understanding: "How it works",
  governance: "Good practice",
};

/** Guide platforms in the order of the home page, with their display names. */
export const GUIDE_PLATFORMS: { key: string; name: string; blurb: string }[] = [
  {
    key: "tiktok",
    name: "TikTok",
    blurb: "Business Center members, partners, ad accounts and TikTok accounts",
  },
  {
    key: "meta",
    name: "Meta (Facebook, Instagram)",
    blurb: "Business portfolio people, partners, Pages, Instagram and ad accounts",
  },
  { key: "youtube", name: "YouTube", blurb: "Channel permissions and Brand Account ownership" },
  { key: "google-ads", name: "Google Ads", blurb: "Access levels, invitations and manager accounts" },
  { key: "google-analytics", name: "Google Analytics", blurb: "GA4 roles at account and property level" },
  {
    key: "google-business-profile",
    name: "Google Business Profile",
    blurb: "Owners, managers and primary ownership",
  },
  { key: "shopify", name: "Shopify", blurb: "Staff, collaborators and store ownership" },
  { key: "linkedin", name: "LinkedIn", blurb: "Campaign Manager roles and Business Manager partners" },
  { key: "general", name: "Across platforms", blurb: "Leavers, agencies, reviews and never sharing a login" },
];
