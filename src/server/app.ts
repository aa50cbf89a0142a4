import { OpenAPIHono } from "@hono/zod-openapi";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Config } from "../config/config.ts";
import type { Clock } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import { uuidv7 } from "../core/ids.ts";
import { durable } from "../store/bulk-insert.ts";
import { scanInThreads } from "../store/findings-scan.ts";
import type { DB } from "../store/schema.ts";
import { type WriteScope, writesOf } from "../store/sqlite.ts";
import { ACCESS_EXTENSION } from "./access.ts";
import { AccessService } from "./access-service.ts";
import type { Auth } from "./auth/auth.ts";
import { AuthGuards } from "./auth/guards.ts";
import { createSessionLookup } from "./auth/session-lookup.ts";
import { apiReferencePage } from "./docs.ts";
import type { AppEnv } from "./env.ts";
import { countOutsidersFromIndex } from "./findings-service.ts";
import type { GuideLibrary } from "./guides/load.ts";
import type { Mailer } from "./mail/mailer.ts";
import { Notifier } from "./notifier.ts";
import { PageService } from "./pages-service.ts";
import { problemResponse, toAppError } from "./problem.ts";
import { setResponseHeader } from "./response-headers.ts";
import { createRouter } from "./router.ts";
import { accessRoutes } from "./routes/access.ts";
import { findingsRoutes } from "./routes/findings.ts";
import { guideProgressRoutes } from "./routes/guide-progress.ts";
import { importExportRoutes } from "./routes/import-export.ts";
import { invitationRoutes } from "./routes/invitations.ts";
import { meRoutes } from "./routes/me.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { pageRoutes } from "./routes/pages.ts";
import { planRoutes } from "./routes/plans.ts";
import { recordRoutes } from "./routes/record.ts";
import { requestRoutes } from "./routes/requests.ts";
import { reviewRoutes } from "./routes/reviews.ts";
import { searchRoutes } from "./routes/search.ts";
import { workspaceRoutes } from "./routes/workspaces.ts";

export const API_BODY_LIMIT = 1024 * 1024;

export interface AppDeps {
  config: Config;
  db: Kysely<DB>;
  auth: Auth;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  version: string;
  ping: () => Promise<void>;
  /** In-memory access indexes; one per app server. */
  access?: AccessService;
  /** Inboxes and email; shared with the scheduler. */
  notifier?: Notifier;
  /** The Record web app (static files), mounted at /app. */
  webApp?: Hono;
  /** The public guide site, mounted at / (home, /guides, sitemap, robots). */
  guideSite?: Hono;
  /** Guide JSON routes, mounted under /api/v1. */
  guideApi?: ReturnType<typeof createRouter>;
  /** The guide library, for in-app guides followed as checklists. */
  library?: GuideLibrary;
  /** CSP hashes of inline scripts the guide site uses. */
  scriptHashes?: string[];
}

