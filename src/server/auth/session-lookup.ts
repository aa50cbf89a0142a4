import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Kysely } from "kysely";
import { compiledQuery } from "../../store/compiled.ts";
import type { DB } from "../../store/schema.ts";
import type { Auth } from "./auth.ts";

export interface SessionCaller {
  userId: string;
  email: string;
  name: string;
  sessionId: string;
}

/**
 * The caller of an API request, from its session cookie, checked on every request (there is no
 * cookie cache: a revoked session stops working on the next request).
 *
 * The common case — a correctly signed cookie naming a live session that is not due for its
 * daily refresh — is answered here: the cookie's HMAC checked with Node's crypto (better-auth
 * imports the key anew for each request through WebCrypto), then the session and its user read
 * in one query. Everything else goes to better-auth's own `getSession`, which also refreshes and
 * cleans up: a session due for refresh or past its end, and "don't remember me" sessions. A
 * cookie with a bad signature, or naming no session, is nobody, as in better-auth.
 */
/** A session and its user, by the session's token: asked on every request, so compiled once. */
const sessionByToken = compiledQuery<[token: string], SessionRow>((db, token) =>
  db
    .selectFrom("session as s")
    .innerJoin("user as u", "u.id", "s.userId")
    .select(["s.id", "s.userId", "s.expiresAt", "u.email", "u.name"])
    .where("s.token", "=", token),
);
interface SessionRow {
  id: string;
  userId: string;
  expiresAt: unknown;
  email: string;
  name: string;
}

export function createSessionLookup(auth: Auth, db: Kysely<DB>) {
  const settings = (async () => {
    const ctx = await auth.$context;
    return {
      cookie: ctx.authCookies.sessionToken.name,
      dontRemember: ctx.authCookies.dontRememberToken.name,
      secret: ctx.secret,
      expiresInMs: ctx.sessionConfig.expiresIn * 1000,
      updateAgeMs: ctx.sessionConfig.updateAge * 1000,
    };
  })();

  const viaBetterAuth = async (c: Context): Promise<SessionCaller | null> => {
    const session = await auth.api.getSession({ headers: c.req.raw.headers });
    return session
      ? {
          userId: session.user.id,
          email: session.user.email,
          name: session.user.name,
          sessionId: session.session.id,
        }
      : null;
  };

  return async (c: Context): Promise<SessionCaller | null> => {
    const s = await settings;
    const value = getCookie(c, s.cookie);
    if (!value) return null;
    if (getCookie(c, s.dontRemember) !== undefined) return viaBetterAuth(c);
    const dot = value.lastIndexOf(".");
    if (dot < 1) return null;
    const token = value.slice(0, dot);
    // Exactly the base64 text better-auth writes (no other spelling of the same bytes).
    const signature = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(createHmac("sha256", s.secret).update(token).digest("base64"));
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
    const [row] = await sessionByToken(db, token);
    if (!row) return null;
    const expiresAt = new Date(row.expiresAt as string | number | Date).getTime();
    const now = Date.now();
    // Past its end, or due for the daily refresh: better-auth ends or extends it.
    if (!(expiresAt > now) || expiresAt - s.expiresInMs + s.updateAgeMs <= now) return viaBetterAuth(c);
    return { userId: row.userId, email: row.email, name: row.name, sessionId: row.id };
  };
}
