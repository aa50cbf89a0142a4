import { z } from "zod";
import { REQUEST_STATUSES } from "./state.ts";

const id = z.string().min(1).max(64);
const day = z.iso.date("Use the date format YYYY-MM-DD");
const name = (what: string) =>
  z.string().trim().min(1, `Enter the ${what}`).max(120, "Use at most 120 characters");
const email = z
  .email("Enter a valid email address")
  .max(254)
  .transform((e) => e.toLowerCase());

export const REQUEST_DIRECTIONS = ["outgoing", "incoming"] as const;
export const REQUEST_METHODS = ["invite", "partner"] as const;

/** Who receives the access: one of our people (invited by email) or a partner account. */
export const RequestSubject = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("person"), personId: id }),
  z.strictObject({ type: z.literal("partner"), accountId: id }),
]);

export const RequestInput = z
  .strictObject({
    direction: z
      .enum(REQUEST_DIRECTIONS, { error: "Choose outgoing (we ask) or incoming (they ask us)" })
      .describe(
        "outgoing: we ask for access into someone's account; incoming: someone asks for access to ours",
      ),
    title: z.string().trim().max(160).nullable().default(null),
    accountId: id,
    assetIds: z.array(id).max(200).default([]),
    role: z.string().trim().min(1, "Choose the role wanted").max(80),
    subject: RequestSubject,
    inviteEmail: email.nullable().default(null).describe("the address the invitation must go to"),
    contactName: name("name of the admin who will grant it"),
    contactEmail: email.nullable().default(null),
    escalationName: z.string().trim().max(120).nullable().default(null),
    escalationEmail: email.nullable().default(null),
    emailContact: z
      .boolean()
      .default(false)
      .describe("send the request and its reminders to the contact by email"),
    dueOn: day.nullable().default(null),
    reminderDays: z
      .array(z.number().int().min(1).max(90))
      .max(6)
      .default([3, 7, 14])
      .describe("days after sending on which to remind; the last one escalates"),
    notes: z.string().max(2000).nullable().default(null),
  })
  .superRefine((r, ctx) => {
    if (r.emailContact && !r.contactEmail)
      ctx.addIssue({ code: "custom", path: ["contactEmail"], message: "needed to email the contact" });
    const sorted = [...r.reminderDays].sort((a, b) => a - b);
    if (new Set(sorted).size !== sorted.length)
      ctx.addIssue({ code: "custom", path: ["reminderDays"], message: "each day only once" });
  });
export type RequestInput = z.infer<typeof RequestInput>;

export const RequestMove = z.strictObject({
  status: z.enum(REQUEST_STATUSES, { error: `Choose one of: ${REQUEST_STATUSES.join(", ")}` }),
  on: day.nullable().default(null).describe("the day it happened; today by default"),
  note: z.string().trim().max(500).nullable().default(null),
});
export type RequestMove = z.infer<typeof RequestMove>;

export const RequestView = z.object({
  id,
  direction: z.enum(REQUEST_DIRECTIONS),
  title: z.string(),
  platform: z.string(),
  accountId: id,
  assetIds: z.array(id),
  role: z.string(),
  method: z.enum(REQUEST_METHODS),
  subject: RequestSubject,
  inviteEmail: z.string().nullable(),
  contactName: z.string(),
  contactEmail: z.string().nullable(),
  escalationName: z.string().nullable(),
  escalationEmail: z.string().nullable(),
  emailContact: z.boolean(),
  dueOn: z.string().nullable(),
  status: z.enum(REQUEST_STATUSES),
  reminderDays: z.array(z.number()),
  sentOn: z.string().nullable(),
  invitedOn: z.string().nullable(),
  acceptedOn: z.string().nullable(),
  verifiedOn: z.string().nullable(),
  closedOn: z.string().nullable(),
  statusNote: z.string().nullable(),
  grantIds: z.array(id),
  ownerUserId: z.string().nullable(),
  notes: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Derived: when the platform invitation runs out, where its lifetime is known. */
  invitationExpiresOn: z.string().nullable(),
  nextReminderOn: z.string().nullable(),
});
export type RequestView = z.infer<typeof RequestView>;
