import { z } from "@hono/zod-openapi";
import { notFound } from "../../core/errors.ts";
import { getProgress, setProgress } from "../../store/guide-progress.ts";
import { defineRoute } from "../access.ts";
import type { GuideLibrary } from "../guides/load.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, jsonBody, problemResponses, WorkspaceParams } from "./schemas.ts";

const Params = WorkspaceParams.extend({
  platform: z.string().openapi({ param: { name: "platform", in: "path" } }),
  slug: z.string().openapi({ param: { name: "slug", in: "path" } }),
});
const Query = z.object({ context: z.string().max(200).default("") });
const Progress = z
  .object({ guide: z.string(), context: z.string(), doneSteps: z.array(z.number().int()) })
  .openapi("GuideProgress");

/** "Follow as checklist": each person's ticked steps of a guide, per workspace and per item. */
export function guideProgressRoutes({ db, clock }: RouteDeps, library: GuideLibrary) {
  const app = createRouter();
  const guideOf = (platform: string, slug: string) => {
    const g = library.byRef.get(`${platform}/${slug}`);
    if (!g) throw notFound("Guide");
    return g;
  };
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/guide-progress/{platform}/{slug}",
      summary: "Your ticked steps of a guide followed as a checklist",
      tags: ["Guides"],
      request: { params: Params, query: Query },
      responses: { 200: json(Progress, "Progress"), ...problemResponses },
    }),
    async (c) => {
      const { platform, slug } = c.req.valid("param");
      const g = guideOf(platform, slug);
      const context = c.req.valid("query").context;
      const doneSteps = await getProgress(db, {
        workspaceId: c.get("workspace").workspaceId,
        userId: c.get("caller")!.userId,
        guideRef: g.ref,
        context,
      });
      return c.json({ guide: g.ref, context, doneSteps }, 200);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "put",
      path: "/workspaces/{workspaceId}/guide-progress/{platform}/{slug}",
      summary: "Save which steps you have done",
      tags: ["Guides"],
      request: {
        params: Params,
        query: Query,
        body: jsonBody(z.strictObject({ doneSteps: z.array(z.number().int().min(0)).max(100) })),
      },
      responses: { 200: json(Progress, "Saved"), ...problemResponses },
    }),
    async (c) => {
      const { platform, slug } = c.req.valid("param");
      const g = guideOf(platform, slug);
      const steps = g.kind === "action" ? g.steps.length : g.kind === "troubleshooting" ? g.causes.length : 0;
      const doneSteps = c.req.valid("json").doneSteps.filter((n) => n < steps);
      const context = c.req.valid("query").context;
      await setProgress(
        db,
        {
          workspaceId: c.get("workspace").workspaceId,
          userId: c.get("caller")!.userId,
          guideRef: g.ref,
          context,
        },
        doneSteps,
        clock.now(),
      );
      return c.json({ guide: g.ref, context, doneSteps: [...new Set(doneSteps)].sort((a, b) => a - b) }, 200);
    },
  );
  return app;
}
