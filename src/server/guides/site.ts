import { createHash } from "node:crypto";
import type { Context } from "hono";
import { Hono } from "hono";
import { etag } from "hono/etag";
import type { Clock } from "../../core/clock.ts";
import type { GuideFeedbackStore } from "../../core/guides/feedback.ts";
import { GUIDE_PLATFORMS, KIND_LABELS } from "../../core/guides/schema.ts";
import { setResponseHeader } from "../response-headers.ts";
import type { GuideLibrary } from "./load.ts";
import { esc, guideHtml, guideJsonLd, hubHtml, layout, platformName } from "./render.ts";

/** The public guide site: home, hubs, guide pages, search, feedback, sitemap and robots. */
export function createGuideSite(deps: {
  library: GuideLibrary;
  feedback: GuideFeedbackStore;
  publicUrl: string;
  clock: Clock;
}): Hono {
  const { library, publicUrl } = deps;
  const app = new Hono();
  const page = (meta: Omit<Parameters<typeof layout>[0], "publicUrl">, main: string) =>
    layout({ ...meta, publicUrl }, main);
  const notFound = (what: string) =>
    page(
      { title: "Not found · Delvia Guides", description: "This guide does not exist.", path: "/guides" },
      `<h1>We could not find that</h1><p>${esc(what)} Try searching, or <a href="/guides">browse all guides</a>.</p><form action="/guides/search" method="get" role="search"><label for="q404">Search the guides</label> <input id="q404" name="q" type="search"> <button>Search</button></form>`,
    );

  // The library does not change while the server runs: each page is rendered once, with its ETag
  // (so the etag middleware need not hash the body again on every request).
  const pages = new Map<string, { html: string; etag: string }>();
  const tag = (html: string) => `"${createHash("sha1").update(html).digest("hex")}"`;
  const cached = (c: Context, key: string, render: () => string) => {
    let hit = pages.get(key);
    if (!hit) {
      const html = render();
      hit = { html, etag: tag(html) };
      pages.set(key, hit);
    }
    c.header("etag", hit.etag);
    return c.html(hit.html);
  };

  app.use("/guides/*", async (c, next) => {
    await next();
    if (c.req.method === "GET" && c.res.status === 200 && !c.req.path.startsWith("/guides/search"))
      setResponseHeader(c, "cache-control", "public, max-age=300");
  });
  app.use("*", etag());

  app.get("/", (c) =>
    cached(c, "/", () => {
      const cards = GUIDE_PLATFORMS.filter((p) => library.byPlatform.has(p.key))
        .map(
          (p) =>
            `<li><a href="/guides/${p.key}"><strong>${esc(p.name)}</strong><span>${esc(p.blurb)} · ${library.byPlatform.get(p.key)!.length} guides</span></a></li>`,
        )
        .join("");
      return page(
        {
          title: "Delvia Guides — give and take back access to your business accounts",
          description:
            "Short, correct steps for adding people, partners and agencies to TikTok, Meta, YouTube, Google and more — and for removing them.",
          path: "/",
        },
        `<h1>Who can get into your accounts?</h1><p class="summary">Step-by-step guides for giving, checking and taking back access on the platforms your business runs on — without ever sharing a password.</p><form action="/guides/search" method="get" role="search"><label for="qh" class="sr">Search the guides</label><p style="display:flex;gap:6px"><input id="qh" name="q" type="search" placeholder="e.g. add an agency to TikTok" style="flex:1;min-height:44px;padding:8px 12px;border-radius:8px;border:1px solid var(--line);background:var(--card);color:var(--fg);font:inherit"><button>Search</button></p></form><h2>Choose a platform</h2><ul class="cards two">${cards}</ul><aside class="closing"><h2>Keep the record, not just the steps</h2><p>Delvia is where your team writes down who holds which role on each account, who owns it, and what to do when someone leaves.</p><p><a class="button" href="/app">Open your record</a></p></aside>`,
      );
    }),
  );

  app.get("/guides", (c) =>
    cached(c, "/guides", () =>
      page(
        {
          title: "All guides · Delvia Guides",
          description: "Every Delvia guide, by platform.",
          path: "/guides",
        },
        `<h1>All guides</h1>${GUIDE_PLATFORMS.filter((p) => library.byPlatform.has(p.key))
          .map(
            (p) =>
              `<section><h2><a href="/guides/${p.key}">${esc(p.name)}</a></h2><ul>${library.byPlatform
                .get(p.key)!
                .map((g) => `<li><a href="/guides/${esc(g.ref)}">${esc(g.title)}</a></li>`)
                .join("")}</ul></section>`,
          )
          .join("")}`,
      ),
    ),
  );

  app.get("/guides/search", (c) => {
    const q = (c.req.query("q") ?? "").slice(0, 200);
    const hits = library.search(q);
    const list = hits.length
      ? `<ol class="cards">${hits.map((h) => `<li><a href="/guides/${esc(h.ref)}"><strong>${esc(h.title)}</strong><span>${esc(platformName(h.ref.split("/")[0]!))} · ${esc(KIND_LABELS[h.kind as keyof typeof KIND_LABELS] ?? h.kind)} — ${esc(h.summary)}</span></a></li>`).join("")}</ol>`
      : q
        ? `<p>No guide matches “${esc(q)}”. Try fewer words, or <a href="/guides">browse by platform</a>.</p>`
        : "<p>Type what you want to do, e.g. “remove an agency from Meta”.</p>";
    c.header("cache-control", "no-store");
    const html = page(
      {
        title: q ? `“${q}” · Search · Delvia Guides` : "Search · Delvia Guides",
        description: "Search the Delvia guides.",
        path: "/guides/search",
      },
      `<h1>Search</h1><form action="/guides/search" method="get" role="search"><label for="qs">What do you want to do?</label><p style="display:flex;gap:6px"><input id="qs" name="q" type="search" value="${esc(q)}" style="flex:1;min-height:44px;padding:8px 12px;border-radius:8px;border:1px solid var(--line);background:var(--card);color:var(--fg);font:inherit"><button>Search</button></p></form>${list}`,
    );
    c.header("etag", tag(html));
    return c.html(html);
  });

  app.get("/guides/:platform", (c) => {
    const platform = c.req.param("platform");
    const guides = library.byPlatform.get(platform);
    if (!guides) return c.html(notFound("There are no guides for this platform."), 404);
    return cached(c, `/guides/${platform}`, () =>
      page(
        {
          title: `${platformName(platform)} access guides · Delvia Guides`,
          description: GUIDE_PLATFORMS.find((p) => p.key === platform)?.blurb ?? "",
          path: `/guides/${platform}`,
        },
        hubHtml(platform, guides),
      ),
    );
  });

  app.get("/guides/:platform/:slug", (c) => {
    const g = library.byRef.get(`${c.req.param("platform")}/${c.req.param("slug")}`);
    if (!g) return c.html(notFound("There is no guide at this address."), 404);
    const thanks = c.req.query("thanks") === "1";
    return cached(c, `/guides/${g.ref}${thanks ? "?thanks=1" : ""}`, () =>
      page(
        {
          title: `${g.title} · Delvia Guides`,
          description: g.summary,
          path: `/guides/${g.ref}`,
          type: "article",
          jsonLd: guideJsonLd(g, publicUrl),
        },
        guideHtml(g, library.byRef, { publicUrl, thanks }),
      ),
    );
  });

  // Counts answers per guide and day; no cookie is set and nothing about the reader is stored.
  app.post("/guides/:platform/:slug/feedback", async (c) => {
    const ref = `${c.req.param("platform")}/${c.req.param("slug")}`;
    if (!library.byRef.has(ref)) return c.html(notFound("There is no guide at this address."), 404);
    const form = await c.req.parseBody();
    const helpful = form.helpful === "yes" ? true : form.helpful === "no" ? false : null;
    if (helpful === null) return c.text("Answer yes or no.", 400);
    await deps.feedback.record(ref, helpful, deps.clock.now());
    return c.redirect(`/guides/${ref}?thanks=1#main`, 303);
  });

  app.get("/sitemap.xml", (c) => {
    const urls = [
      "/",
      "/guides",
      ...GUIDE_PLATFORMS.filter((p) => library.byPlatform.has(p.key)).map((p) => `/guides/${p.key}`),
      ...library.guides.map((g) => `/guides/${g.ref}`),
    ];
    const lastmod = (u: string) => library.byRef.get(u.replace("/guides/", ""))?.last_reviewed;
    c.header("content-type", "application/xml; charset=utf-8");
    return c.body(
      `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.map((u) => `<url><loc>${esc(publicUrl + u)}</loc>${lastmod(u) ? `<lastmod>${lastmod(u)}</lastmod>` : ""}</url>`).join("")}</urlset>\n`,
    );
  });

  app.get("/robots.txt", (c) =>
    c.text(
      `User-agent: *\nAllow: /\nAllow: /guides/\nDisallow: /app/\nDisallow: /api/\nSitemap: ${publicUrl}/sitemap.xml\n`,
    ),
  );
  return app;
}
