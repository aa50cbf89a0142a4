import { createHmac } from "node:crypto";
import pino from "pino";
import { parseConfig } from "../config/config.ts";
import { fixedClock } from "../core/clock.ts";
import { ensurePostgresSchema } from "../store/database.ts";
import { testSchemaName } from "../store/test-schema.ts";
import { createInstance, type Instance } from "./instance.ts";
import type { Mailer, OutgoingMail } from "./mail/mailer.ts";

/** The PostgreSQL URL for tests, or undefined: the PostgreSQL suites then say they skipped. */
export const TEST_POSTGRES_URL = process.env.DELVIA_TEST_DATABASE_URL || undefined;

export type TestDialect = "sqlite" | "postgres";

export interface TestInstance extends Instance {
  /** The PostgreSQL schema this instance uses (undefined on SQLite). */
  schema: string | undefined;
  clock: ReturnType<typeof fixedClock>;
  outbox: OutgoingMail[];
  /** Sign up a user and return the cookie header that carries their session. */
  signUp(email: string, name?: string): Promise<string>;
  /** JSON request through the app, in process. */
  call(
    method: string,
    path: string,
    opts?: { cookie?: string; body?: unknown; headers?: Record<string, string>; ip?: string },
  ): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * One factory for tests: a fresh database (in-memory SQLite, or a PostgreSQL schema of its own),
 * a fixed clock, cheap password hashing and an in-memory outbox.
 */
export async function createTestInstance(
  dialect: TestDialect = "sqlite",
  now = "2026-11-24T09:00:00.000Z",
  opts: {
    /** Join another test instance's PostgreSQL schema (a second server on the same database). */
    schema?: string;
    /** Send through this mailer (e.g. real SMTP) instead of the in-memory outbox. */
    mailer?: Mailer;
    /** PostgreSQL: connect as this (existing, login) role; migrations run as the test URL's owner. */
    appRole?: string;
  } = {},
): Promise<TestInstance> {
  const clock = fixedClock(now);
  const outbox: OutgoingMail[] = [];
  const mailer: Mailer = opts.mailer ?? {
    configured: true,
    send: async (m) => {
      outbox.push(m);
    },
  };
  let schema: string | undefined;
  let databaseUrl = ":memory:";
  if (dialect === "postgres") {
    if (!TEST_POSTGRES_URL) throw new Error("DELVIA_TEST_DATABASE_URL is not set");
    schema = opts.schema ?? testSchemaName("t");
    if (!opts.schema) await ensurePostgresSchema(TEST_POSTGRES_URL, schema);
    databaseUrl = TEST_POSTGRES_URL;
    if (opts.appRole) {
      const u = new URL(TEST_POSTGRES_URL);
      u.username = opts.appRole;
      u.password = "";
      databaseUrl = u.toString();
    }
  }
  const config = parseConfig({
    DELVIA_DATABASE_URL: databaseUrl,
    DELVIA_PUBLIC_URL: "http://delvia.test",
    DELVIA_SECRET: "test-secret-test-secret-test-secret-0123",
    DELVIA_DATA_DIR: "/nonexistent-test-data-dir",
    ...(opts.appRole ? { DELVIA_MIGRATION_DATABASE_URL: TEST_POSTGRES_URL } : {}),
  });
  const instance = await createInstance(config, {
    clock,
    mailer,
    logger: pino({ level: process.env.DELVIA_TEST_LOG_LEVEL ?? "silent" }),
    fastPasswordHashing: true,
    apiOnly: true,
    database: schema ? { schema, poolSize: 4 } : {},
  });

  const call: TestInstance["call"] = (method, path, opts = {}) => {
    const headers: Record<string, string> = { origin: "http://delvia.test", ...opts.headers };
    if (opts.cookie) headers.cookie = opts.cookie;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers["content-type"] ??= "application/json";
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    }
    // The client address comes from the socket, as @hono/node-server provides it.
    const env = { incoming: { socket: { remoteAddress: opts.ip ?? "127.0.0.1" } } };
    return Promise.resolve(instance.app.request(`http://delvia.test${path}`, { method, headers, body }, env));
  };

  let ipCounter = 0;
  const signUp = async (email: string, name = email.split("@")[0] ?? "Someone") => {
    // Each sign-up from its own address, so the sign-up rate limit does not trip in tests.
    const res = await call("POST", "/api/auth/sign-up/email", {
      body: { email, password: "correct horse battery", name },
      ip: `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`,
    });
    if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
    const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0]);
    return cookies.join("; ");
  };

  return {
    ...instance,
    schema,
    clock,
    outbox,
    call,
    signUp,
    dispose: async () => {
      await instance.close();
    },
  };
}

export async function readJson<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s), to act as the user's authenticator app in tests. */
export function totp(base32: string, at: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of base32.toUpperCase())
    if (ch !== "=") bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(Number.parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac("sha1", Buffer.from(bytes)).update(counter).digest();
  const o = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
