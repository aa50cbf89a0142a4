import { afterEach, describe, expect, it } from "vitest";
import {
  createTestInstance,
  readJson,
  TEST_POSTGRES_URL,
  type TestDialect,
  type TestInstance,
  totp,
} from "../testing.ts";

const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .filter((c) => !c!.endsWith("="))
    .join("; ");

const instances: TestInstance[] = [];
afterEach(async () => {
  for (const i of instances.splice(0)) await i.dispose();
});
const make = async (dialect: TestDialect = "sqlite", schema?: string) => {
  const t = await createTestInstance(dialect, undefined, schema ? { schema } : {});
  instances.push(t);
  return t;
};
const signIn = (
  t: TestInstance,
  email: string,
  password: string,
  ip: string,
  extra: Record<string, unknown> = {},
) => t.call("POST", "/api/auth/sign-in/email", { body: { email, password, ...extra }, ip });

for (const dialect of ["sqlite", "postgres"] as TestDialect[]) {
  describe.skipIf(dialect === "postgres" && !TEST_POSTGRES_URL)(
    `brute force on one account (${dialect})`,
    () => {
      it("locks the account after 10 wrong passwords from many addresses, across two servers, then the right password is refused too", async () => {
        const a = await make(dialect);
        const b = dialect === "postgres" ? await make(dialect, a.schema) : a;
        await a.signUp("victim@acme.test");
        for (let i = 0; i < 10; i++) {
          const server = i % 2 === 0 ? a : b;
          // A different address each time: the per-address limit never trips, the per-account one does.
          expect(
            (await signIn(server, "victim@acme.test", "wrong password!", `10.77.0.${i + 1}`)).status,
          ).toBe(401);
        }
        for (const server of [a, b]) {
          const locked = await signIn(server, "victim@acme.test", "correct horse battery", "10.78.0.1");
          expect(locked.status).toBe(429);
          expect((await readJson<{ detail: string }>(locked)).detail).toMatch(/locked for 15 minutes/);
        }
        // Other accounts are not affected, and the lock ends by itself.
        await a.signUp("bystander@acme.test");
        expect((await signIn(a, "bystander@acme.test", "correct horse battery", "10.78.0.2")).status).toBe(
          200,
        );
        a.clock.advance(16 * 60_000);
        if (b !== a) b.clock.advance(16 * 60_000);
        expect((await signIn(b, "victim@acme.test", "correct horse battery", "10.78.0.3")).status).toBe(200);
      });
    },
  );
}

