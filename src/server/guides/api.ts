import { z } from "@hono/zod-openapi";
import type { Kysely } from "kysely";
import { notFound } from "../../core/errors.ts";
import type { Guide } from "../../core/guides/schema.ts";
import type { DB } from "../../store/schema.ts";
import { defineRoute } from "../access.ts";
import { createRouter } from "../router.ts";
import { json, problemResponses } from "../routes/schemas.ts";
import type { GuideLibrary } from "./load.ts";
import { md } from "./render.ts";

const Summary = z
  .object({
    ref: z.string(),
    platform: z.string(),
    slug: z.string(),
    kind: z.string(),
    title: z.string(),
    summary: z.string(),
  })
  .openapi("GuideSummary");
const summary = (g: Guide) => ({
  ref: g.ref,
  platform: g.platform,
  slug: g.slug,
  kind: g.kind,
  title: g.title,
  summary: g.summary,
});

/** The guides as JSON: the app opens them in context; others may reuse them. */
export function createGuideApi(db: Kysely<DB>, library: GuideLibrary) {
  const app = createRouter();
  app.openapi(
    defineRoute(db, {
      access: { kind: "public" },
      method: "get",
      path: "/guides",
      summary: "Every guide",
      tags: ["Guides"],
      responses: { 200: json(z.object({ guides: z.array(Summary) }), "All guides") },
    }),
    (c) => c.json({ guides: library.guides.map(summary) }, 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "public" },
      method: "get",
      path: "/guides/search",
      summary: "Ranked, typo-tolerant search",
      tags: ["Guides"],
      request: { query: z.object({ q: z.string().max(200) }) },
      responses: {
        200: json(z.object({ results: z.array(Summary.extend({ score: z.number() })) }), "Results"),
      },
    }),
    (c) =>
      c.json(
        {
          results: library
            .search(c.req.valid("query").q)
            .map((h) => ({ ...summary(library.byRef.get(h.ref)!), score: h.score })),
        },
        200,
      ),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "public" },
      method: "get",
      path: "/guides/{platform}",
      summary: "The guides of one platform",
      tags: ["Guides"],
      request: {
        params: z.object({ platform: z.string().openapi({ param: { name: "platform", in: "path" } }) }),
      },
      responses: { 200: json(z.object({ guides: z.array(Summary) }), "Guides"), 404: problemResponses[404] },
    }),
    (c) => {
      const list = library.byPlatform.get(c.req.valid("param").platform);
      if (!list) throw notFound("Platform");
      return c.json({ guides: list.map(summary) }, 200);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "public" },
      method: "get",
      path: "/guides/{platform}/{slug}",
      summary: "One guide, structured, with its Markdown rendered to HTML",
      tags: ["Guides"],
      request: {
        params: z.object({
          platform: z.string().openapi({ param: { name: "platform", in: "path" } }),
          slug: z.string().openapi({ param: { name: "slug", in: "path" } }),
        }),
      },
      responses: { 200: json(z.record(z.string(), z.unknown()), "The guide"), 404: problemResponses[404] },
    }),
    (c) => {
      const { platform, slug } = c.req.valid("param");
      const g = library.byRef.get(`${platform}/${slug}`);
      if (!g) throw notFound("Guide");
      return c.json({ ...g, body_html: md(g.body) }, 200);
    },
  );
  return app;
}
