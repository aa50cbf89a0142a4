import { z } from "@hono/zod-openapi";
import { AppError, forbidden, notFound } from "../../core/errors.ts";
import { canAssignRole } from "../../core/workspace-roles.ts";
import * as store from "../../store/workspaces.ts";
import { defineRoute } from "../access.ts";
import { INVITATION_LIFETIME_SECONDS } from "../auth/auth.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { Invitation, json, jsonBody, problemResponses, Role, Workspace, WorkspaceParams } from "./schemas.ts";

const InvitationParams = WorkspaceParams.extend({
  invitationId: z.string().openapi({ param: { name: "invitationId", in: "path" } }),
});
const PublicInvitationParams = z.object({
  invitationId: z.string().openapi({ param: { name: "invitationId", in: "path" } }),
});

const CreateInvitation = z.strictObject({
  email: z
    .email("Enter a valid email address")
    .max(254)
    .transform((e) => e.trim().toLowerCase()),
  role: Role.default("viewer"),
});

const InvitationPreview = z
  .object({
    id: z.string(),
    workspaceName: z.string(),
    email: z.string(),
    role: Role,
    status: Invitation.shape.status,
    expiresAt: z.string(),
    inviterName: z.string(),
  })
  .openapi("InvitationPreview");

export function invitationRoutes({ db, clock, config, mailer }: RouteDeps) {
  const app = createRouter();
  const link = (id: string) => `${config.publicUrl}/app/invite/${id}`;
  const view = (inv: store.InvitationView) => ({
    id: inv.id,
    email: inv.email,
    role: inv.role,
    status: inv.status,
    expiresAt: inv.expiresAt,
    inviterEmail: inv.inviterEmail,
    link: link(inv.id),
  });

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "manageMembers" },
      method: "get",
      path: "/workspaces/{workspaceId}/invitations",
      summary: "Pending invitations (admins)",
      tags: ["Members"],
      request: { params: WorkspaceParams },
      responses: {
        200: json(z.object({ invitations: z.array(Invitation) }), "Pending invitations"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const list = await store.listInvitations(db, c.get("workspace").workspaceId, clock.now());
      return c.json({ invitations: list.map(view) }, 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "manageMembers" },
      method: "post",
      path: "/workspaces/{workspaceId}/invitations",
      summary: "Invite someone by email (admins; only owners invite owners and admins)",
      tags: ["Members"],
      request: { params: WorkspaceParams, body: jsonBody(CreateInvitation) },
      responses: {
        201: json(Invitation, "The invitation, with the link to share"),
        ...problemResponses,
        409: problemResponses[400],
      },
    }),
    async (c) => {
      const access = c.get("workspace");
      const caller = c.get("caller")!;
      const body = c.req.valid("json");
      if (!canAssignRole(access.role, null, body.role))
        throw forbidden("Only owners can invite owners and admins.");
      const inv = await store.createInvitation(db, {
        workspaceId: access.workspaceId,
        email: body.email,
        role: body.role,
        inviterId: caller.userId,
        now: clock.now(),
        lifetimeSeconds: INVITATION_LIFETIME_SECONDS,
      });
      const ws = await store.getWorkspace(db, access.workspaceId);
      let emailSent = false;
      try {
        await mailer.send({
          to: inv.email,
          subject: `${caller.name} invited you to ${ws.name} on Delvia`,
          text: `${caller.name} (${caller.email}) invited you to join the workspace "${ws.name}" on Delvia as ${inv.role}.\n\nOpen this link to accept (it works until ${inv.expiresAt.slice(0, 10)}):\n${link(inv.id)}\n\nDelvia keeps a record of who can get into a business's ad and social accounts. If you did not expect this, ignore this email.`,
        });
        emailSent = mailer.configured;
      } catch (err) {
        c.get("logger").warn({ err }, "invitation email failed; the link can still be copied");
      }
      return c.json({ ...view(inv), emailSent }, 201);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "manageMembers" },
      method: "delete",
      path: "/workspaces/{workspaceId}/invitations/{invitationId}",
      summary: "Cancel a pending invitation (admins)",
      tags: ["Members"],
      request: { params: InvitationParams },
      responses: { 204: { description: "Cancelled" }, ...problemResponses },
    }),
    async (c) => {
      await store.cancelInvitation(db, c.get("workspace").workspaceId, c.req.valid("param").invitationId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "public" },
      method: "get",
      path: "/invitations/{invitationId}",
      summary: "What an invitation is for, shown before accepting",
      tags: ["Members"],
      request: { params: PublicInvitationParams },
      responses: { 200: json(InvitationPreview, "The invitation"), ...problemResponses },
    }),
    async (c) => {
      const inv = await store.findInvitation(db, c.req.valid("param").invitationId, clock.now());
      if (!inv) throw notFound("Invitation");
      const ws = await store.getWorkspace(db, inv.workspaceId);
      return c.json(
        {
          id: inv.id,
          workspaceName: ws.name,
          email: inv.email,
          role: inv.role,
          status: inv.status,
          expiresAt: inv.expiresAt,
          inviterName: inv.inviterName,
        },
        200,
      );
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "user" },
      method: "post",
      path: "/invitations/{invitationId}/accept",
      summary: "Accept an invitation sent to your email",
      tags: ["Members"],
      request: { params: PublicInvitationParams },
      responses: {
        200: json(z.object({ workspace: Workspace }), "You are now a member"),
        ...problemResponses,
        409: problemResponses[400],
      },
    }),
    async (c) => {
      const caller = c.get("caller")!;
      if (!caller) throw new AppError("UNAUTHENTICATED", "Sign in to accept the invitation.");
      const workspace = await store.acceptInvitation(db, {
        invitationId: c.req.valid("param").invitationId,
        userId: caller.userId,
        email: caller.email,
        now: clock.now(),
      });
      return c.json({ workspace }, 200);
    },
  );

  return app;
}
