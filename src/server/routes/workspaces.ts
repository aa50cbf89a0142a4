import { z } from "@hono/zod-openapi";
import { AppError, forbidden } from "../../core/errors.ts";
import { canAssignRole } from "../../core/workspace-roles.ts";
import * as store from "../../store/workspaces.ts";
import { defineRoute } from "../access.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, jsonBody, Member, problemResponses, Role, Workspace, WorkspaceParams } from "./schemas.ts";

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

/** Without leading or trailing dashes (a loop, not a regex: linear on any input). */
function trimDashes(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s[start] === "-") start++;
  while (end > start && s[end - 1] === "-") end--;
  return s.slice(start, end);
}

function slugify(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");
  return trimDashes(trimDashes(s).slice(0, 48)) || "workspace";
}

const CreateWorkspace = z.strictObject({
  name: z.string().trim().min(1, "Give the workspace a name").max(80, "Use at most 80 characters"),
  slug: z
    .string()
    .regex(SLUG, "Use 1-48 lowercase letters, digits and dashes, not starting or ending with a dash")
    .optional(),
});

const MemberParams = WorkspaceParams.extend({
  memberId: z.string().openapi({ param: { name: "memberId", in: "path" } }),
});

export function workspaceRoutes({ db, clock }: RouteDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(db, {
      access: { kind: "user" },
      method: "post",
      path: "/workspaces",
      summary: "Create a workspace; you become its owner",
      tags: ["Workspaces"],
      request: { body: jsonBody(CreateWorkspace) },
      responses: {
        201: json(Workspace, "The new workspace"),
        ...problemResponses,
        409: problemResponses[400],
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const caller = c.get("caller")!;
      const ws = await store.createWorkspace(db, {
        name: body.name,
        slug: body.slug ?? (await freeSlug(slugify(body.name))),
        ownerUserId: caller.userId,
        now: clock.now(),
      });
      return c.json(ws, 201);
    },
  );

  async function freeSlug(base: string): Promise<string> {
    for (let i = 1; i < 1000; i++) {
      const candidate = i === 1 ? base : `${base.slice(0, 44)}-${i}`;
      const taken = await db
        .selectFrom("organization")
        .select("id")
        .where("slug", "=", candidate)
        .executeTakeFirst();
      if (!taken) return candidate;
    }
    throw new AppError("CONFLICT", "Could not find a free address for this name: give a slug.");
  }

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}",
      summary: "A workspace and your role in it",
      tags: ["Workspaces"],
      request: { params: WorkspaceParams },
      responses: { 200: json(Workspace, "The workspace"), ...problemResponses },
    }),
    async (c) => {
      const access = c.get("workspace");
      const ws = await store.getWorkspace(db, access.workspaceId);
      return c.json({ ...ws, role: access.role }, 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "manageWorkspace" },
      method: "patch",
      path: "/workspaces/{workspaceId}",
      summary: "Rename a workspace (owners)",
      tags: ["Workspaces"],
      request: {
        params: WorkspaceParams,
        body: jsonBody(z.strictObject({ name: CreateWorkspace.shape.name })),
      },
      responses: { 200: json(Workspace, "The renamed workspace"), ...problemResponses },
    }),
    async (c) => {
      const access = c.get("workspace");
      await store.renameWorkspace(db, access.workspaceId, c.req.valid("json").name);
      const ws = await store.getWorkspace(db, access.workspaceId);
      return c.json({ ...ws, role: access.role }, 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/members",
      summary: "Members of the workspace and their roles",
      tags: ["Members"],
      request: { params: WorkspaceParams },
      responses: { 200: json(z.object({ members: z.array(Member) }), "The members"), ...problemResponses },
    }),
    async (c) => c.json({ members: await store.listMembers(db, c.get("workspace").workspaceId) }, 200),
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "manageMembers" },
      method: "patch",
      path: "/workspaces/{workspaceId}/members/{memberId}",
      summary: "Change a member's role (admins; only owners touch owners and admins)",
      tags: ["Members"],
      request: { params: MemberParams, body: jsonBody(z.strictObject({ role: Role })) },
      responses: {
        200: json(Member, "The member with the new role"),
        ...problemResponses,
        409: problemResponses[400],
      },
    }),
    async (c) => {
      const access = c.get("workspace");
      const { memberId } = c.req.valid("param");
      const { role } = c.req.valid("json");
      const target = await store.getMember(db, access.workspaceId, memberId);
      if (!canAssignRole(access.role, target.role, role))
        throw forbidden("Only owners can give or take away the owner and admin roles.");
      await store.changeMemberRole(db, access.workspaceId, memberId, role);
      return c.json(await store.getMember(db, access.workspaceId, memberId), 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "delete",
      path: "/workspaces/{workspaceId}/members/{memberId}",
      summary: "Remove a member (admins), or leave the workspace (your own membership)",
      tags: ["Members"],
      request: { params: MemberParams },
      responses: { 204: { description: "Removed" }, ...problemResponses, 409: problemResponses[400] },
    }),
    async (c) => {
      const access = c.get("workspace");
      const { memberId } = c.req.valid("param");
      const target = await store.getMember(db, access.workspaceId, memberId);
      const self = target.id === access.memberId;
      if (!self) {
        if (access.role !== "admin" && access.role !== "owner")
          throw forbidden("Only admins and owners can remove members.");
        if (!canAssignRole(access.role, target.role, "viewer"))
          throw forbidden("Only owners can remove owners and admins.");
      }
      await store.removeMember(db, access.workspaceId, memberId);
      return c.body(null, 204);
    },
  );

  return app;
}
