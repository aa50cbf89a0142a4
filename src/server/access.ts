import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Kysely } from "kysely";
import { AppError, forbidden } from "../core/errors.ts";
import { can, isWorkspaceRole, PERMISSIONS, type Permission } from "../core/workspace-roles.ts";
import { compiledQuery } from "../store/compiled.ts";
import type { DB } from "../store/schema.ts";
import type { AppEnv } from "./env.ts";

/**
 * Who may call a route. Every API route is declared through `defineRoute`, which both installs
 * the check and records it in the OpenAPI document (`x-delvia-access`); the app refuses to start
 * if any route lacks it, so a route cannot forget its check.
 */
export type Access = { kind: "public" } | { kind: "user" } | { kind: "workspace"; permission: Permission };

export const ACCESS_EXTENSION = "x-delvia-access";

export function accessLabel(access: Access): string {
  return access.kind === "workspace" ? `workspace:${access.permission}` : access.kind;
}

export function parseAccessLabel(label: string): Access {
  if (label === "public" || label === "user") return { kind: label };
  const [kind, permission] = label.split(":");
  if (kind === "workspace" && permission && permission in PERMISSIONS)
    return { kind, permission: permission as Permission };
  throw new Error(`Unknown access label ${label}`);
}

export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get("caller")) throw new AppError("UNAUTHENTICATED", "Sign in to continue.");
  await next();
};

/**
 * Resolve the caller's membership in `{workspaceId}` from the database (never from the
 * session), so a removed member or a changed role takes effect on the very next request.
 * A workspace the caller does not belong to is reported exactly like one that does not exist.
 */
/** The caller's membership of a workspace: asked on every workspace request, so compiled once. */
const membership = compiledQuery<[workspaceId: string, userId: string], { id: string; role: string }>(
  (db, workspaceId, userId) =>
    db
      .selectFrom("member")
      .select(["id", "role"])
      .where("organizationId", "=", workspaceId)
      .where("userId", "=", userId),
);

export function requireWorkspace(db: Kysely<DB>, permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = c.get("caller");
    if (!caller) throw new AppError("UNAUTHENTICATED", "Sign in to continue.");
    const workspaceId = c.req.param("workspaceId");
    if (!workspaceId) throw new Error("workspace route without {workspaceId}");
    const [member] = await membership(db, workspaceId, caller.userId);
    if (!member || !isWorkspaceRole(member.role))
      throw new AppError("NOT_FOUND", "Workspace not found, or you are not a member of it.");
    if (!can(member.role, permission)) {
      throw forbidden(
        `This needs the ${PERMISSIONS[permission]} role in this workspace; you are ${member.role === "admin" ? "an" : "a"} ${member.role}.`,
      );
    }
    c.set("workspace", { workspaceId, memberId: member.id, role: member.role });
    await next();
  };
}

export type DefinedRoute<R extends RouteConfig> = R & { [ACCESS_EXTENSION]: string };

/** Declare an API route with its access rule. Use instead of `createRoute`. */
export function defineRoute<R extends RouteConfig>(db: Kysely<DB>, config: R & { access: Access }) {
  const { access, ...rest } = config;
  if (access.kind === "workspace" && !rest.path.startsWith("/workspaces/{workspaceId}")) {
    throw new Error(`Workspace route ${rest.path} must start with /workspaces/{workspaceId}`);
  }
  const middleware: MiddlewareHandler<AppEnv>[] =
    access.kind === "public"
      ? []
      : access.kind === "user"
        ? [requireUser]
        : [requireWorkspace(db, access.permission)];
  return createRoute({
    ...(rest as unknown as R),
    middleware: [...middleware, ...asArray(rest.middleware)],
    [ACCESS_EXTENSION]: accessLabel(access),
  });
}

function asArray<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
