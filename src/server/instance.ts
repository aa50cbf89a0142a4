import { fileURLToPath } from "node:url";
import pino, { type Logger } from "pino";
import type { Config } from "../config/config.ts";
import { ensureSecret } from "../config/secret.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import { type Database, type OpenOptions, openDatabase } from "../store/database.ts";
import { KyselyGuideFeedbackStore } from "../store/guide-feedback.ts";
import { sealKey } from "../store/history-seal.ts";
import { migrateToLatest } from "../store/migrate.ts";
import { grantAppRole, roleOf } from "../store/pg-roles.ts";
import { AccessService } from "./access-service.ts";
import { createApp } from "./app.ts";
import { createAuth } from "./auth/auth.ts";
import { createGuideApi } from "./guides/api.ts";
import { loadGuideLibrary } from "./guides/load.ts";
import { THEME_SCRIPT_HASH } from "./guides/render.ts";
import { createGuideSite } from "./guides/site.ts";
import { createMailer } from "./mail/create-mailer.ts";
import type { Mailer } from "./mail/mailer.ts";
import { Notifier } from "./notifier.ts";
import { Scheduler } from "./scheduler.ts";
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
  /** Skip the built web app (tests that need no browser). */
  apiOnly?: boolean;
  /** Where the guide files live; the project's content/guides by default. */
  guidesDir?: string;
}

/** The composition root: configuration in, a migrated database and a ready app out. */
export async function createInstance(config: Config, options: InstanceOptions = {}) {
  const cfg = ensureSecret(config);
  const logger = options.logger ?? pino({ level: cfg.logLevel, base: undefined });
  const database: Database = openDatabase(cfg.database, {
    backgroundCheckpoints: true,
    onSlowQuery: ({ sql, ms }) => logger.warn({ sql, ms }, "slow database query"),
    ...options.database,
  });
  try {
    if (cfg.migrationDatabaseUrl && cfg.database.kind === "postgres") {
      // Migrations as the owner; the app keeps only row access (no DDL, no rewriting history).
      const owner = openDatabase(
        { kind: "postgres", url: cfg.migrationDatabaseUrl },
        { ...options.database, poolSize: 1 },
      );
      try {
        await migrateToLatest(owner.db, owner.schema);
        await grantAppRole(owner.db, roleOf(cfg.database.url), owner.schema);
      } finally {
        await owner.close();
      }
    } else await migrateToLatest(database.db, database.schema);
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
  const library = loadGuideLibrary(options.guidesDir ?? `${ROOT_DIR}content/guides`);
  const access = new AccessService(database.db);
  const notifier = new Notifier({ db: database.db, mailer, publicUrl: cfg.publicUrl, logger });
  const scheduler = new Scheduler({
    db: database.db,
    clock,
    notifier,
    access,
    library,
    publicUrl: cfg.publicUrl,
    logger: logger.child({ module: "scheduler" }),
    sealKey: sealKey(cfg.secret!),
  });
  const app = createApp({
    access,
    notifier,
    config: cfg,
    db: database.db,
    auth,
    mailer,
    clock,
    logger,
    version: VERSION,
    ping: database.ping,
    guideApi: createGuideApi(database.db, library),
    library,
    guideSite: createGuideSite({
      library,
      feedback: new KyselyGuideFeedbackStore(database.db),
      publicUrl: cfg.publicUrl,
      clock,
    }),
    scriptHashes: [THEME_SCRIPT_HASH],
    ...(options.apiOnly ? {} : { webApp: createWebApp(`${ROOT_DIR}dist/web`) }),
  });
  return {
    app,
    auth,
    library,
    database,
    db: database.db,
    config: cfg,
    logger,
    mailer,
    access,
    notifier,
    scheduler,
    close: async () => {
      await scheduler.stop();
      await database.close();
    },
  };
}

export type Instance = Awaited<ReturnType<typeof createInstance>>;
