import { fileURLToPath } from "node:url";
import pino, { type Logger } from "pino";
import type { Config } from "../config/config.ts";
import { ensureSecret } from "../config/secret.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { type Database, type OpenOptions, openDatabase } from "../store/database.ts";
import { migrateToLatest } from "../store/migrate.ts";
import { createApp } from "./app.ts";
import { createAuth } from "./auth/auth.ts";
import { createMailer } from "./mail/create-mailer.ts";
import type { Mailer } from "./mail/mailer.ts";
import { createWebApp } from "./web-app.ts";

export const ROOT_DIR = fileURLToPath(new URL("../../", import.meta.url));
export const VERSION: string = (await import("../../package.json", { with: { type: "json" } })).default
  .version;

export interface InstanceOptions {
  clock?: Clock;
  logger?: Logger;
  mailer?: Mailer;
  fastPasswordHashing?: boolean;
  database?: OpenOptions;
  /** Skip the web app and guide site (API-only tests). */
  apiOnly?: boolean;
}

/** The composition root: configuration in, a migrated database and a ready app out. */
export async function createInstance(config: Config, options: InstanceOptions = {}) {
  const cfg = ensureSecret(config);
  const logger = options.logger ?? pino({ level: cfg.logLevel, base: undefined });
  const database: Database = openDatabase(cfg.database, options.database);
  try {
    await migrateToLatest(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  const mailer = options.mailer ?? createMailer({ smtpUrl: cfg.smtpUrl, from: cfg.mailFrom, logger });
  const auth = createAuth({
    config: cfg,
    db: database.db,
    dialect: database.dialect,
    mailer,
    fastPasswordHashing: options.fastPasswordHashing,
  });
  const clock = options.clock ?? systemClock;
  const app = createApp({
    config: cfg,
    db: database.db,
    auth,
    mailer,
    clock,
    logger,
    version: VERSION,
    ping: database.ping,
    ...(options.apiOnly ? {} : { webApp: createWebApp(`${ROOT_DIR}dist/web`) }),
  });
  return { app, auth, database, db: database.db, config: cfg, logger, mailer, close: () => database.close() };
}

export type Instance = Awaited<ReturnType<typeof createInstance>>;
