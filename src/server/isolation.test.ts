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
  const ws = await readJson<{ id: string }>(
    await t.call("POST", "/api/v1/workspaces", { cookie, body: { name } }),
  );
  const inv = await readJson<{ id: string }>(
    await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
      cookie,
      body: { email: `guest-of-${email}`, role: "editor" },
    }),
  );
  const members = await readJson<{ members: { id: string }[] }>(
    await t.call("GET", `/api/v1/workspaces/${ws.id}/members`, { cookie }),
  );
  const post = async (path: string, body: unknown) => {
    const res = await t.call("POST", `/api/v1/workspaces/${ws.id}/${path}`, { cookie, body });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await readJson<{ id: string }>(res)).id;
  };
  const organizationId = await post("organizations", { name: `${name} Org`, kind: "client" });
  const personId = await post("people", {
    name: `${name} Person`,
    emails: [`person@${name.toLowerCase()}.test`],
    organizationId,
  });
  const accountId = await post("accounts", {
    platform: "tiktok",
    name: `${name} BC`,
    organizationId,
    ownerPersonId: personId,
  });
  const assetId = await post("assets", { accountId, type: "ad_account", name: `${name} ads` });
  const sharedLoginId = await post("shared-logins", { label: `${name} login`, knownByPersonIds: [personId] });
  const grantId = await post("grants", {
    subject: { type: "person", personId },
    target: { accountId, assetId },
    role: "operator",
  });
  const findings = await readJson<{ findings: { key: string }[] }>(
    await t.call("GET", `/api/v1/workspaces/${ws.id}/findings`, { cookie }),
  );
  const findingKey = findings.findings[0]!.key;
  const requestId = await post("requests", {
    direction: "outgoing",
    accountId,
    role: "Standard",
    subject: { type: "person", personId },
    contactName: `${name} Admin`,
  });
  const plan = await readJson<{ id: string; tasks: { id: string }[] }>(
    await t.call("POST", `/api/v1/workspaces/${ws.id}/plans`, {
      cookie,
      body: { subject: { kind: "person-leaves", personId } },
    }),
  );
  const review = await readJson<{ id: string; items: { id: string }[] }>(
    await t.call("POST", `/api/v1/workspaces/${ws.id}/reviews`, { cookie, body: { accountId } }),
  );
  return {
    cookie,
    ids: {
      reviewId: review.id,
      itemId: review.items[0]!.id,
      platform: "tiktok",
      slug: "add-member",
      findingKey,
      workspaceId: ws.id,
      memberId: members.members[0]!.id,
      invitationId: inv.id,
      organizationId,
      personId,
      accountId,
      assetId,
      sharedLoginId,
      grantId,
      requestId,
      planId: plan.id,
      taskId: plan.tasks[0]!.id,
    },
  };
}

/** Every row of every table that requests do not touch on their own (sessions, rate limits). */
async function snapshot(): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const table of [
    "user",
    "organization",
    "member",
    "invitation",
    "account",
    "verification",
    "twoFactor",
    "passkey",
    "record_organization",
    "person",
    "person_email",
    "platform_account",
    "platform_asset",
    "shared_login",
    "shared_login_knower",
    "access_grant",
    "finding",
    "guide_progress",
    "access_request",
    "change_plan",
    "plan_task",
    "account_change_rule",
    "notification",
    "notification_setting",
    "calendar_feed",
    "access_review",
    "review_item",
    "history_seal",
    "history",
    "history_ref",
  ]) {
    // biome-ignore lint/suspicious/noExplicitAny: generic dump of any table
    out[table] = await (t.db as any).selectFrom(table).selectAll().execute();
  }
  return JSON.stringify(out);
}

function workspaceOperations() {
  const doc = t.app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "0" } });
  const ops: { method: string; path: string }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      if (typeof op === "object" && op && String(op[ACCESS_EXTENSION] ?? "").startsWith("workspace:"))
        ops.push({ method: method.toUpperCase(), path });
    }
  }
  return ops;
}

