import { z } from "@hono/zod-openapi";
import { isoDay } from "../../core/clock.ts";
import { AppError } from "../../core/errors.ts";
import { getAccount, getAsset, getPerson } from "../../store/record.ts";
import { defineRoute } from "../access.ts";
import type { AccessService } from "../access-service.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, problemResponses, WorkspaceParams } from "./schemas.ts";

const Node = z.object({
  type: z.enum(["person", "account", "asset", "shared_login", "system_user"]),
  id: z.string(),
  name: z.string(),
  departed: z.boolean().optional(),
});
const Answer = z
  .object({
    node: Node,
    role: z.string(),
    departed: z.boolean(),
    path: z.array(
      z.object({
        kind: z.enum(["grant", "includes", "knows"]),
        from: Node,
        to: Node,
        role: z.string().nullable(),
        grantId: z.string().nullable(),
      }),
    ),
  })
  .openapi("AccessAnswer");
const asOf = z.iso
  .date("Use the date format YYYY-MM-DD")
  .optional()
  .openapi({ description: "the day to answer for; today by default" });

export function accessRoutes({ db, clock }: RouteDeps, access: AccessService) {
  const app = createRouter();

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/who-can-reach",
      summary:
        "Who can reach an account or an asset, with the role and the path (direct, through an all-assets role, a partner or a shared login)",
      tags: ["Access"],
      request: {
        params: WorkspaceParams,
        query: z.object({ accountId: z.string().optional(), assetId: z.string().optional(), asOf }),
      },
      responses: {
        200: json(z.object({ asOf: z.string(), answers: z.array(Answer) }), "Everyone who can reach it"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { workspaceId } = c.get("workspace");
      const q = c.req.valid("query");
      if (!q.accountId === !q.assetId)
        throw new AppError("VALIDATION_FAILED", "Give exactly one of accountId or assetId.");
      if (q.assetId) await getAsset(db, workspaceId, q.assetId);
      else await getAccount(db, workspaceId, q.accountId!);
      const day = q.asOf ?? isoDay(clock.now());
      const index = await access.index(workspaceId);
      const answers = index.whoCanReach(
        q.assetId ? { assetId: q.assetId } : { accountId: q.accountId! },
        day,
      );
      return c.json({ asOf: day, answers }, 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/people/{personId}/reach",
      summary: "Everything a person can reach, with the role and the path",
      tags: ["Access"],
      request: {
        params: WorkspaceParams.extend({
          personId: z.string().openapi({ param: { name: "personId", in: "path" } }),
        }),
        query: z.object({ asOf }),
      },
      responses: {
        200: json(z.object({ asOf: z.string(), answers: z.array(Answer) }), "What they can reach"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const { workspaceId } = c.get("workspace");
      const { personId } = c.req.valid("param");
      await getPerson(db, workspaceId, personId);
      const day = c.req.valid("query").asOf ?? isoDay(clock.now());
      const index = await access.index(workspaceId);
      return c.json({ asOf: day, answers: index.reach(personId, day) }, 200);
    },
  );
  return app;
}
