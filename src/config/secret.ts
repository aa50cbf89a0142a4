import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";

/**
 * Fill in the session secret: the configured one, or the one stored in the data dir, or a new
 * one written there (mode 0600) so sessions survive restarts.
 */
export function ensureSecret(config: Config): Config {
  if (config.secret) return config;
  const file = join(config.dataDir, "secret");
  let secret: string;
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(config.dataDir, { recursive: true });
    secret = randomBytes(32).toString("base64url");
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  }
  return Object.freeze({ ...config, secret });
}

/** The instance secret if one exists (set, or generated earlier into the data dir); never creates one. */
export function existingSecret(config: Config): string | undefined {
  if (config.secret) return config.secret;
  try {
    return readFileSync(join(config.dataDir, "secret"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
