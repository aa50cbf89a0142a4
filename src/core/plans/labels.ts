/** Plan kinds and phases, with their words: no schema library, so the web app can import them. */
export const PLAN_KINDS = [
  "person-leaves",
  "relationship-ends",
  "ownership-handover",
  "role-change",
  "shared-login-retired",
] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

export const PLAN_KIND_LABELS: Record<PlanKind, string> = {
  "person-leaves": "A person leaves",
  "relationship-ends": "An agency or contractor relationship ends",
  "ownership-handover": "Ownership of an account is handed over",
  "role-change": "A person's role changes",
  "shared-login-retired": "A shared login is retired",
};

export const PHASES = ["prepare", "hand-over", "remove", "secure"] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Record<Phase, string> = {
  prepare: "Before anything else",
  "hand-over": "Hand over first",
  remove: "Then remove access",
  secure: "Then secure what they knew",
};
