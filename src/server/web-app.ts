import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { setResponseHeader } from "./response-headers.ts";

/**
 * The built Record app (dist/web) at /app: hashed assets are cached for a year, the service
 * worker and the HTML shell are revalidated every time, and any other path under /app gets the
 * shell so client-side routes survive a reload.
 */
export function createWebApp(distDir: string): Hono {
  const app = new Hono();
  const indexFile = join(distDir, "index.html");
  if (!existsSync(indexFile)) {
    app.get("*", (c) =>
      c.html(
        "<!doctype html><title>Delvia</title><main><h1>The app is not built yet</h1><p>Run <code>npm start</code>, which builds it first.</p></main>",
        503,
      ),
    );
    return app;
  }
  const shell = readFileSync(indexFile, "utf8");
  app.use("/assets/*", async (c, next) => {
    await next();
    if (c.res.status === 200) setResponseHeader(c, "cache-control", "public, max-age=31536000, immutable");
  });
  app.use("*", async (c, next) => {
    await next();
    if (!c.res.headers.has("cache-control")) setResponseHeader(c, "cache-control", "no-cache");
  });
  app.use("*", serveStatic({ root: distDir, rewriteRequestPath: (p) => p.replace(/^\/app/, "") || "/" }));
  app.get("*", (c) => c.html(shell));
  return app;
}
