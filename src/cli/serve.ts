import { serve as serveHttp } from "@hono/node-server";
import type { Config } from "../config/config.ts";
import { createInstance } from "../server/instance.ts";

/** Start the HTTP server; stops cleanly on SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<number> {
  const started = performance.now();
  const instance = await createInstance(config);
  const server = serveHttp({
    fetch: instance.app.fetch,
    port: instance.config.port,
    hostname: instance.config.host,
    serverOptions: {
      // Slow clients that dribble headers or bodies are cut off.
      headersTimeout: 10_000,
      // How often Node checks those timeouts (30 s by default, which would let a dribbler stay 40 s).
      connectionsCheckingInterval: 2_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : instance.config.port;
  instance.logger.info(
    { port, database: instance.database.dialect, ms: Math.round(performance.now() - started) },
    `Delvia is running at ${instance.config.publicUrl} (listening on ${instance.config.host}:${port})`,
  );
  // Reminders, expiries, re-checks: claimed in the database, so several servers never double up.
  instance.scheduler.start();
  const stop = (signal: string) => {
    instance.logger.info({ signal }, "stopping");
    server.close(() => {
      void instance.close().then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
  return -1;
}
