import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstance, type TestInstance } from "./testing.ts";

// Over a real socket: @hono/node-server writes a handler's light response straight out, and the
// headers middleware add after the handler must reach the wire whatever kind of answer it was.
describe("headers on every answer, over HTTP", () => {
  let t: TestInstance;
  let server: ReturnType<typeof serve>;
  let base: string;
  let cookie: string;

  beforeAll(async () => {
    t = await createTestInstance();
    cookie = await t.signUp("ana@example.test", "Ana");
    server = serve({ fetch: t.app.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.dispose();
  });

  const answers: [string, string, number, (body: unknown) => void][] = [
    [
      "an API read",
      "/api/v1/me",
      200,
      (b) => expect(b).toMatchObject({ user: { email: "ana@example.test" } }),
    ],
    [
      "an API error",
      "/api/v1/workspaces/nope/accounts",
      404,
      (b) => expect(b).toMatchObject({ status: 404 }),
    ],
    [
      "better-auth's own answer",
      "/api/auth/get-session",
      200,
      (b) => expect(b).toMatchObject({ user: { name: "Ana" } }),
    ],
    ["a health check", "/healthz", 200, (b) => expect(b).toEqual({ status: "ok" })],
  ];
  for (const [what, path, status, body] of answers)
    it(`${what} carries its request ID and the security headers, with its body whole`, async () => {
      const res = await fetch(`${base}${path}`, { headers: { cookie } });
      expect(res.status).toBe(status);
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("content-type")).toMatch(/^application\/(problem\+)?json/);
      body(await res.json());
    });

  it("gives each request its own ID", async () => {
    const ids = new Set<string | null>();
    for (let i = 0; i < 5; i++) ids.add((await fetch(`${base}/healthz`)).headers.get("x-request-id"));
    expect(ids.size).toBe(5);
  });
});