/** A body that would be valid for the route in A's own workspace, so only the foreign ID can fail it. */
function validBody(method: string, path: string): unknown {
  if (method === "GET" || method === "DELETE") return undefined;
  if (path.endsWith("/members/{memberId}")) return { role: "viewer" };
  if (path.endsWith("/decision")) return { status: "acknowledged", reason: "We know" };
  if (path.endsWith("/requests/{requestId}"))
    return {
      direction: "outgoing",
      accountId: a.ids.accountId,
      role: "Standard",
      subject: { type: "person", personId: a.ids.personId },
      contactName: "Someone",
    };
  if (path.endsWith("/moves")) return { status: "sent" };
  if (path.endsWith("/plans/{planId}")) return { notes: "x" };
  if (path.endsWith("/tasks/{taskId}")) return { evidence: "x" };
  if (path.endsWith("/items/{itemId}")) return { decision: "confirm" };
  if (path.endsWith("/grants/{grantId}"))
    return {
      subject: { type: "system_user", name: "Bot" },
      target: { accountId: a.ids.accountId },
      role: "Admin",
    };
  return {};
}

function fill(path: string, ids: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const id = ids[name];
    if (!id)
      throw new Error(
        `isolation test has no fixture for path parameter {${name}} in ${path}: add one to workspaceWithObjects()`,
      );
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
      const res = await t.call(op.method, fill(op.path, b.ids), {
        cookie: a.cookie,
        body: op.method === "GET" || op.method === "DELETE" ? undefined : {},
      });
      outcomes.push(`${op.method} ${op.path} → ${res.status}`);
      expect(res.status, `${op.method} ${op.path}`).toBe(404);
      const body = await res.text();
      expect(body).not.toContain("Beta");
      expect(body).not.toContain("bob@b.test");
    }
    expect(await snapshot()).toBe(before);
    console.log(
      `isolation: ${outcomes.length} workspace routes checked with B's IDs\n  ${outcomes.join("\n  ")}`,
    );
  });

  it("a member of A addressing B's objects through A's own workspace gets 404 and nothing changes", async () => {
    const before = await snapshot();
    // Guides are shared content, not a workspace's objects: their progress routes take no B IDs.
    const objectRoutes = workspaceOperations().filter(
      (o) => (o.path.match(/\{/g) ?? []).length > 1 && !o.path.includes("/guide-progress/"),
    );
    for (const op of objectRoutes) {
      const ids = { ...b.ids, workspaceId: a.ids.workspaceId! };
      const res = await t.call(op.method, fill(op.path, ids), {
        cookie: a.cookie,
        body: validBody(op.method, op.path),
      });
      expect(res.status, `${op.method} ${op.path}`).toBe(404);
    }
    expect(await snapshot()).toBe(before);
  });

  it("a query parameter naming B's object, on A's own account, gets 404 and nothing changes", async () => {
    const before = await snapshot();
    const a1 = `/api/v1/workspaces/${a.ids.workspaceId}`;
    for (const path of [
      `${a1}/accounts/${a.ids.accountId}/grants?on=asset&assetId=${b.ids.assetId}`,
      `${a1}/who-can-reach?assetId=${b.ids.assetId}`,
      `${a1}/who-can-reach?accountId=${b.ids.accountId}`,
    ]) {
      const res = await t.call("GET", path, { cookie: a.cookie });
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("Beta");
    }
    expect(await snapshot()).toBe(before);
  });

  it("a random ID answers exactly like another workspace's ID", async () => {
    const foreign = await t.call("GET", `/api/v1/workspaces/${b.ids.workspaceId}`, { cookie: a.cookie });
    const random = await t.call("GET", `/api/v1/workspaces/${globalThis.crypto.randomUUID()}`, {
      cookie: a.cookie,
    });
    const strip = (j: Record<string, unknown>) => ({ ...j, requestId: undefined, instance: undefined });
    expect(foreign.status).toBe(random.status);
    expect(strip(await readJson(foreign))).toEqual(strip(await readJson(random)));
  });
});
