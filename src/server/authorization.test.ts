import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, type WorkspaceRole } from "../core/workspace-roles.ts";
import { ACCESS_EXTENSION, parseAccessLabel } from "./access.ts";
import { createTestInstance, readJson, type TestInstance } from "./testing.ts";

/**
 * The authorization matrix, generated from the OpenAPI document: every operation × every kind
 * of caller, with the outcome the route's declared access rule implies. Expected outcomes:
 * anonymous → 401 on user and workspace routes; an outsider (member of another workspace) →
 * 404; a member below the route's permission → 403; otherwise anything but 401/403/404-for-
 * the-workspace. Bodies are deliberately empty, so allowed writes stop at validation; an
 * allowed DELETE removes its object, after which the next callers see 404.
 */
type Caller = "anonymous" | WorkspaceRole | "outsider";
const CALLERS: Caller[] = ["anonymous", "viewer", "editor", "admin", "owner", "outsider"];

let t: TestInstance;
const cookies: Partial<Record<Caller, string>> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestInstance("sqlite");
  cookies.owner = await t.signUp("owner@a.test");
  const ws = await readJson<{ id: string }>(
    await t.call("POST", "/api/v1/workspaces", { cookie: cookies.owner, body: { name: "Alpha" } }),
  );
  ids.workspaceId = ws.id;
  for (const role of ["viewer", "editor", "admin"] as const) {
    const inv = await readJson<{ id: string }>(
      await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
        cookie: cookies.owner,
        body: { email: `${role}@a.test`, role },
      }),
    );
    cookies[role] = await t.signUp(`${role}@a.test`);
    await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: cookies[role] });
  }
  cookies.outsider = await t.signUp("outsider@b.test");
  await t.call("POST", "/api/v1/workspaces", { cookie: cookies.outsider, body: { name: "Beta" } });
  const base = `/api/v1/workspaces/${ws.id}`;
  const post = async (path: string, body: unknown) =>
    (await readJson<{ id: string }>(await t.call("POST", `${base}/${path}`, { cookie: cookies.owner, body })))
      .id;
  ids.organizationId = await post("organizations", { name: "Org", kind: "client" });
  ids.personId = await post("people", {
    name: "P",
    emails: ["p@a.test"],
    organizationId: ids.organizationId,
  });
  ids.accountId = await post("accounts", {
    platform: "tiktok",
    name: "BC",
    organizationId: ids.organizationId,
  });
  ids.assetId = await post("assets", { accountId: ids.accountId, type: "ad_account", name: "Ads" });
  ids.grantId = await post("grants", {
    subject: { type: "person", personId: ids.personId },
    target: { accountId: ids.accountId },
    role: "Admin",
  });
  ids.sharedLoginId = await post("shared-logins", { label: "Team login", knownByPersonIds: [ids.personId] });
  ids.invitationId = await post("invitations", { email: "later@a.test", role: "viewer" });
  const members = await readJson<{ members: { id: string; email: string }[] }>(
    await t.call("GET", `${base}/members`, { cookie: cookies.owner }),
  );
  ids.memberId = members.members.find((m) => m.email === "viewer@a.test")!.id;
  ids.findingKey = (
    await readJson<{ findings: { key: string }[] }>(
      await t.call("GET", `${base}/findings`, { cookie: cookies.owner }),
    )
  ).findings[0]!.key;
  ids.platform = "tiktok";
  ids.slug = "add-member";
  ids.requestId = await post("requests", {
    direction: "outgoing",
    accountId: ids.accountId,
    role: "Standard",
    subject: { type: "person", personId: ids.personId },
    contactName: "Casey",
  });
  // Sent, so the matrix's DELETE (drafts only) leaves it in place for the routes after it.
  await t.call("POST", `${base}/requests/${ids.requestId}/moves`, {
    cookie: cookies.owner,
    body: { status: "sent" },
  });
  const plan = await readJson<{ id: string; tasks: { id: string }[] }>(
    await t.call("POST", `${base}/plans`, {
      cookie: cookies.owner,
      body: { subject: { kind: "person-leaves", personId: ids.personId } },
    }),
  );
  ids.planId = plan.id;
  ids.taskId = plan.tasks[0]!.id;
  ids.feedToken = "not-a-feed";
  const review = await readJson<{ id: string; items: { id: string }[] }>(
    await t.call("POST", `${base}/reviews`, { cookie: cookies.owner, body: { accountId: ids.accountId } }),
  );
  ids.reviewId = review.id;
  ids.itemId = review.items[0]!.id;
});
afterAll(() => t.dispose());

