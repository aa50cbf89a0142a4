import { z } from "@hono/zod-openapi";
import { countUsers, listWorkspacesOf } from "../../store/workspaces.ts";
import { defineRoute } from "../access.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, problemResponses, Workspace } from "./schemas.ts";

const Me = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string(), twoFactorEnabled: z.boolean() }),
    workspaces: z.array(Workspace),
  })
  .openapi("Me");

const Instance = z
  .object({ needsSetup: z.boolean(), version: z.string(), emailConfigured: z.boolean() })
  .openapi("Instance");

export function meRoutes({ db, mailer, version }: RouteDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(db, {
      access: { kind: "public" },
      method: "get",
      path: "/instance",
      summary: "About this Delvia: whether the first account still has to be created",
      tags: ["Instance"],
      responses: { 200: json(Instance, "Instance facts") },
    }),
    async (c) =>
      c.json({ needsSetup: (await countUsers(db)) === 0, version, emailConfigured: mailer.configured }, 200),
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "user" },
      method: "get",
      path: "/me",
      summary: "You and the workspaces you belong to",
      tags: ["Instance"],
      responses: { 200: json(Me, "The signed-in user"), 401: problemResponses[401] },
    }),
    async (c) => {
      const caller = c.get("caller")!;
      const user = await db
        .selectFrom("user")
        .select(["id", "email", "name", "twoFactorEnabled"])
        .where("id", "=", caller.userId)
        .executeTakeFirstOrThrow();
      return c.json(
        {
          user: {
            id: user.id,
            email: user.email,
            name: user.name,
            twoFactorEnabled: Boolean(user.twoFactorEnabled),
          },
          workspaces: await listWorkspacesOf(db, caller.userId),
        },
        200,
      );
    },
  );

  return app;
}
