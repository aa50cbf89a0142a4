import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Clock } from "../../core/clock.ts";
import { WORKSPACE_ROLES } from "../../core/workspace-roles.ts";
import type { WriteContext } from "../../store/record.ts";
import type { AppEnv } from "../env.ts";

/** Shapes shared by several routes. Request bodies are strict: unknown fields are refused. */
export const Role = z
  .enum(WORKSPACE_ROLES)
  .openapi({ description: "Delvia role in the workspace", example: "viewer" });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

export const problemResponses = {
  400: {
    description: "The request needs fixing",
    content: { "application/problem+json": { schema: Problem } },
  },
  401: { description: "Sign in required", content: { "application/problem+json": { schema: Problem } } },
  403: {
    description: "Your role does not allow this",
    content: { "application/problem+json": { schema: Problem } },
  },
  404: {
    description: "Not found in your workspaces",
    content: { "application/problem+json": { schema: Problem } },
  },
} as const;

export const Workspace = z
  .object({ id: z.string(), slug: z.string(), name: z.string(), role: Role })
  .openapi("Workspace");

export const WorkspaceParams = z.object({
  workspaceId: z
    .string()
    .openapi({ param: { name: "workspaceId", in: "path" }, example: "0193a5b0-7c1e-7000-8000-000000000000" }),
});

export const Member = z
  .object({
    id: z.string(),
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: Role,
    joinedAt: z.string(),
  })
  .openapi("Member");

export const Invitation = z
  .object({
    id: z.string(),
    email: z.string(),
    role: Role,
    status: z.enum(["pending", "accepted", "canceled", "rejected", "expired"]),
    expiresAt: z.string(),
    inviterEmail: z.string(),
    link: z.string().openapi({ description: "The page where the invited person accepts" }),
    emailSent: z.boolean().optional(),
  })
  .openapi("Invitation");

/** A JSON request body, required, refusing unknown fields. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } } as const;
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** Who writes, in which workspace, and when: the write context of a workspace route. */
export function writeContext(c: Context<AppEnv>, clock: Clock): WriteContext {
  const caller = c.get("caller")!;
  return {
    workspaceId: c.get("workspace").workspaceId,
    actor: { userId: caller.userId, label: caller.email },
    now: clock.now(),
  };
}

/** The workspace a workspace route acts on. */
export const workspaceOf = (c: Context<AppEnv>) => c.get("workspace").workspaceId;
