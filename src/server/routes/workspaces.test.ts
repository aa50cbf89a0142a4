import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTestInstance,
  readJson,
  TEST_POSTGRES_URL,
  type TestDialect,
  type TestInstance,
} from "../testing.ts";

interface Ws {
  id: string;
  slug: string;
  name: string;
  role: string;
}

for (const dialect of ["sqlite", "postgres"] as TestDialect[]) {
  describe.skipIf(dialect === "postgres" && !TEST_POSTGRES_URL)(`workspaces and members (${dialect})`, () => {
    let t: TestInstance;
    beforeEach(async () => {
      t = await createTestInstance(dialect);
    });
    afterEach(async () => {
      await t.dispose();
    });

    async function ownerWithWorkspace(email = "olivia@acme.test", name = "Acme") {
      const cookie = await t.signUp(email);
      const res = await t.call("POST", "/api/v1/workspaces", { cookie, body: { name } });
      expect(res.status).toBe(201);
      return { cookie, ws: await readJson<Ws>(res) };
    }

    it("an empty instance asks for the first account, and stops asking once one exists", async () => {
      expect(await readJson(await t.call("GET", "/api/v1/instance"))).toMatchObject({ needsSetup: true });
      await t.signUp("first@acme.test");
      expect(await readJson(await t.call("GET", "/api/v1/instance"))).toMatchObject({ needsSetup: false });
    });

    it("creating a workspace makes the creator its owner and lists it under /me", async () => {
      const { cookie, ws } = await ownerWithWorkspace("olivia@acme.test", "Acme Bakery");
      expect(ws).toMatchObject({ slug: "acme-bakery", name: "Acme Bakery", role: "owner" });
      const me = await readJson<{ workspaces: Ws[] }>(await t.call("GET", "/api/v1/me", { cookie }));
      expect(me.workspaces.map((w) => w.slug)).toEqual(["acme-bakery"]);
    });

    it("a second workspace with the same name gets a free address", async () => {
      const { cookie } = await ownerWithWorkspace("olivia@acme.test", "Acme");
      const second = await readJson<Ws>(
        await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } }),
      );
      expect(second.slug).toBe("acme-2");
    });

    it("an invited teammate joins with their own login and gets the invited role", async () => {
      const { cookie, ws } = await ownerWithWorkspace();
      const inv = await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
        cookie,
        body: { email: "Victor@Acme.test", role: "viewer" },
      });
      expect(inv.status).toBe(201);
      const invitation = await readJson<{ id: string; link: string; email: string }>(inv);
      expect(invitation.email).toBe("victor@acme.test");
      expect(invitation.link).toBe(`http://delvia.test/app/invite/${invitation.id}`);
      expect(t.outbox.at(-1)).toMatchObject({ to: "victor@acme.test" });
      expect(t.outbox.at(-1)?.text).toContain(invitation.link);

      const preview = await readJson(await t.call("GET", `/api/v1/invitations/${invitation.id}`));
      expect(preview).toMatchObject({ workspaceName: "Acme", role: "viewer", status: "pending" });

      const victor = await t.signUp("victor@acme.test");
      const accepted = await t.call("POST", `/api/v1/invitations/${invitation.id}/accept`, {
        cookie: victor,
      });
      expect(accepted.status).toBe(200);
      const members = await readJson<{ members: { email: string; role: string }[] }>(
        await t.call("GET", `/api/v1/workspaces/${ws.id}/members`, { cookie: victor }),
      );
      expect(members.members.map((m) => [m.email, m.role]).sort()).toEqual([
        ["olivia@acme.test", "owner"],
        ["victor@acme.test", "viewer"],
      ]);
    });

    it("an invitation cannot be accepted by someone signed in with another email", async () => {
      const { cookie, ws } = await ownerWithWorkspace();
      const inv = await readJson<{ id: string }>(
        await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
          cookie,
          body: { email: "victor@acme.test" },
        }),
      );
      const mallory = await t.signUp("mallory@evil.test");
      const res = await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: mallory });
      expect(res.status).toBe(403);
      expect((await readJson<{ detail: string }>(res)).detail).toContain("victor@acme.test");
    });

    it("an invitation expires after seven days", async () => {
      const { cookie, ws } = await ownerWithWorkspace();
      const inv = await readJson<{ id: string }>(
        await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
          cookie,
          body: { email: "victor@acme.test" },
        }),
      );
      t.clock.advance(7 * 24 * 3600 * 1000);
      const victor = await t.signUp("victor@acme.test");
      const res = await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: victor });
      expect(res.status).toBe(409);
      expect((await readJson<{ detail: string }>(res)).detail).toMatch(/expired/);
    });

    it("a viewer cannot invite, change roles or see invitations", async () => {
      const { cookie, ws } = await ownerWithWorkspace();
      const inv = await readJson<{ id: string }>(
        await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
          cookie,
          body: { email: "victor@acme.test" },
        }),
      );
      const victor = await t.signUp("victor@acme.test");
      await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: victor });
      expect(
        (
          await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
            cookie: victor,
            body: { email: "x@acme.test" },
          })
        ).status,
      ).toBe(403);
      expect(
        (await t.call("GET", `/api/v1/workspaces/${ws.id}/invitations`, { cookie: victor })).status,
      ).toBe(403);
      expect(
        (await t.call("PATCH", `/api/v1/workspaces/${ws.id}`, { cookie: victor, body: { name: "Mine" } }))
          .status,
      ).toBe(403);
    });

    it("the last owner can be neither demoted nor removed, but can once there is a second owner", async () => {
      const { cookie, ws } = await ownerWithWorkspace();
      const members = await readJson<{ members: { id: string; email: string }[] }>(
        await t.call("GET", `/api/v1/workspaces/${ws.id}/members`, { cookie }),
      );
      const me = members.members[0]!;
      const demote = await t.call("PATCH", `/api/v1/workspaces/${ws.id}/members/${me.id}`, {
        cookie,
        body: { role: "admin" },
      });
      expect(demote.status).toBe(409);
      expect(
        (await t.call("DELETE", `/api/v1/workspaces/${ws.id}/members/${me.id}`, { cookie })).status,
      ).toBe(409);

      const inv = await readJson<{ id: string }>(
        await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
          cookie,
          body: { email: "co@acme.test", role: "owner" },
        }),
      );
      const co = await t.signUp("co@acme.test");
      await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: co });
      expect(
        (
          await t.call("PATCH", `/api/v1/workspaces/${ws.id}/members/${me.id}`, {
            cookie,
            body: { role: "admin" },
          })
        ).status,
      ).toBe(200);
    });

    it("a removed member loses access on their next request", async () => {
      const { cookie, ws } = await ownerWithWorkspace();
      const inv = await readJson<{ id: string }>(
        await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
          cookie,
          body: { email: "victor@acme.test", role: "editor" },
        }),
      );
      const victor = await t.signUp("victor@acme.test");
      await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: victor });
      expect((await t.call("GET", `/api/v1/workspaces/${ws.id}`, { cookie: victor })).status).toBe(200);
      const list = await readJson<{ members: { id: string; email: string }[] }>(
        await t.call("GET", `/api/v1/workspaces/${ws.id}/members`, { cookie }),
      );
      const vm = list.members.find((m) => m.email === "victor@acme.test")!;
      expect(
        (await t.call("DELETE", `/api/v1/workspaces/${ws.id}/members/${vm.id}`, { cookie })).status,
      ).toBe(204);
      expect((await t.call("GET", `/api/v1/workspaces/${ws.id}`, { cookie: victor })).status).toBe(404);
    });

    it("an admin cannot make anyone an owner or admin", async () => {
      const { cookie, ws } = await ownerWithWorkspace();
      const inv = await readJson<{ id: string }>(
        await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
          cookie,
          body: { email: "ada@acme.test", role: "admin" },
        }),
      );
      const ada = await t.signUp("ada@acme.test");
      await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: ada });
      const res = await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
        cookie: ada,
        body: { email: "eve@acme.test", role: "owner" },
      });
      expect(res.status).toBe(403);
      expect(
        (
          await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
            cookie: ada,
            body: { email: "eve@acme.test", role: "editor" },
          })
        ).status,
      ).toBe(201);
    });

    it("better-auth's own organization endpoints are not reachable: Delvia's policy is the only path", async () => {
      const { cookie } = await ownerWithWorkspace();
      const res = await t.call("POST", "/api/auth/organization/create", {
        cookie,
        body: { name: "x", slug: "x" },
      });
      expect(res.status).toBe(404);
    });
  });
}
