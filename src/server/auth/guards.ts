import type { Kysely } from "kysely";
import type { Clock } from "../../core/clock.ts";
import { AppError } from "../../core/errors.ts";
import type { DB } from "../../store/schema.ts";
import { toIso } from "../../store/schema.ts";

/** After this many failed sign-ins within the window, the account is locked for the same time. */
export const LOCK_AFTER_FAILURES = 10;
export const LOCK_WINDOW_MS = 15 * 60_000;
/** A TOTP code is valid for its 30-second period and one on each side: remember uses this long. */
const TOTP_MEMORY_MS = 2 * 60_000;

const CALLBACK_FIELDS = ["callbackURL", "redirectTo", "newUserCallbackURL", "errorCallbackURL"];

/**
 * Guards around better-auth's routes, all kept in the database so they hold across servers:
 * return addresses must stay on this site, an account locks after repeated failed sign-ins
 * (whatever addresses they come from), and a TOTP code cannot be used twice.
 */
export class AuthGuards {
  readonly #db: Kysely<DB>;
  readonly #clock: Clock;
  readonly #origin: string;

  constructor(db: Kysely<DB>, clock: Clock, publicUrl: string) {
    this.#db = db;
    this.#clock = clock;
    this.#origin = new URL(publicUrl).origin;
  }

  /** Refuse a return address on another site (open redirect). */
  checkCallbacks(body: Record<string, unknown>): void {
    for (const field of CALLBACK_FIELDS) {
      const v = body[field];
      if (typeof v !== "string" || v === "") continue;
      const local = v.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\");
      let sameSite = false;
      try {
        sameSite = new URL(v).origin === this.#origin;
      } catch {}
      if (!local && !sameSite)
        throw new AppError("FORBIDDEN", "The address to return to must be on this site.", {
          problems: [{ path: field, message: "must be a path on this site" }],
        });
    }
  }

  async refuseIfLocked(email: string): Promise<void> {
    const row = await this.#db
      .selectFrom("sign_in_guard")
      .selectAll()
      .where("email", "=", email)
      .executeTakeFirst();
    const now = this.#clock.now().getTime();
    if (row?.locked_until && Date.parse(toIso(row.locked_until)) > now) {
      const until = new Date(Date.parse(toIso(row.locked_until)));
      throw new AppError(
        "RATE_LIMITED",
        `This account is locked for 15 minutes after ${LOCK_AFTER_FAILURES} failed sign-ins; try again after ${until.toISOString().slice(11, 16)} UTC, or reset the password.`,
      );
    }
  }

  async recordSignIn(email: string, ok: boolean): Promise<void> {
    const now = this.#clock.now();
    if (ok) {
      await this.#db.deleteFrom("sign_in_guard").where("email", "=", email).execute();
      return;
    }
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("sign_in_guard")
        .selectAll()
        .where("email", "=", email)
        .executeTakeFirst();
      const fresh = !row || now.getTime() - Date.parse(toIso(row.window_started_at)) > LOCK_WINDOW_MS;
      const failures = fresh ? 1 : Number(row.failures) + 1;
      const values = {
        email,
        failures,
        window_started_at: fresh ? now.toISOString() : toIso(row.window_started_at),
        locked_until:
          failures >= LOCK_AFTER_FAILURES ? new Date(now.getTime() + LOCK_WINDOW_MS).toISOString() : null,
      };
      await trx
        .insertInto("sign_in_guard")
        .values(values)
        .onConflict((oc) =>
          oc.column("email").doUpdateSet({
            failures: values.failures,
            window_started_at: values.window_started_at,
            locked_until: values.locked_until,
          }),
        )
        .execute();
    });
  }

  /** Remember a TOTP code as used by this user; false when it was already used (a replay). */
  async consumeTotp(userId: string, code: string): Promise<boolean> {
    const now = this.#clock.now();
    await this.#db
      .deleteFrom("totp_use")
      .where("used_at", "<", new Date(now.getTime() - TOTP_MEMORY_MS).toISOString())
      .execute();
    const r = await this.#db
      .insertInto("totp_use")
      .values({ user_id: userId, code, used_at: now.toISOString() })
      .onConflict((oc) => oc.columns(["user_id", "code"]).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Refuse a state-changing API call that a browser made from another site (CSRF). */
  checkSameSite(method: string, headers: Headers, trusted: string[]): void {
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return;
    const origin = headers.get("origin");
    if (origin && origin !== "" && ![this.#origin, ...trusted].includes(origin))
      throw new AppError(
        "FORBIDDEN",
        "This request came from another site: Delvia only accepts changes made from its own pages.",
      );
    if (!origin && headers.get("sec-fetch-site") === "cross-site")
      throw new AppError(
        "FORBIDDEN",
        "This request came from another site: Delvia only accepts changes made from its own pages.",
      );
  }
}
