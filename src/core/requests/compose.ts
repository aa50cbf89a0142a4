import type { PlatformDef } from "../catalog/index.ts";
import { addDays } from "../clock.ts";
import type { RequestStatus } from "./state.ts";
import { WAITING } from "./state.ts";

/** What the message composer needs to know, resolved from the record. */
export interface ComposeInput {
  direction: "outgoing" | "incoming";
  platform: PlatformDef;
  account: { name: string; platformId: string | null };
  assets: { name: string; typeName: string; platformId: string | null }[];
  role: string;
  method: "invite" | "partner";
  /** For an invitation: who it is for and the address it must go to. */
  invitee: { name: string; email: string | null } | null;
  /** For a partner connection: the partner account and its ID on the platform. */
  partner: { name: string; platformId: string | null } | null;
  contactName: string;
  senderName: string;
  senderOrganization: string;
  dueOn: string | null;
  /** The guide the admin follows, with its steps' titles, and its public address. */
  guide: { title: string; url: string; steps: string[] } | null;
}

export interface ComposedMessage {
  subject: string;
  text: string;
}

const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

function what(i: ComposeInput): string {
  const acct = `the ${i.platform.container} "${i.account.name}"${i.account.platformId ? ` (ID ${i.account.platformId})` : ""}`;
  if (i.assets.length === 0) return acct;
  const assets = i.assets.map(
    (a) => `${a.typeName.toLowerCase()} "${a.name}"${a.platformId ? ` (ID ${a.platformId})` : ""}`,
  );
  return `${list(assets)} in ${acct}`;
}

/**
 * The message for the admin who has to grant the access: exactly which account and assets, which
 * role, to whom, and the platform's steps (from the guide for that action). Plain text, so it can be
 * copied, shared from a phone or emailed as it is.
 */
export function composeRequestMessage(i: ComposeInput): ComposedMessage {
  const lines: string[] = [];
  lines.push(`Hi ${i.contactName},`, "");
  const target = what(i);
  if (i.method === "partner") {
    const p = i.partner;
    const pid = p?.platformId ? ` ID ${p.platformId}` : "";
    lines.push(
      `Could you connect ${p ? `"${p.name}"` : "our account"}${pid} as a partner on ${i.platform.name} and share ${target} with it, with the role "${i.role}"?`,
    );
    if (i.platform.key === "tiktok")
      lines.push(
        "",
        `On TikTok this is a partner connection between Business Centers: you add our Business Center by its ID${p?.platformId ? ` (${p.platformId})` : ""}, then choose which assets to share and at which permission. No one needs your password, and you can remove the partner at any time.`,
      );
    else if (i.platform.key === "meta")
      lines.push(
        "",
        `On Meta you add a partner by its Business portfolio ID${p?.platformId ? ` (${p.platformId})` : ""} and share only the assets listed above, with full control or partial access. Our own team then assigns the right people on our side, so you never have to manage them one by one.`,
      );
    else if (i.platform.partner) lines.push("", `${i.platform.name} calls this: ${i.platform.partner.name}.`);
  } else {
    const who = i.invitee
      ? `${i.invitee.name}${i.invitee.email ? ` (${i.invitee.email})` : ""}`
      : "our team member";
    lines.push(`Could you invite ${who} to ${target}, with the role "${i.role}"?`);
    if (i.invitee?.email)
      lines.push(
        "",
        `Please send the invitation to ${i.invitee.email} exactly: an invitation to another address cannot be accepted.`,
      );
    if (i.platform.invitationLifetimeDays)
      lines.push(
        `${i.platform.name} invitations run out after ${i.platform.invitationLifetimeDays} days, so we will accept it as soon as it arrives.`,
      );
  }
  if (i.guide && i.guide.steps.length > 0) {
    lines.push("", `The steps (${i.guide.title}):`);
    i.guide.steps.forEach((s, n) => {
      lines.push(`${n + 1}. ${s}`);
    });
    lines.push(`Where to click, step by step: ${i.guide.url}`);
  } else if (i.guide) {
    lines.push("", `Step-by-step guide: ${i.guide.url}`);
  }
  lines.push(
    "",
    `The role "${i.role}" is the narrowest one that does the job; please do not give more than that.`,
  );
  if (i.dueOn) lines.push(`We would need it by ${i.dueOn}.`);
  lines.push("", "Thank you,", `${i.senderName}, ${i.senderOrganization}`);
  const subject =
    i.direction === "outgoing"
      ? `Access request: ${i.platform.name}, ${i.account.name}`
      : `Please grant access: ${i.platform.name}, ${i.account.name}`;
  return { subject, text: lines.join("\n") };
}

/** Something the scheduler must do for a request, once, on or after its day. */
export interface RequestEvent {
  key: string;
  kind: "reminder" | "escalation" | "expiry-warning" | "expire" | "overdue";
  day: string;
  /** For reminders: the day number after sending. */
  step?: number;
}

export interface RequestTiming {
  id: string;
  status: RequestStatus;
  sentOn: string | null;
  invitedOn: string | null;
  dueOn: string | null;
  reminderDays: number[];
  hasEscalation: boolean;
}

/** Warn this many days before a platform invitation runs out. */
export const EXPIRY_WARNING_DAYS = 3;

/** When the platform invitation runs out: `invitedOn` plus the platform's lifetime, if known. */
export function invitationExpiresOn(invitedOn: string | null, lifetimeDays: number | null): string | null {
  return invitedOn && lifetimeDays ? addDays(invitedOn, lifetimeDays) : null;
}

/**
 * Everything due for a request by `today`, each with a stable key so it happens exactly once:
 * reminders after sending (the last one escalates when there is a second contact), a warning
 * before a platform invitation runs out, expiry after, and the due date passing.
 */
export function requestEvents(r: RequestTiming, lifetimeDays: number | null, today: string): RequestEvent[] {
  const out: RequestEvent[] = [];
  if (WAITING.includes(r.status) && r.sentOn) {
    const days = [...r.reminderDays].sort((a, b) => a - b);
    days.forEach((d, i) => {
      const day = addDays(r.sentOn!, d);
      if (day > today) return;
      const escalate = r.hasEscalation && i === days.length - 1;
      out.push({
        key: `request:${r.id}:${escalate ? "escalation" : "reminder"}:${r.sentOn}+${d}`,
        kind: escalate ? "escalation" : "reminder",
        day,
        step: d,
      });
    });
  }
  const expires = invitationExpiresOn(r.invitedOn, lifetimeDays);
  if (r.status === "invited" && expires) {
    const warn = addDays(expires, -EXPIRY_WARNING_DAYS);
    if (warn <= today && expires >= today)
      out.push({ key: `request:${r.id}:expiry-warning:${r.invitedOn}`, kind: "expiry-warning", day: warn });
    if (expires < today)
      out.push({ key: `request:${r.id}:expire:${r.invitedOn}`, kind: "expire", day: addDays(expires, 1) });
  }
  if (r.dueOn && r.dueOn < today && !["verified", "declined", "withdrawn", "draft"].includes(r.status))
    out.push({ key: `request:${r.id}:overdue:${r.dueOn}`, kind: "overdue", day: addDays(r.dueOn, 1) });
  return out;
}

/** The next day a reminder will go out, if any. */
export function nextReminderOn(r: RequestTiming, today: string): string | null {
  if (!WAITING.includes(r.status) || !r.sentOn) return null;
  const next = [...r.reminderDays]
    .sort((a, b) => a - b)
    .map((d) => addDays(r.sentOn!, d))
    .find((d) => d > today);
  return next ?? null;
}
