import { AppError } from "../errors.ts";

/**
 * An access request's life. Waiting states (sent, invited, stuck) get reminders; verified,
 * declined and withdrawn are final; an expired request can be sent again.
 */
export const REQUEST_STATUSES = [
  "draft",
  "sent",
  "invited",
  "accepted",
  "verified",
  "stuck",
  "declined",
  "expired",
  "withdrawn",
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  draft: ["sent", "withdrawn"],
  sent: ["invited", "accepted", "stuck", "declined", "withdrawn"],
  invited: ["accepted", "stuck", "declined", "expired", "withdrawn"],
  accepted: ["verified", "stuck", "withdrawn"],
  stuck: ["sent", "invited", "accepted", "declined", "withdrawn"],
  expired: ["sent", "withdrawn"],
  verified: [],
  declined: [],
  withdrawn: [],
};

/** States in which the request waits on someone else and is chased. */
export const WAITING: readonly RequestStatus[] = ["sent", "invited", "stuck"];
export const FINAL: readonly RequestStatus[] = ["verified", "declined", "withdrawn"];

export const STATUS_LABELS: Record<RequestStatus, string> = {
  draft: "Draft",
  sent: "Sent",
  invited: "Invitation sent",
  accepted: "Accepted",
  verified: "Verified",
  stuck: "Stuck",
  declined: "Declined",
  expired: "Expired",
  withdrawn: "Withdrawn",
};

export function canMove(from: RequestStatus, to: RequestStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Refuse a move the state machine does not allow, naming the moves that are allowed. */
export function assertMove(from: RequestStatus, to: RequestStatus): void {
  if (canMove(from, to)) return;
  const allowed = TRANSITIONS[from];
  throw new AppError(
    "CONFLICT",
    allowed.length === 0
      ? `This request is ${STATUS_LABELS[from].toLowerCase()}: it cannot change any more.`
      : `A request that is ${STATUS_LABELS[from].toLowerCase()} cannot become ${STATUS_LABELS[to].toLowerCase()}. It can become: ${allowed.map((s) => STATUS_LABELS[s].toLowerCase()).join(", ")}.`,
    { problems: [{ path: "status", message: `allowed from ${from}: ${allowed.join(", ") || "none"}` }] },
  );
}