export function createApp(deps: AppDeps) {
  const { auth, logger, config } = deps;
  const app = new OpenAPIHono<AppEnv>();

  app.use("*", async (c, next) => {
    const requestId = uuidv7();
    c.set("requestId", requestId);
    c.set("caller", null);
    const log = logger.child({ requestId });
    c.set("logger", log);
    const started = performance.now();
    const writes: WriteScope = { wrote: 0 };
    await writesOf(writes, next);
    // Whatever this request wrote (better-auth's own writes too) is on stable storage before the
    // answer leaves: SQLite syncs its WAL off the event loop here; on PostgreSQL this is a no-op.
    // A request that wrote nothing answers at once, without waiting for the sync of writes that
    // other requests are making meanwhile (docs/decisions/0002, "Reads do not wait").
    if (writes.wrote > 0) await durable(deps.db, writes.wrote);
    setResponseHeader(c, "x-request-id", requestId);
    if (log.isLevelEnabled("info")) {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      log.info(
        { method: c.req.method, path: new URL(c.req.url).pathname, status: c.res.status, ms },
        "request",
      );
    }
  });

  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...(deps.scriptHashes ?? []).map((h) => `'${h}'`)],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        manifestSrc: ["'self'"],
        workerSrc: ["'self'"],
      },
      referrerPolicy: "strict-origin-when-cross-origin",
      xFrameOptions: "DENY",
      xContentTypeOptions: "nosniff",
      strictTransportSecurity: config.publicUrl.startsWith("https:")
        ? "max-age=31536000; includeSubDomains"
        : false,
      crossOriginEmbedderPolicy: false,
    }),
  );

  // Counts bytes as they arrive, so chunked bodies without Content-Length are bounded too.
  // Imports carry files and set their own, larger limit on their route.
  const apiBodyLimit = bodyLimit({
    maxSize: API_BODY_LIMIT,
    onError: () => {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `The request body is larger than ${API_BODY_LIMIT / 1024} KiB.`,
      );
    },
  });
  app.use("/api/*", (c, next) => {
    if (c.req.method === "POST" && c.req.path.endsWith("/import")) return next();
    // A read without Content-Length or Transfer-Encoding has no body on the wire (RFC 9112 §6.3),
    // and no GET handler reads one: nothing to count. Asking the limit would read `body`, which
    // turns the light request @hono/node-server gives into a full WHATWG Request, on every read.
    const read = c.req.method === "GET" || c.req.method === "HEAD";
    if (read && !c.req.header("content-length") && !c.req.header("transfer-encoding")) return next();
    return apiBodyLimit(c, next);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await deps.ping();
      return c.json({ status: "ready", database: "ok" });
    } catch (err) {
      c.get("logger").error({ err }, "readiness check failed");
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
  });

  // Workspaces are managed only through Delvia's routes, which apply Delvia's policy.
  app.all("/api/auth/organization/*", () => {
    throw new AppError("NOT_FOUND", "There is nothing at this address.");
  });
  const guards = new AuthGuards(deps.db, deps.clock, config.publicUrl);
  app.on(["GET", "POST"], "/api/auth/*", async (c) => {
    // Rate limits key on the client address; the only trusted source is the socket itself.
    const remote = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
      ?.socket?.remoteAddress;
    const headers = new Headers(c.req.raw.headers);
    headers.set("x-delvia-client-ip", remote ?? "127.0.0.1");
    const path = c.req.path.slice("/api/auth".length);
    let raw: string | undefined;
    let body: Record<string, unknown> | null = null;
    if (c.req.method === "POST") {
      raw = await c.req.text();
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
      } catch {}
    }
    if (body) guards.checkCallbacks(body);
    const email =
      path === "/sign-in/email" && typeof body?.email === "string" ? body.email.trim().toLowerCase() : null;
    if (email) await guards.refuseIfLocked(email);
    const res = await auth.handler(new Request(c.req.raw.url, { method: c.req.method, headers, body: raw }));
    if (email && (res.status === 200 || res.status === 401))
      await guards.recordSignIn(email, res.status === 200);
    if (path === "/two-factor/verify-totp" && res.status === 200 && typeof body?.code === "string") {
      const out = (await res.clone().json()) as { token?: string; user?: { id?: string } };
      if (out.user?.id && !(await guards.consumeTotp(out.user.id, body.code))) {
        if (out.token) await deps.db.deleteFrom("session").where("token", "=", out.token).execute();
        throw new AppError(
          "UNAUTHENTICATED",
          "This code was already used: wait for the next one in your app.",
        );
      }
    }
    return res;
  });

  const api = createRouter();
  api.use("*", async (c, next) => {
    guards.checkSameSite(c.req.method, c.req.raw.headers, [...config.trustedOrigins]);
    await next();
  });
  const sessionOf = createSessionLookup(auth, deps.db);
  api.use("*", async (c, next) => {
    const caller = await sessionOf(c);
    if (caller) c.set("caller", caller);
    await next();
  });
  api.route("/", meRoutes(deps));
  api.route("/", workspaceRoutes(deps));
  api.route("/", invitationRoutes(deps));
  api.route("/", recordRoutes(deps));
  api.route("/", importExportRoutes(deps));
  api.route("/", findingsRoutes(deps));
  api.route("/", searchRoutes(deps));
  const access = deps.access ?? new AccessService(deps.db);
  countOutsidersFromIndex(deps.db, access);
  scanInThreads(deps.db);
  const notifier =
    deps.notifier ?? new Notifier({ db: deps.db, mailer: deps.mailer, publicUrl: config.publicUrl, logger });
  api.route("/", accessRoutes(deps, access));
  api.route("/", pageRoutes(deps, new PageService(deps.db, deps.clock, access)));
  api.route("/", requestRoutes({ ...deps, notifier }));
  api.route("/", planRoutes(deps, access));
  api.route("/", notificationRoutes(deps));
  api.route("/", reviewRoutes(deps));
  if (deps.guideApi) api.route("/", deps.guideApi);
  if (deps.library) api.route("/", guideProgressRoutes(deps, deps.library));
  app.route("/api/v1", api);

  const openapi = () =>
    app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Delvia API",
        version: deps.version,
        description:
          "The Record and the guide library. Authentication: a session cookie from /api/auth (email and password, passkeys, two-factor).",
      },
      servers: [{ url: config.publicUrl }],
    });
  assertEveryRouteDeclaresAccess(openapi());
  app.get("/api/openapi.json", (c) => c.json(openapi()));
  app.get("/api/docs", (c) => c.html(apiReferencePage(openapi())));
  app.all("/api/*", () => {
    throw new AppError("NOT_FOUND", "There is no API route at this address: see /api/docs.");
  });

  // The service worker's scope is /app/: a page opened at /app would fall outside it.
  app.get("/app", (c) => c.redirect("/app/", 301));
  if (deps.webApp) app.route("/app", deps.webApp);
  if (deps.guideSite) app.route("/", deps.guideSite);

  app.notFound((c) => problemResponse(c, new AppError("NOT_FOUND", "There is nothing at this address.")));
  app.onError((err, c) => {
    const appError = toAppError(err);
    if (appError.code === "INTERNAL") c.get("logger")?.error({ err }, "unhandled error");
    return problemResponse(c, appError);
  });
  return app;
}

type OpenApiDoc = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

/** Refuse to start if any API operation was registered without `defineRoute`. */
function assertEveryRouteDeclaresAccess(doc: OpenApiDoc): void {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (typeof op !== "object" || op === null || !("responses" in op)) continue;
      if (!(ACCESS_EXTENSION in op))
        throw new Error(
          `${method.toUpperCase()} ${path} was registered without defineRoute(): it has no access rule.`,
        );
    }
  }
}
