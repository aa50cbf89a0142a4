import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstance, readJson, type TestInstance } from "../testing.ts";

let t: TestInstance;
beforeAll(async () => {
  t = await createTestInstance("sqlite");
});
afterAll(() => t.dispose());

const get = async (path: string) => {
  const res = await t.app.request(`http://delvia.test${path}`);
  return { res, html: await res.text() };
};

describe("the public guide site", () => {
  it("renders an action guide with its sections in order, numbered steps and the if-this-fails link, with no script needed", async () => {
    const { res, html } = await get("/guides/tiktok/add-partner");
    expect(res.status).toBe(200);
    const order = [
      "If your situation is actually",
      "Before you start",
      "Steps",
      "Common mistakes",
      "Did this solve it?",
    ].map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('If this fails → <a href="/guides/tiktok/added-but-cannot-see-account">');
    expect(html).toContain('<link rel="canonical" href="http://delvia.test/guides/tiktok/add-partner">');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it("describes action guides as HowTo and FAQs as FAQPage in JSON-LD", async () => {
    const { html } = await get("/guides/tiktok/add-member");
    const blocks = [...html.matchAll(/<script type="application\/ld\+json">(.*?)<\/script>/g)].map((m) =>
      JSON.parse(m[1]!),
    );
    expect(blocks.map((b) => b["@type"])).toEqual(["HowTo", "FAQPage"]);
    expect(blocks[0].step.length).toBeGreaterThan(3);
  });

  it("lists every guide of a platform on its hub, grouped by kind", async () => {
    const { html } = await get("/guides/tiktok");
    for (const kind of ["How to", "When something goes wrong", "How it works", "Good practice"])
      expect(html).toContain(`<h2>${kind}</h2>`);
    const api = await readJson<{ guides: { ref: string }[] }>(await t.call("GET", "/api/v1/guides/tiktok"));
    for (const g of api.guides) expect(html).toContain(`href="/guides/${g.ref}"`);
  });

  it("finds guides despite a typo, and escapes what it echoes back", async () => {
    const { html } = await get("/guides/search?q=partnr+tiktok");
    expect(html).toContain("Add an agency as a partner to your TikTok Business Center");
    const xss = await get(`/guides/search?q=${encodeURIComponent("<script>alert(1)</script>")}`);
    expect(xss.html).not.toContain("<script>alert(1)</script>");
    expect(xss.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("counts 'did this solve it?' answers without setting a cookie", async () => {
    const res = await t.app.request("http://delvia.test/guides/tiktok/add-member/feedback", {
      method: "POST",
      body: new URLSearchParams({ helpful: "yes" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(res.headers.get("location")).toBe("/guides/tiktok/add-member?thanks=1#main");
    const rows = await t.db.selectFrom("guide_feedback").selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ guide_ref: "tiktok/add-member", yes: 1, no: 0 })]);
    const missing = await t.app.request("http://delvia.test/guides/tiktok/nope/feedback", {
      method: "POST",
      body: new URLSearchParams({ helpful: "yes" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(missing.status).toBe(404);
  });

  it("answers 404 with a search form for an unknown guide", async () => {
    const { res, html } = await get("/guides/tiktok/does-not-exist");
    expect(res.status).toBe(404);
    expect(html).toContain('role="search"');
  });

  it("publishes a sitemap of every guide and a robots file that keeps crawlers out of the app and API", async () => {
    const { html: xml } = await get("/sitemap.xml");
    const api = await readJson<{ guides: { ref: string }[] }>(await t.call("GET", "/api/v1/guides"));
    for (const g of api.guides) expect(xml).toContain(`<loc>http://delvia.test/guides/${g.ref}</loc>`);
    const { html: robots } = await get("/robots.txt");
    expect(robots).toContain("Disallow: /app/");
    expect(robots).toContain("Disallow: /api/");
  });

  it("allows its one inline script by hash in the Content-Security-Policy", async () => {
    const { res } = await get("/guides/tiktok");
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
  });
});
