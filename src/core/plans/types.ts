import { z } from "zod";
import type { Phase } from "./labels.ts";

export { PHASE_LABELS, PHASES, type Phase, PLAN_KIND_LABELS, PLAN_KINDS, type PlanKind } from "./labels.ts";

const id = z.string().min(1).max(64);
const day = z.iso.date("Use the date format YYYY-MM-DD");

/** What a plan is about: the change that happened or is about to. */
export const PlanSubject = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("person-leaves"), personId: id }),
  z.strictObject({ kind: z.literal("relationship-ends"), organizationId: id }),
  z.strictObject({
    kind: z.literal("ownership-handover"),
    accountId: id,
    toPersonId: id,
    removePrevious: z.boolean().default(false).describe("also remove the previous owner's access"),
  }),
  z.strictObject({ kind: z.literal("role-change"), grantId: id, role: z.string().trim().min(1).max(80) }),
  z.strictObject({ kind: z.literal("shared-login-retired"), sharedLoginId: id }),
]);
export type PlanSubject = z.infer<typeof PlanSubject>;

export const PlanInput = z.strictObject({
  subject: PlanSubject,
  successorPersonId: id
    .nullable()
    .default(null)
    .describe("who takes over admin roles and ownership; the account's own rule applies when empty"),
  dueOn: day.nullable().default(null),
  notes: z.string().max(2000).nullable().default(null),
});
export type PlanInput = z.infer<typeof PlanInput>;

/** The record change a task makes when it is completed. `personId: null` means "ask for it". */
export const TaskAction = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }),
  z.object({ type: z.literal("mark-departed"), personId: id }),
  z.object({ type: z.literal("revoke-grant"), grantId: id }),
  z.object({
    type: z.literal("create-grant"),
    personId: id.nullable(),
    accountId: id,
    assetId: id.nullable(),
    role: z.string(),
  }),
  z.object({ type: z.literal("change-role"), grantId: id, role: z.string() }),
  z.object({
    type: z.literal("set-owner"),
    accountId: id,
    field: z.enum(["owner", "backup"]),
    personId: id.nullable(),
    /** Whether a person must be chosen (owner) or the field may be cleared (backup). */
    required: z.boolean(),
  }),
  z.object({ type: z.literal("forget-shared-login"), sharedLoginId: id, personIds: z.array(id) }),
]);
export type TaskAction = z.infer<typeof TaskAction>;

/** A task as the generator proposes it, before it is stored. */
export interface TaskDraft {
  /** Stable within one plan: the same change always gets the same key. */
  key: string;
  phase: Phase;
  kind: string;
  title: string;
  detail: string | null;
  accountId: string | null;
  guide: string | null;
  action: TaskAction;
  /** Keys of tasks that must be done first. */
  blockedBy: string[];
  dueOn: string | null;
}

export const TASK_STATUSES = ["todo", "done", "skipped"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const PLAN_STATUSES = ["open", "complete", "cancelled"] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];
