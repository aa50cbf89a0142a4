import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestInstance, readJson, type TestInstance, totp } from "../testing.ts";

const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .filter((c) => !c!.endsWith("="))
    .join("; ");

let t: TestInstance;
beforeEach(async () => {
  t = await createTestInstance("sqlite");
});
afterEach(() => t.dispose());

const signIn = (email: string, password: string, ip = "10.9.9.9") =>
  t.call("POST", "/api/auth/sign-in/email", { body: { email, password }, ip });

describe("accounts and sessions", () => {
  it("sets the session cookie HttpOnly and SameSite=Lax", async () => {
    const res = await t.call("POST", "/api/auth/sign-up/email", {
      body: { email: "a@x.test", password: "correct horse battery", name: "A" },
      ip: "10.1.1.1",
    });
    const cookie = res.headers.getSetCookie().find((c) => c.includes("session_token"))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it("refuses a short password with a clear message", async () => {
    const res = await t.call("POST", "/api/auth/sign-up/email", {
      body: { email: "a@x.test", password: "short", name: "A" },
      ip: "10.1.1.2",
    });
    expect(res.status).toBe(400);
  });

  it("signing out ends the session on the very next request", async () => {
    const cookie = await t.signUp("a@x.test");
    expect((await t.call("GET", "/api/v1/me", { cookie })).status).toBe(200);
    await t.call("POST", "/api/auth/sign-out", { cookie, body: {} });
    expect((await t.call("GET", "/api/v1/me", { cookie })).status).toBe(401);
  });

  it("slows down repeated wrong passwords from one address (the limit is kept in the database)", async () => {
    await t.signUp("a@x.test");
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await signIn("a@x.test", "wrong password!", "10.7.7.7")).status);
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const rows = await t.db
      .selectFrom("rateLimit" as never)
      .selectAll()
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await signIn("a@x.test", "correct horse battery", "10.8.8.8")).status).toBe(200);
  });

  it("resets a password through the emailed link, once only", async () => {
    await t.signUp("a@x.test");
    await t.call("POST", "/api/auth/request-password-reset", {
      body: { email: "a@x.test", redirectTo: "/app/reset-password" },
      ip: "10.2.2.2",
    });
    const mail = t.outbox.find((m) => m.subject.includes("Reset"))!;
    expect(mail.to).toBe("a@x.test");
    const link = mail.text.match(/https?:\/\/\S+/)![0];
    const token = new URL(link).pathname.split("/").pop()!;
    const first = await t.call("POST", "/api/auth/reset-password", {
      body: { newPassword: "a brand new passphrase", token },
      ip: "10.2.2.3",
    });
    expect(first.status).toBe(200);
    expect((await signIn("a@x.test", "a brand new passphrase", "10.2.2.4")).status).toBe(200);
    const again = await t.call("POST", "/api/auth/reset-password", {
      body: { newPassword: "another passphrase!", token },
      ip: "10.2.2.5",
    });
    expect(again.status).toBe(400);
  });

  it("turns on two-factor with a TOTP app, then asks for a code at sign-in, and a wrong code is refused", async () => {
    const cookie = await t.signUp("a@x.test");
    const enable = await readJson<{ totpURI: string; backupCodes: string[] }>(
      await t.call("POST", "/api/auth/two-factor/enable", {
        cookie,
        body: { password: "correct horse battery" },
      }),
    );
    const secret = new URL(enable.totpURI).searchParams.get("secret")!;
    expect(enable.backupCodes.length).toBeGreaterThan(0);
    // The previous period's code turns it on (codes are accepted one period either side); the
    // current one signs in below — each code works once.
    const verify = await t.call("POST", "/api/auth/two-factor/verify-totp", {
      cookie,
      body: { code: totp(secret, Date.now() - 30_000) },
    });
    expect(verify.status).toBe(200);
    // Turning two-factor on starts a fresh session.
    const fresh = cookieOf(verify) || cookie;
    const me = await readJson<{ user: { twoFactorEnabled: boolean } }>(
      await t.call("GET", "/api/v1/me", { cookie: fresh }),
    );
    expect(me.user.twoFactorEnabled).toBe(true);

    const step1 = await signIn("a@x.test", "correct horse battery", "10.3.3.3");
    expect(await readJson<{ twoFactorRedirect?: boolean }>(step1)).toMatchObject({ twoFactorRedirect: true });
    const pending = cookieOf(step1);
    expect((await t.call("GET", "/api/v1/me", { cookie: pending })).status).toBe(401);
    const wrong = await t.call("POST", "/api/auth/two-factor/verify-totp", {
      cookie: pending,
      body: { code: "000000" },
      ip: "10.3.3.3",
    });
    expect(wrong.status).toBe(401);
    const ok = await t.call("POST", "/api/auth/two-factor/verify-totp", {
      cookie: pending,
      body: { code: totp(secret, Date.now()) },
      ip: "10.3.3.3",
    });
    expect(ok.status).toBe(200);
    expect((await t.call("GET", "/api/v1/me", { cookie: cookieOf(ok) })).status).toBe(200);
  });

  it("offers passkey registration to a signed-in user", async () => {
    const cookie = await t.signUp("a@x.test");
    const res = await t.call("GET", "/api/auth/passkey/generate-register-options", { cookie });
    expect(res.status).toBe(200);
    const options = await readJson<{ challenge: string; rp: { name: string; id: string } }>(res);
    expect(options.rp).toEqual({ name: "Delvia", id: "delvia.test" });
    expect(options.challenge.length).toBeGreaterThan(10);
  });
});
