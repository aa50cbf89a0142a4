/**
 * Delvia's own roles inside a workspace, in order of power. The authorization policy is a pure
 * function of the caller's role, so every route asks the same question the same way.
 */
export const WORKSPACE_ROLES = ["viewer", "editor", "admin", "owner"] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

export function isWorkspaceRole(value: unknown): value is WorkspaceRole {
  return typeof value === "string" && (WORKSPACE_ROLES as readonly string[]).includes(value);
}

/** True when `role` is at least `needed`: `atLeast("admin", "editor") === true`. */
export function atLeast(role: WorkspaceRole, needed: WorkspaceRole): boolean {
  return WORKSPACE_ROLES.indexOf(role) >= WORKSPACE_ROLES.indexOf(needed);
}

/** What each kind of action needs. Routes declare one of these; nothing else grants access. */
export const PERMISSIONS = {
  read: "viewer",
  write: "editor",
  manageMembers: "admin",
  manageWorkspace: "owner",
} as const satisfies Record<string, WorkspaceRole>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: WorkspaceRole, permission: Permission): boolean {
  return atLeast(role, PERMISSIONS[permission]);
}

/**
 * Whether `actor` may give `target` the role `next`. Admins manage editors and viewers;
 * only owners create or demote owners and admins.
 */
export function canAssignRole(
  actor: WorkspaceRole,
  current: WorkspaceRole | null,
  next: WorkspaceRole,
): boolean {
  if (actor === "owner") return true;
  if (actor !== "admin") return false;
  const touchesPrivileged =
    next === "owner" || next === "admin" || current === "owner" || current === "admin";
  return !touchesPrivileged;
}