function operations() {
  const doc = t.app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "0" } });
  const out: { method: string; path: string; access: string }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      if (op && typeof op === "object" && ACCESS_EXTENSION in op)
        out.push({ method: method.toUpperCase(), path, access: String(op[ACCESS_EXTENSION]) });
    }
  }
  return out;
}

function expected(access: string, caller: Caller): "allowed" | 401 | 403 | 404 {
  const rule = parseAccessLabel(access);
  if (rule.kind === "public") return "allowed";
  if (caller === "anonymous") return 401;
  if (rule.kind === "user") return "allowed";
  if (caller === "outsider") return 404;
  return can(caller, rule.permission) ? "allowed" : 403;
}

describe("authorization matrix", () => {
  it("every route answers every kind of caller as its declared rule says", async () => {
    const ops = operations().filter(
      (o) => !(o.method === "DELETE" && o.path.endsWith("/members/{memberId}")),
    ); // leaving is allowed to every member: covered in workspaces.test.ts
    const rows: string[] = [];
    const failures: string[] = [];
    for (const op of ops) {
      const path = op.path
        .replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(ids[k] ?? `missing-${k}`))
        .replace(/^\/api\/v1/, "/api/v1");
      const cells: string[] = [];
      let deletedEarlier = false; // a DELETE allowed for one caller leaves nothing for the next
      for (const caller of CALLERS) {
        const res = await t.call(op.method, path, {
          cookie: caller === "anonymous" ? undefined : cookies[caller],
          body: op.method === "GET" || op.method === "DELETE" ? undefined : {},
          headers: op.path.endsWith("/import") ? { "content-type": "application/pdf" } : {},
        });
        const want = expected(op.access, caller);
        const ok =
          want === "allowed"
            ? ![401, 403].includes(res.status) &&
              !(res.status === 404 && op.access.startsWith("workspace") && !deletedEarlier)
            : res.status === want;
        if (op.method === "DELETE" && res.status < 300) deletedEarlier = true;
        if (!ok) failures.push(`${op.method} ${op.path} as ${caller}: got ${res.status}, expected ${want}`);
        cells.push(String(res.status));
      }
      rows.push(
        `${`${op.method} ${op.path}`.padEnd(72)} ${op.access.padEnd(26)} ${cells.map((c) => c.padStart(8)).join("")}`,
      );
    }
    console.log(
      `\nAuthorization matrix (${ops.length} routes × ${CALLERS.length} callers = ${ops.length * CALLERS.length} requests)\n${"route".padEnd(72)} ${"rule".padEnd(26)} ${CALLERS.map((c) => c.padStart(8)).join("")}\n${rows.join("\n")}`,
    );
    expect(failures).toEqual([]);
    expect(ops.length).toBeGreaterThan(30);
  });

  it("a role change takes effect on the very next request", async () => {
    const base = `/api/v1/workspaces/${ids.workspaceId}`;
    expect(
      (
        await t.call("POST", `${base}/organizations`, {
          cookie: cookies.viewer,
          body: { name: "Nope", kind: "other" },
        })
      ).status,
    ).toBe(403);
    await t.call("PATCH", `${base}/members/${ids.memberId}`, {
      cookie: cookies.owner,
      body: { role: "editor" },
    });
    expect(
      (
        await t.call("POST", `${base}/organizations`, {
          cookie: cookies.viewer,
          body: { name: "Now yes", kind: "other" },
        })
      ).status,
    ).toBe(201);
    await t.call("PATCH", `${base}/members/${ids.memberId}`, {
      cookie: cookies.owner,
      body: { role: "viewer" },
    });
    expect(
      (
        await t.call("POST", `${base}/organizations`, {
          cookie: cookies.viewer,
          body: { name: "Nope again", kind: "other" },
        })
      ).status,
    ).toBe(403);
  });

  it("list endpoints return exactly the workspace's own items to every member, and nothing to outsiders", async () => {
    const base = `/api/v1/workspaces/${ids.workspaceId}`;
    for (const caller of ["viewer", "editor", "admin", "owner"] as const) {
      const accounts = await readJson<{ accounts: unknown[] }>(
        await t.call("GET", `${base}/accounts`, { cookie: cookies[caller] }),
      );
      expect(accounts.accounts).toHaveLength(1);
    }
    expect((await t.call("GET", `${base}/accounts`, { cookie: cookies.outsider })).status).toBe(404);
  });
});
