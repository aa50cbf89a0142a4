import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_BODY_LIMIT } from "./app.ts";
import { createTestInstance, readJson, type TestInstance } from "./testing.ts";

interface Problem {
  status: number;
  code: string;
  detail: string;
  problems?: { path: string; message: string }[];
}

let t: TestInstance;
let cookie: string;
let workspaceId: string;

async function count(table: "organization" | "invitation"): Promise<number> {
  const r = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

beforeAll(async () => {
  t = await createTestInstance("sqlite");
  cookie = await t.signUp("olivia@acme.test");
  workspaceId = (
    await readJson<{ id: string }>(
      await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } }),
    )
  ).id;
});
afterAll(() => t.dispose());

describe("bad input gets a clear problem and changes nothing", () => {
  it("malformed JSON → 400 problem+json that says the body is not valid JSON", async () => {
    const res = await t.call("POST", "/api/v1/workspaces", { cookie, body: '{"name": "Broken",' });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await readJson<Problem>(res)).detail).toMatch(/not valid JSON/);
    expect(await count("organization")).toBe(1);
  });

  it("an unknown field → 400 naming the field", async () => {
    const res = await t.call("POST", "/api/v1/workspaces", {
      cookie,
      body: { name: "X", plan: "enterprise" },
    });
    const p = await readJson<Problem>(res);
    expect(res.status).toBe(400);
    expect(p.problems).toContainEqual({ path: "plan", message: "is not a known field: remove it" });
    expect(await count("organization")).toBe(1);
  });

  it("a wrong type → 400 naming the field", async () => {
    const res = await t.call("POST", `/api/v1/workspaces/${workspaceId}/invitations`, {
      cookie,
      body: { email: 42, role: "viewer" },
    });
    const p = await readJson<Problem>(res);
    expect(res.status).toBe(400);
    expect(p.code).toBe("VALIDATION_FAILED");
    expect(p.problems?.map((x) => x.path)).toContain("email");
    expect(await count("invitation")).toBe(0);
  });

  it("an unknown role → 400 naming the field", async () => {
    const res = await t.call("POST", `/api/v1/workspaces/${workspaceId}/invitations`, {
      cookie,
      body: { email: "x@acme.test", role: "superuser" },
    });
    expect(res.status).toBe(400);
    expect((await readJson<Problem>(res)).problems?.[0]?.path).toBe("role");
  });

  it("an oversized body with Content-Length → 413", async () => {
    const big = JSON.stringify({ name: "x".repeat(API_BODY_LIMIT + 10) });
    const res = await t.call("POST", "/api/v1/workspaces", {
      cookie,
      body: big,
      headers: { "content-length": String(big.length) },
    });
    expect(res.status).toBe(413);
    expect((await readJson<Problem>(res)).code).toBe("PAYLOAD_TOO_LARGE");
    expect(await count("organization")).toBe(1);
  });

  it("an oversized chunked body without Content-Length → 413", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"name":"'));
        if (sent > API_BODY_LIMIT * 2) {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
          return;
        }
        controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const req = new Request("http://delvia.test/api/v1/workspaces", {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: "http://delvia.test" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(req.headers.get("content-length")).toBeNull();
    const res = await t.app.request(req);
    expect(res.status).toBe(413);
    expect(await count("organization")).toBe(1);
  });

  it("an unknown API path → 404 problem+json pointing at the reference", async () => {
    const res = await t.call("GET", "/api/v1/nothing-here", { cookie });
    expect(res.status).toBe(404);
    expect((await readJson<Problem>(res)).detail).toContain("/api/docs");
  });
});
