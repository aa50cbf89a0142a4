import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCESS_EXTENSION } from "./access.ts";
import { createTestInstance, readJson, type TestInstance } from "./testing.ts";

/**
 * Tenant isolation, generated from the OpenAPI document (the route table), not a hand-written
 * list: for every workspace route, a member of workspace A who uses workspace B's IDs gets 404
 * and nothing changes. A route with a path parameter this test has no fixture for fails the
 * test, so new routes cannot slip past it.
 */
interface Fixture {
  cookie: string;
  ids: Record<string, string>;
}

let t: TestInstance;
let a: Fixture;
let b: Fixture;

async function workspaceWithObjects(email: string, name: string): Promise<Fixture> {
  const cookie = await t.signUp(email);
  const ws = await readJson<{ id: string }>(await t.call("POST", "/api/v1/workspaces", { cookie, body: { name } }));
  const inv = await readJson<{ id: string }>(
    await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, { cookie, body: { email: `guest-of-${email}`, role: "editor" } }),
  );
  const members = await readJson<{ members: { id: string }[] }>(await t.call("GET", `/api/v1/workspaces/${ws.id}/members`, { cookie }));
  return { cookie, ids: { workspaceId: ws.id, memberId: members.members[0]!.id, invitationId: inv.id } };
}

/** Every row of every table that requests do not touch on their own (sessions, rate limits). */
async function snapshot(): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const table of ["user", "organization", "member", "invitation", "account", "verification", "twoFactor", "passkey"]) {
    // biome-ignore lint/suspicious/noExplicitAny: generic dump of any table
    out[table] = await (t.db as any).selectFrom(table).selectAll().orderBy("id").execute();
  }
  return JSON.stringify(out);
}

function workspaceOperations() {
  const doc = t.app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "0" } });
  const ops: { method: string; path: string }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      if (typeof op === "object" && op && String(op[ACCESS_EXTENSION] ?? "").startsWith("workspace:")) ops.push({ method: method.toUpperCase(), path });
    }
  }
  return ops;
}

function fill(path: string, ids: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = ids[name];
    if (!id) throw new Error(`isolation test has no fixture for path parameter {${name}} in ${path}: add one to workspaceWithObjects()`);
    return id;
  });
}

beforeAll(async () => {
  t = await createTestInstance("sqlite");
  a = await workspaceWithObjects("alice@a.test", "Alpha");
  b = await workspaceWithObjects("bob@b.test", "Beta");
});
afterAll(() => t.dispose());

describe("tenant isolation across every workspace route", () => {
  it("covers at least the workspace, member and invitation routes", () => {
    const paths = workspaceOperations().map((o) => `${o.method} ${o.path}`);
    expect(paths).toContain("GET /api/v1/workspaces/{workspaceId}/members");
    expect(paths).toContain("DELETE /api/v1/workspaces/{workspaceId}/invitations/{invitationId}");
  });

  it("a member of A using workspace B's IDs gets 404 and nothing changes", async () => {
    const before = await snapshot();
    const outcomes: string[] = [];
    for (const op of workspaceOperations()) {
      const res = await t.call(op.method, fill(op.path, b.ids), { cookie: a.cookie, body: op.method === "GET" || op.method === "DELETE" ? undefined : {} });
      outcomes.push(`${op.method} ${op.path} → ${res.status}`);
      expect(res.status, `${op.method} ${op.path}`).toBe(404);
      const body = await res.text();
      expect(body).not.toContain("Beta");
      expect(body).not.toContain("bob@b.test");
    }
    expect(await snapshot()).toBe(before);
    console.log(`isolation: ${outcomes.length} workspace routes checked with B's IDs\n  ${outcomes.join("\n  ")}`);
  });

  it("a member of A addressing B's objects through A's own workspace gets 404 and nothing changes", async () => {
    const before = await snapshot();
    for (const op of workspaceOperations().filter((o) => (o.path.match(/\{/g) ?? []).length > 1)) {
      const ids = { ...b.ids, workspaceId: a.ids.workspaceId! };
      const res = await t.call(op.method, fill(op.path, ids), { cookie: a.cookie, body: op.method === "PATCH" ? { role: "viewer" } : undefined });
      expect(res.status, `${op.method} ${op.path}`).toBe(404);
    }
    expect(await snapshot()).toBe(before);
  });

  it("a random ID answers exactly like another workspace's ID", async () => {
    const foreign = await t.call("GET", `/api/v1/workspaces/${b.ids.workspaceId}`, { cookie: a.cookie });
    const random = await t.call("GET", `/api/v1/workspaces/${globalThis.crypto.randomUUID()}`, { cookie: a.cookie });
    const strip = (j: Record<string, unknown>) => ({ ...j, requestId: undefined, instance: undefined });
    expect(foreign.status).toBe(random.status);
    expect(strip(await readJson(foreign))).toEqual(strip(await readJson(random)));
  });
});