describe("sessions and requests from elsewhere", () => {
  it("refuses a state-changing API call from another site (CSRF), and changes nothing", async () => {
    const t = await make();
    const cookie = await t.signUp("olivia@acme.test");
    const evil = await t.call("POST", "/api/v1/workspaces", {
      cookie,
      body: { name: "Evil" },
      headers: { origin: "https://evil.example" },
    });
    expect(evil.status).toBe(403);
    expect((await readJson<{ detail: string }>(evil)).detail).toMatch(/another site/);
    const fetchMeta = await t.call("POST", "/api/v1/workspaces", {
      cookie,
      body: { name: "Evil" },
      headers: { origin: "", "sec-fetch-site": "cross-site" },
    });
    expect(fetchMeta.status).toBe(403);
    const me = await readJson<{ workspaces: unknown[] }>(await t.call("GET", "/api/v1/me", { cookie }));
    expect(me.workspaces).toHaveLength(0);
    // Reading is not a state change; the same site is fine.
    expect(
      (await t.call("GET", "/api/v1/me", { cookie, headers: { origin: "https://evil.example" } })).status,
    ).toBe(200);
    expect((await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } })).status).toBe(201);
  });

  it("does not redirect to another site after sign-in (open redirect)", async () => {
    const t = await make();
    await t.signUp("olivia@acme.test");
    const res = await signIn(t, "olivia@acme.test", "correct horse battery", "10.5.0.1", {
      callbackURL: "https://evil.example/steal",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("location")).toBeNull();
  });

  it("issues a fresh session at sign-in: a token planted beforehand is never the session (fixation)", async () => {
    const t = await make();
    await t.signUp("olivia@acme.test");
    const planted = "delvia.session_token=planted-by-attacker.sig";
    const res = await t.call("POST", "/api/auth/sign-in/email", {
      body: { email: "olivia@acme.test", password: "correct horse battery" },
      headers: { cookie: planted },
      ip: "10.5.0.2",
    });
    expect(res.status).toBe(200);
    const issued = cookieOf(res);
    expect(issued).toContain("delvia.session_token=");
    expect(issued).not.toContain("planted-by-attacker");
    expect((await t.call("GET", "/api/v1/me", { cookie: planted })).status).toBe(401);
    // Two sign-ins, two different sessions; signing one out leaves the other.
    const again = cookieOf(await signIn(t, "olivia@acme.test", "correct horse battery", "10.5.0.3"));
    expect(again).not.toBe(issued);
    await t.call("POST", "/api/auth/sign-out", { cookie: issued, body: {} });
    expect((await t.call("GET", "/api/v1/me", { cookie: issued })).status).toBe(401);
    expect((await t.call("GET", "/api/v1/me", { cookie: again })).status).toBe(200);
  });

  it("the session cookie: another signature or token is nobody, an ended session is refused and removed, a day-old one is extended", async () => {
    const t = await make();
    const cookie = await t.signUp("olivia@acme.test");
    const me = async (c: string) => (await t.call("GET", "/api/v1/me", { cookie: c })).status;
    expect(await me(cookie)).toBe(200);
    const name = "delvia.session_token";
    const pair = cookie.split("; ").find((c) => c.startsWith(`${name}=`))!;
    const raw = decodeURIComponent(pair.slice(name.length + 1));
    const dot = raw.lastIndexOf(".");
    const [token, signature] = [raw.slice(0, dot), raw.slice(dot + 1)];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    for (const forged of [
      `${token}.${flip(signature, 3)}`,
      `${flip(token, 3)}.${signature}`,
      token,
      `${token}.`,
    ])
      expect(await me(`${name}=${encodeURIComponent(forged)}`), forged).toBe(401);
    expect(await me(cookie)).toBe(200);

    const row = () =>
      t.db.selectFrom("session").select(["token", "expiresAt"]).where("token", "=", token).executeTakeFirst();
    const DAY = 86_400_000;
    // Signed in 2 days ago: due for its daily refresh, which moves its end 30 days from now.
    await t.db
      .updateTable("session")
      .set({ expiresAt: new Date(Date.now() + 28 * DAY).toISOString() })
      .where("token", "=", token)
      .execute();
    expect(await me(cookie)).toBe(200);
    expect(new Date((await row())!.expiresAt as string).getTime()).toBeGreaterThan(Date.now() + 29 * DAY);
    // Past its end: refused, and the session is gone.
    await t.db
      .updateTable("session")
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where("token", "=", token)
      .execute();
    expect(await me(cookie)).toBe(401);
    expect(await row()).toBeUndefined();
  });

  it("revoking other sessions ends them on their next request", async () => {
    const t = await make();
    const first = await t.signUp("olivia@acme.test");
    const second = cookieOf(await signIn(t, "olivia@acme.test", "correct horse battery", "10.5.0.4"));
    const r = await t.call("POST", "/api/auth/revoke-other-sessions", { cookie: second, body: {} });
    expect(r.status).toBe(200);
    expect((await t.call("GET", "/api/v1/me", { cookie: first })).status).toBe(401);
    expect((await t.call("GET", "/api/v1/me", { cookie: second })).status).toBe(200);
  });

  it("a TOTP code works once: the same code cannot sign in twice", async () => {
    const t = await make();
    const cookie = await t.signUp("a@x.test");
    const enable = await readJson<{ totpURI: string }>(
      await t.call("POST", "/api/auth/two-factor/enable", {
        cookie,
        body: { password: "correct horse battery" },
      }),
    );
    const secret = new URL(enable.totpURI).searchParams.get("secret")!;
    // Turning it on uses the code of one period; sign in with the next period's code.
    const now = Date.now();
    expect(
      (
        await t.call("POST", "/api/auth/two-factor/verify-totp", {
          cookie,
          body: { code: totp(secret, now - 30_000) },
        })
      ).status,
    ).toBe(200);
    const code = totp(secret, now);
    const first = cookieOf(await signIn(t, "a@x.test", "correct horse battery", "10.6.0.1"));
    expect(
      (
        await t.call("POST", "/api/auth/two-factor/verify-totp", {
          cookie: first,
          body: { code },
          ip: "10.6.0.1",
        })
      ).status,
    ).toBe(200);
    const second = cookieOf(await signIn(t, "a@x.test", "correct horse battery", "10.6.0.2"));
    const replay = await t.call("POST", "/api/auth/two-factor/verify-totp", {
      cookie: second,
      body: { code },
      ip: "10.6.0.2",
    });
    expect(replay.status).toBe(401);
  });

  it("passkeys: sign-in options are offered, and a forged assertion is refused", async () => {
    const t = await make();
    await t.signUp("a@x.test");
    const options = await t.call("GET", "/api/auth/passkey/generate-authenticate-options", {
      ip: "10.6.0.3",
    });
    expect(options.status).toBe(200);
    const o = await readJson<{ challenge: string; rpId: string }>(options);
    expect(o.rpId).toBe("delvia.test");
    const forged = await t.call("POST", "/api/auth/passkey/verify-authentication", {
      cookie: cookieOf(options),
      body: {
        response: {
          id: "AAAA",
          rawId: "AAAA",
          type: "public-key",
          response: { clientDataJSON: "e30", authenticatorData: "AAAA", signature: "AAAA" },
          clientExtensionResults: {},
        },
      },
      ip: "10.6.0.3",
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    expect(cookieOf(forged)).not.toContain("session_token");
  });
});
