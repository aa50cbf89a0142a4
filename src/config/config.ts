import { z } from "zod";

/**
 * Every setting Delvia reads, with its environment variable. Parsed once at start-up into a
 * frozen object that is passed down; nothing else reads the environment.
 */
export const SETTINGS = {
  port: { env: "DELVIA_PORT", flag: "--port", help: "TCP port to listen on", default: "8080" },
  host: {
    env: "DELVIA_HOST",
    flag: "--host",
    help: "interface to bind (0.0.0.0 to reach it from a phone on your network)",
    default: "127.0.0.1",
  },
  databaseUrl: {
    env: "DELVIA_DATABASE_URL",
    flag: "--db",
    help: "SQLite file path, or a postgres:// URL",
    default: "<data dir>/delvia.db",
  },
  migrationDatabaseUrl: {
    env: "DELVIA_MIGRATION_DATABASE_URL",
    flag: null,
    help: "PostgreSQL only: a postgres:// URL of the role that owns the tables; migrations run as it and grant the app's role (DELVIA_DATABASE_URL) only reading and writing rows",
    default: "",
  },
  dataDir: {
    env: "DELVIA_DATA_DIR",
    flag: "--data-dir",
    help: "folder for the SQLite file and the generated secret",
    default: "./data",
  },
  publicUrl: {
    env: "DELVIA_PUBLIC_URL",
    flag: "--public-url",
    help: "the address people open, used in links and cookies",
    default: "http://localhost:<port>",
  },
  secret: {
    env: "DELVIA_SECRET",
    flag: null,
    help: "session signing secret, at least 32 characters (generated and stored in the data dir if absent)",
    default: "generated",
  },
  trustedOrigins: {
    env: "DELVIA_TRUSTED_ORIGINS",
    flag: null,
    help: "comma-separated extra origins allowed to call the API",
    default: "",
  },
  smtpUrl: {
    env: "DELVIA_SMTP_URL",
    flag: null,
    help: "smtp:// or smtps:// URL of the mail server; without it emails go to the log",
    default: "",
  },
  mailFrom: {
    env: "DELVIA_MAIL_FROM",
    flag: null,
    help: "sender address of Delvia's emails",
    default: "Delvia <delvia@localhost>",
  },
  logLevel: {
    env: "DELVIA_LOG_LEVEL",
    flag: null,
    help: "fatal, error, warn, info, debug or silent",
    default: "info",
  },
} as const;

export type SettingName = keyof typeof SETTINGS;

const urlWithProtocol = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
  );

const schema = z.object({
  port: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(0, "must be 0-65535")
    .max(65535, "must be 0-65535"),
  host: z.string().min(1, "must not be empty"),
  dataDir: z.string().min(1, "must not be empty"),
  databaseUrl: z.string().min(1, "must not be empty"),
  publicUrl: urlWithProtocol(["http:", "https:"]),
  secret: z.string().min(32, "must be at least 32 characters (or leave it unset to generate one)").optional(),
  trustedOrigins: z.array(urlWithProtocol(["http:", "https:"])),
  smtpUrl: urlWithProtocol(["smtp:", "smtps:"]).optional(),
  migrationDatabaseUrl: urlWithProtocol(["postgres:", "postgresql:"]).optional(),
  mailFrom: z.string().min(3),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
    error: "must be one of fatal, error, warn, info, debug, silent",
  }),
});

export type DatabaseTarget = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  readonly publicUrl: string;
  /** Absent until `ensureSecret` fills it in from the data dir. */
  readonly secret: string | undefined;
  readonly trustedOrigins: readonly string[];
  readonly smtpUrl: string | undefined;
  /** PostgreSQL: the owner role's URL for migrations; the app then runs with row access only. */
  readonly migrationDatabaseUrl: string | undefined;
  readonly mailFrom: string;
  readonly logLevel: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function databaseTarget(value: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: "postgres", url: value };
  return { kind: "sqlite", path: value.replace(/^(sqlite|file):(\/\/)?/i, "") };
}

/**
 * Parse settings from flags (which win) and the environment. Throws a `ConfigError` whose
 * message is one line naming the setting and the fix.
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  flags: Partial<Record<SettingName, string>> = {},
): Config {
  const raw = (name: SettingName): string | undefined => {
    const v = flags[name] ?? env[SETTINGS[name].env];
    return v === undefined || v === "" ? undefined : v;
  };
  const port = raw("port") ?? SETTINGS.port.default;
  const dataDir = raw("dataDir") ?? SETTINGS.dataDir.default;
  const input = {
    port,
    host: raw("host") ?? SETTINGS.host.default,
    dataDir,
    databaseUrl: raw("databaseUrl") ?? `${dataDir.replace(/\/$/, "")}/delvia.db`,
    publicUrl: (raw("publicUrl") ?? `http://localhost:${port}`).replace(/\/$/, ""),
    secret: raw("secret"),
    trustedOrigins: (raw("trustedOrigins") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    smtpUrl: raw("smtpUrl"),
    migrationDatabaseUrl: raw("migrationDatabaseUrl"),
    mailFrom: raw("mailFrom") ?? SETTINGS.mailFrom.default,
    logLevel: raw("logLevel") ?? SETTINGS.logLevel.default,
  };
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]) as SettingName;
    const setting = SETTINGS[name];
    const where = setting.flag ? `${setting.env} (or ${setting.flag})` : setting.env;
    throw new ConfigError(`Invalid setting ${where}: ${issue.message}; got ${JSON.stringify(input[name])}.`);
  }
  const c = parsed.data;
  return Object.freeze({
    port: c.port,
    host: c.host,
    dataDir: c.dataDir,
    database: databaseTarget(c.databaseUrl),
    publicUrl: c.publicUrl,
    secret: c.secret,
    trustedOrigins: Object.freeze([...c.trustedOrigins]),
    smtpUrl: c.smtpUrl,
    migrationDatabaseUrl: c.migrationDatabaseUrl,
    mailFrom: c.mailFrom,
    logLevel: c.logLevel,
  });
}

export function settingsHelp(): string {
  const rows = Object.values(SETTINGS).map((s) => {
    const name = s.flag ? `${s.env}, ${s.flag}` : s.env;
    return `  ${name.padEnd(36)} ${s.help} (default: ${s.default || "none"})`;
  });
  return ["Settings (environment variable, flag):", ...rows].join("\n");
}
