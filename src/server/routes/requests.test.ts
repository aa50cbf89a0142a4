import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyHistory } from "../../store/history.ts";
import {
  createTestInstance,
  readJson,
  TEST_POSTGRES_URL,
  type TestDialect,
  type TestInstance,
} from "../testing.ts";

interface Req {
  id: string;
  status: string;
  title: string;
  role: string;
  grantIds: string[];
  allowedMoves: string[];
  inviteEmail: string | null;
  invitationExpiresOn: string | null;
}
interface Grant {
  id: string;
  status: string;
  role: string;
  invitedOn: string | null;
  grantedOn: string | null;
  lastVerifiedOn: string | null;
  target: { accountId: string; assetId: string | null };
}

for (const dialect of ["sqlite", "postgres"] as TestDialect[]) {
  describe.skipIf(dialect === "postgres" && !TEST_POSTGRES_URL)(
    `access requests over HTTP (${dialect})`,
    () => {
      let t: TestInstance;
      let cookie: string;
      let base: string;
      let wsId: string;
      const ids: Record<string, string> = {};
      const post = async (path: string, body: unknown) => {
        const res = await t.call("POST", `${base}/${path}`, { cookie, body });
        if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return (await readJson<{ id: string }>(res)).id;
      };

      beforeEach(async () => {
        t = await createTestInstance(dialect);
        cookie = await t.signUp("olivia@north.test", "Olivia");
        wsId = (
          await readJson<{ id: string }>(
            await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "North Agency" } }),
          )
        ).id;
        base = `/api/v1/workspaces/${wsId}`;
        ids.north = await post("organizations", { name: "North", kind: "own" });
        ids.bloom = await post("organizations", { name: "Bloom", kind: "client" });
        ids.dev = await post("people", {
          name: "Dev",
          emails: ["dev@north.test"],
          organizationId: ids.north,
        });
        ids.clientBC = await post("accounts", {
          platform: "tiktok",
          name: "Bloom BC",
          platformId: "7001",
          organizationId: ids.bloom,
        });
        ids.ourBC = await post("accounts", {
          platform: "tiktok",
          name: "North BC",
          platformId: "7999000111",
          organizationId: ids.north,
        });
        ids.ads = await post("assets", {
          accountId: ids.clientBC,
          type: "ad_account",
          name: "Bloom ads",
          platformId: "7123",
        });
        ids.gads = await post("accounts", {
          platform: "google-ads",
          name: "Bloom Ads",
          platformId: "123-456-7890",
          organizationId: ids.bloom,
        });
      });
      afterEach(() => t.dispose());

      const move = (id: string, status: string, extra: Record<string, unknown> = {}) =>
        t.call("POST", `${base}/requests/${id}/moves`, { cookie, body: { status, ...extra } });

      it("a partner request goes draft → sent → accepted → verified and records the active grant", async () => {
        const created = await t.call("POST", `${base}/requests`, {
          cookie,
          body: {
            direction: "outgoing",
            accountId: ids.clientBC,
            assetIds: [ids.ads],
            role: "operator",
            subject: { type: "partner", accountId: ids.ourBC },
            contactName: "Carla",
            contactEmail: "carla@bloom.test",
            dueOn: "2026-12-01",
          },
        });
        expect(created.status).toBe(201);
        const r = await readJson<Req>(created);
        expect(r).toMatchObject({
          status: "draft",
          role: "Operator",
          title: "Operator on Bloom BC for North BC",
          allowedMoves: ["sent", "withdrawn"],
        });

        const msg = await readJson<{ subject: string; text: string; mailto: string; guide: string }>(
          await t.call("GET", `${base}/requests/${r.id}/message`, { cookie }),
        );
        expect(msg.guide).toBe("tiktok/add-partner");
        expect(msg.text).toContain('"North BC" ID 7999000111 as a partner');
        expect(msg.text).toContain('ad account "Bloom ads" (ID 7123)');
        expect(msg.text).toContain("http://delvia.test/guides/tiktok/add-partner");
        expect(msg.text).toContain("Olivia, North Agency");
        expect(msg.mailto.startsWith("mailto:carla%40bloom.test?subject=Access%20request")).toBe(true);

        expect((await readJson<Req>(await move(r.id, "sent"))).status).toBe("sent");
        expect((await readJson<Req>(await move(r.id, "accepted"))).status).toBe("accepted");
        const verified = await readJson<Req>(await move(r.id, "verified"));
        expect(verified.status).toBe("verified");
        expect(verified.allowedMoves).toEqual([]);
        expect(verified.grantIds).toHaveLength(1);
        const g = await readJson<Grant & { subject: unknown }>(
          await t.call("GET", `${base}/grants/${verified.grantIds[0]}`, { cookie }),
        );
        expect(g).toMatchObject({
          status: "active",
          role: "Operator",
          subject: { type: "partner", accountId: ids.ourBC },
          target: { accountId: ids.clientBC, assetId: ids.ads },
          grantedOn: "2026-11-24",
          lastVerifiedOn: "2026-11-24",
        });
        // The new partner connection shows in effective access at once.
        const who = await readJson<{ answers: { node: { name: string } }[] }>(
          await t.call("GET", `${base}/who-can-reach?assetId=${ids.ads}`, { cookie }),
        );
        expect(who.answers.map((a) => a.node.name)).toContain("North BC");
        expect(await verifyHistory(t.db, wsId)).toMatchObject({ ok: true });
      });

      it("an invitation records a pending grant; it expires with the platform's lifetime and is revoked", async () => {
        const r = await readJson<Req>(
          await t.call("POST", `${base}/requests`, {
            cookie,
            body: {
              direction: "outgoing",
              accountId: ids.gads,
              role: "standard",
              subject: { type: "person", personId: ids.dev },
              contactName: "Carla",
            },
          }),
        );
        expect(r.inviteEmail).toBe("dev@north.test");
        await move(r.id, "sent", { on: "2026-11-20" });
        const invited = await readJson<Req>(await move(r.id, "invited", { on: "2026-11-22" }));
        expect(invited.invitationExpiresOn).toBe("2026-12-12");
        const pending = await readJson<Grant>(
          await t.call("GET", `${base}/grants/${invited.grantIds[0]}`, { cookie }),
        );
        expect(pending).toMatchObject({ status: "pending", invitedOn: "2026-11-22", role: "Standard" });
        const expired = await readJson<Req>(await move(r.id, "expired"));
        expect(expired.status).toBe("expired");
        expect(
          (await readJson<Grant>(await t.call("GET", `${base}/grants/${invited.grantIds[0]}`, { cookie })))
            .status,
        ).toBe("revoked");
        // Sent again, invited again: a fresh pending grant.
        await move(r.id, "sent");
        const again = await readJson<Req>(await move(r.id, "invited"));
        expect(again.grantIds[0]).not.toBe(invited.grantIds[0]);
      });

      it("a refused move is a 409 that names the allowed moves, and changes nothing", async () => {
        const r = await readJson<Req>(
          await t.call("POST", `${base}/requests`, {
            cookie,
            body: {
              direction: "incoming",
              accountId: ids.gads,
              role: "Read-only",
              subject: { type: "person", personId: ids.dev },
              contactName: "Sam",
            },
          }),
        );
        const bad = await move(r.id, "verified");
        expect(bad.status).toBe(409);
        expect((await readJson<{ detail: string }>(bad)).detail).toContain("It can become: sent, withdrawn");
        expect(
          (await readJson<Req>(await t.call("GET", `${base}/requests/${r.id}`, { cookie }))).status,
        ).toBe("draft");
        const future = await move(r.id, "sent", { on: "2099-01-01" });
        expect(future.status).toBe(400);
        const grants = await readJson<{ grants: unknown[] }>(
          await t.call("GET", `${base}/grants`, { cookie }),
        );
        expect(grants.grants).toHaveLength(0);
      });

      it("bad input names the field: a role the platform does not have, an asset of another account, a partner on a platform without partners", async () => {
        const body = {
          direction: "outgoing",
          accountId: ids.clientBC,
          role: "Emperor",
          subject: { type: "person", personId: ids.dev },
          contactName: "Carla",
        };
        const role = await t.call("POST", `${base}/requests`, { cookie, body });
        expect(role.status).toBe(400);
        expect((await readJson<{ problems: { path: string }[] }>(role)).problems[0]!.path).toBe("role");
        const asset = await t.call("POST", `${base}/requests`, {
          cookie,
          body: { ...body, role: "Admin", accountId: ids.gads, assetIds: [ids.ads] },
        });
        expect(asset.status).toBe(400);
        const partner = await t.call("POST", `${base}/requests`, {
          cookie,
          body: {
            ...body,
            role: "Admin",
            accountId: ids.gads,
            subject: { type: "partner", accountId: ids.ourBC },
          },
        });
        expect(partner.status).toBe(400);
        expect((await readJson<{ detail: string }>(partner)).detail).toContain("same platform");
        expect(
          (await readJson<{ requests: unknown[] }>(await t.call("GET", `${base}/requests`, { cookie })))
            .requests,
        ).toHaveLength(0);
      });

      it("emailing the contact: moving to sent sends the message to them, replies go to the sender", async () => {
        const r = await readJson<Req>(
          await t.call("POST", `${base}/requests`, {
            cookie,
            body: {
              direction: "outgoing",
              accountId: ids.gads,
              role: "Standard",
              subject: { type: "person", personId: ids.dev },
              contactName: "Carla",
              contactEmail: "carla@bloom.test",
              emailContact: true,
            },
          }),
        );
        t.outbox.length = 0;
        await move(r.id, "sent");
        expect(t.outbox).toHaveLength(1);
        expect(t.outbox[0]).toMatchObject({
          to: "carla@bloom.test",
          replyTo: "olivia@north.test",
          subject: "Access request: Google Ads, Bloom Ads",
        });
        expect(t.outbox[0]!.text).toContain("dev@north.test");
      });

      it("a viewer reads requests but cannot draft or move one", async () => {
        const r = await readJson<Req>(
          await t.call("POST", `${base}/requests`, {
            cookie,
            body: {
              direction: "outgoing",
              accountId: ids.gads,
              role: "Standard",
              subject: { type: "person", personId: ids.dev },
              contactName: "Carla",
            },
          }),
        );
        const inv = await readJson<{ id: string }>(
          await t.call("POST", `${base}/invitations`, {
            cookie,
            body: { email: "vic@north.test", role: "viewer" },
          }),
        );
        const viewer = await t.signUp("vic@north.test");
        await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: viewer });
        expect((await t.call("GET", `${base}/requests/${r.id}`, { cookie: viewer })).status).toBe(200);
        expect(
          (
            await t.call("POST", `${base}/requests/${r.id}/moves`, {
              cookie: viewer,
              body: { status: "sent" },
            })
          ).status,
        ).toBe(403);
        expect(
          (await readJson<Req>(await t.call("GET", `${base}/requests/${r.id}`, { cookie }))).status,
        ).toBe("draft");
      });
    },
  );
}
