import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessService } from "../access-service.ts";
import { PageService } from "../pages-service.ts";
import {
  createTestInstance,
  readJson,
  TEST_POSTGRES_URL,
  type TestDialect,
  type TestInstance,
} from "../testing.ts";

interface Grant {
  id: string;
  role: string;
  status: string;
  subjectLabel: string;
  subjectEmail: string | null;
  subjectDeparted: boolean;
  accountName: string;
  asset: { id: string; name: string; holder: { name: string } } | null;
}
interface Group {
  role: string;
  admin: boolean;
  total: number;
  counts: { active: number; pending: number; revoked: number };
  grants: Grant[];
  nextCursor: string | null;
}
interface Link {
  partner: { name: string };
  account: { name: string };
  asset: { name: string } | null;
  role: string;
}
interface AccountPage {
  account: { id: string; name: string };
  organization: { name: string };
  owner: { name: string } | null;
  review: { cadenceDays: number | null; dueOn: string | null; overdue: boolean };
  counts: {
    grants: { active: number; pending: number; revoked: number };
    people: number;
    partners: number;
    partnerOf: number;
    assets: number;
    sharedAssets: number;
  };
  grants: Group[];
  shared: Group[];
  assets: {
    total: number;
    items: { name: string; grants: { active: number }; roles: { role: string; total: number }[] }[];
  };
  sharedAssets: {
    total: number;
    items: { name: string; holder: { name: string }; grants: { active: number } }[];
  };
  partners: { total: number; items: Link[] };
  partnerOf: { total: number; items: Link[] };
  findings: { total: number; counts: Record<string, number>; items: { rule: string; severity: string }[] };
  timeline: {
    events: { seq: number; entityType: string; action: string; entityId: string; summary: string | null }[];
    nextBefore: number | null;
  };
}
interface Problem {
  status: number;
  problems?: { path: string; message: string }[];
}

for (const dialect of ["sqlite", "postgres"] as TestDialect[]) {
  describe.skipIf(dialect === "postgres" && !TEST_POSTGRES_URL)(
    `account and person pages (${dialect})`,
    () => {
      let t: TestInstance;
      let cookie: string;
      let outsider: string;
      let base: string;
      const ids: Record<string, string> = {};

      const post = async (path: string, body: unknown) => {
        const res = await t.call("POST", `${base}/${path}`, { cookie, body });
        if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return (await readJson<{ id: string }>(res)).id;
      };
      const get = async <T>(path: string, as = cookie) => {
        const res = await t.call("GET", `${base}/${path}`, { cookie: as });
        return { status: res.status, body: await readJson<T>(res) };
      };

      beforeAll(async () => {
        t = await createTestInstance(dialect);
        cookie = await t.signUp("olivia@agency.test");
        const ws = await readJson<{ id: string }>(
          await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Bright" } }),
        );
        base = `/api/v1/workspaces/${ws.id}`;
        outsider = await t.signUp("oscar@other.test");
        await t.call("POST", "/api/v1/workspaces", { cookie: outsider, body: { name: "Other" } });

        const client = await post("organizations", { name: "Client Co", kind: "client" });
        ids.clientOrg = client;
        const agency = await post("organizations", { name: "Bright Agency", kind: "agency" });
        ids.carla = await post("people", {
          name: "Carla",
          emails: ["carla@client.test"],
          organizationId: client,
        });
        ids.jane = await post("people", {
          name: "Jane Designer",
          emails: ["jane@agency.test"],
          organizationId: agency,
        });
        ids.dave = await post("people", {
          name: "Dave",
          emails: ["dave@client.test"],
          organizationId: client,
        });
        ids.client = await post("accounts", {
          platform: "tiktok",
          name: "Client BC",
          organizationId: client,
          ownerPersonId: ids.carla,
          reviewCadenceDays: 90,
        });
        ids.agency = await post("accounts", {
          platform: "tiktok",
          name: "Agency BC",
          organizationId: agency,
        });
        ids.ads = await post("assets", { accountId: ids.client, type: "ad_account", name: "Client ads" });
        ids.pixel = await post("assets", { accountId: ids.client, type: "pixel", name: "Client pixel" });
        const grant = (subject: unknown, target: unknown, role: string, extra: object = {}) =>
          post("grants", { subject, target, role, ...extra });
        await grant({ type: "person", personId: ids.carla }, { accountId: ids.client }, "Admin");
        // 24 more people with Standard access, one of them revoked and one only invited.
        for (let i = 0; i < 24; i++) {
          const p = await post("people", {
            name: `Staff ${String(i).padStart(2, "0")}`,
            emails: [`s${i}@client.test`],
          });
          await grant({ type: "person", personId: p }, { accountId: ids.client }, "Standard", {
            status: i === 3 ? "revoked" : i === 5 ? "pending" : "active",
          });
        }
        await grant({ type: "system_user", name: "Reporting bot" }, { accountId: ids.client }, "Standard");
        ids.partnerGrant = await grant(
          { type: "partner", accountId: ids.agency },
          { accountId: ids.client, assetId: ids.ads },
          "Operator",
        );
        ids.janeGrant = await grant(
          { type: "person", personId: ids.jane },
          { accountId: ids.agency, assetId: ids.ads },
          "Analyst",
        );
        await grant(
          { type: "person", personId: ids.dave },
          { accountId: ids.client, assetId: ids.pixel },
          "Operator",
        );
        await t.call("PATCH", `${base}/people/${ids.dave}`, {
          cookie,
          body: { status: "departed", leftOn: "2026-11-01" },
        });
        // The first findings scan, as the home screen runs it.
        await t.call("GET", `${base}/findings`, { cookie });
      });
      afterAll(() => t.dispose());

      it("shows the account page from one request: names, counts, grants by role in order of power, assets, partners, findings, latest changes", async () => {
        const { status, body: page } = await get<AccountPage>(`accounts/${ids.client}/page?limit=10`);
        expect(status).toBe(200);
        expect(page.account.name).toBe("Client BC");
        expect(page.organization.name).toBe("Client Co");
        expect(page.owner?.name).toBe("Carla");
        expect(page.review).toMatchObject({ cadenceDays: 90, dueOn: "2027-02-22", overdue: false });
        // 1 Admin + 24 Standard (one revoked, one pending) + the bot on the account, the partner on
        // the ads, Dave on the pixel.
        expect(page.counts.grants).toEqual({ active: 26, pending: 1, revoked: 1 });
        expect(page.counts.people).toBe(25); // Carla, 23 staff (one revoked), Dave
        expect(page.counts).toMatchObject({ partners: 1, partnerOf: 0, assets: 2, sharedAssets: 0 });

        expect(page.grants.map((g) => [g.role, g.admin, g.total])).toEqual([
          ["Admin", true, 1],
          ["Standard", false, 25],
        ]);
        const standard = page.grants[1]!;
        expect(standard.counts).toEqual({ active: 23, pending: 1, revoked: 1 });
        expect(standard.grants).toHaveLength(10);
        expect(standard.grants.every((g) => g.status === "active")).toBe(true);
        expect(standard.nextCursor).toEqual(expect.any(String));
        expect(page.grants[0]!.grants[0]).toMatchObject({
          subjectLabel: "Carla",
          subjectEmail: "carla@client.test",
          accountName: "Client BC",
          asset: null,
        });

        expect(page.assets.items.map((a) => [a.name, a.grants.active, a.roles])).toEqual([
          [
            "Client ads",
            2,
            [
              { role: "Operator", total: 1 },
              { role: "Analyst", total: 1 },
            ],
          ],
          ["Client pixel", 1, [{ role: "Operator", total: 1 }]],
        ]);
        expect(page.partners.items).toEqual([
          expect.objectContaining({
            partner: expect.objectContaining({ name: "Agency BC" }),
            asset: expect.objectContaining({ name: "Client ads" }),
            role: "Operator",
          }),
        ]);
        expect(page.findings.items[0]).toMatchObject({ rule: "departed-with-access", severity: "critical" });
        expect(page.findings.total).toBeGreaterThanOrEqual(1);
        // Newest first, and Jane's assignment inside the agency's BC on the client's ads is listed
        // under the client's account too (it holds the asset).
        expect(page.timeline.events).toHaveLength(10);
        expect(page.timeline.nextBefore).toEqual(expect.any(Number));
        const seqs = page.timeline.events.map((e) => e.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
        expect(page.timeline.events.map((e) => e.entityId)).toContain(ids.janeGrant);
      });

      it("'show more' pages through a role group to the end: every grant once, active first, revoked last", async () => {
        const page = (await get<AccountPage>(`accounts/${ids.client}/page?limit=10`)).body;
        const seen: Grant[] = [...page.grants[1]!.grants];
        let cursor = page.grants[1]!.nextCursor;
        let requests = 0;
        while (cursor) {
          const next = await get<{ grants: Grant[]; nextCursor: string | null }>(
            `accounts/${ids.client}/grants?on=account&role=Standard&limit=7&cursor=${encodeURIComponent(cursor)}`,
          );
          expect(next.status).toBe(200);
          seen.push(...next.body.grants);
          cursor = next.body.nextCursor;
          requests++;
        }
        expect(requests).toBe(3);
        expect(seen).toHaveLength(25);
        expect(new Set(seen.map((g) => g.id)).size).toBe(25);
        expect(seen.map((g) => g.status).slice(-2)).toEqual(["pending", "revoked"]);
        expect(seen.map((g) => g.subjectLabel)).toContain("Reporting bot (system user)");
      });

      it("the partner's page: what it was given, and who it assigned to the shared asset", async () => {
        const { body: page } = await get<AccountPage>(`accounts/${ids.agency}/page`);
        expect(page.counts).toMatchObject({ partnerOf: 1, sharedAssets: 1, people: 1 });
        expect(page.partnerOf.items[0]).toMatchObject({
          account: { name: "Client BC" },
          asset: { name: "Client ads" },
          role: "Operator",
        });
        expect(page.sharedAssets.items).toEqual([
          expect.objectContaining({
            name: "Client ads",
            holder: expect.objectContaining({ name: "Client BC" }),
          }),
        ]);
        expect(page.grants).toEqual([]);
        expect(page.shared.map((g) => g.role)).toEqual(["Analyst"]);
        expect(page.shared[0]!.grants[0]).toMatchObject({
          subjectLabel: "Jane Designer",
          asset: { name: "Client ads", holder: { name: "Client BC" } },
        });
        const shared = await get<{ grants: Grant[] }>(`accounts/${ids.agency}/grants?on=shared`);
        expect(shared.body.grants.map((g) => g.id)).toEqual([ids.janeGrant]);
      });

      it("the grants on one asset, whichever account they are recorded in", async () => {
        const { body } = await get<{ grants: Grant[] }>(
          `accounts/${ids.client}/grants?on=asset&assetId=${ids.ads}`,
        );
        expect(body.grants.map((g) => [g.subjectLabel, g.role, g.accountName])).toEqual([
          ["Jane Designer", "Analyst", "Agency BC"],
          ["Agency BC (partner)", "Operator", "Client BC"],
        ]);
        const pixel = await get<{ grants: Grant[] }>(
          `accounts/${ids.client}/grants?on=asset&assetId=${ids.pixel}`,
        );
        expect(pixel.body.grants[0]).toMatchObject({ subjectLabel: "Dave", subjectDeparted: true });
        // An asset of another account is not one of this account's.
        expect((await get(`accounts/${ids.agency}/grants?on=asset&assetId=${ids.ads}`)).status).toBe(404);
      });

      it("older changes page backwards without gaps or repeats", async () => {
        const first = (await get<AccountPage>(`accounts/${ids.client}/page`)).body.timeline;
        const all = [...first.events];
        let before = first.nextBefore;
        while (before) {
          const next = await get<AccountPage["timeline"]>(
            `accounts/${ids.client}/history?before=${before}&limit=8`,
          );
          all.push(...next.body.events);
          before = next.body.nextBefore;
        }
        const seqs = all.map((e) => e.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
        // The account, its two assets, and the 29 grants recorded in it or on its assets.
        expect(all.filter((e) => e.entityType === "account")).toHaveLength(1);
        expect(
          all
            .filter((e) => e.entityType === "asset")
            .map((e) => e.summary)
            .sort(),
        ).toEqual(["Client ads", "Client pixel"]);
        expect(new Set(all.filter((e) => e.entityType === "grant").map((e) => e.entityId)).size).toBe(29);
      });

      it("a change shows on the next view of the page", async () => {
        const before = (await get<AccountPage>(`accounts/${ids.client}/page`)).body;
        const id = await post("grants", {
          subject: { type: "person", personId: ids.jane },
          target: { accountId: ids.client },
          role: "Admin",
        });
        const after = (await get<AccountPage>(`accounts/${ids.client}/page`)).body;
        expect(after.grants[0]!.total).toBe(before.grants[0]!.total + 1);
        expect(after.grants[0]!.grants.map((g) => g.id)).toContain(id);
        expect(after.timeline.events[0]).toMatchObject({
          entityId: id,
          action: "create",
          summary: "Jane Designer · Admin",
        });
        await t.call("DELETE", `${base}/grants/${id}`, { cookie });
        const again = (await get<AccountPage>(`accounts/${ids.client}/page`)).body;
        expect(again.grants[0]!.total).toBe(before.grants[0]!.total);
        expect(again.timeline.events[0]).toMatchObject({
          entityId: id,
          action: "delete",
          summary: "Jane Designer · Admin",
        });
      });

      it("the person page: the person, their grants a page at a time, what they know and own, their changes", async () => {
        const { status, body } = await get<{
          person: { name: string; status: string };
          organization: { name: string } | null;
          counts: { grants: { active: number } };
          grants: { total: number; grants: Grant[]; nextCursor: string | null };
          sharedLogins: unknown[];
          owns: { name: string; as: string }[];
          timeline: { events: { entityType: string }[] };
        }>(`people/${ids.carla}/page`);
        expect(status).toBe(200);
        expect(body.person.name).toBe("Carla");
        expect(body.organization?.name).toBe("Client Co");
        expect(body.grants.total).toBe(1);
        expect(body.grants.grants[0]).toMatchObject({ role: "Admin", accountName: "Client BC" });
        expect(body.owns).toEqual([expect.objectContaining({ name: "Client BC", as: "owner" })]);
        expect(body.timeline.events.map((e) => e.entityType)).toEqual(["grant", "person"]);
        const jane = await get<{ grants: { grants: Grant[] } }>(`people/${ids.jane}/page`);
        expect(jane.body.grants.grants[0]).toMatchObject({
          accountName: "Agency BC",
          asset: { name: "Client ads" },
        });
        const paged = await get<{ grants: Grant[]; nextCursor: string | null }>(
          `people/${ids.jane}/grants?limit=1`,
        );
        expect(paged.body.grants).toHaveLength(1);
        expect(paged.body.nextCursor).toBeNull();
      });

      it("bad paging input gets a 400 that names what to fix", async () => {
        const cases: [string, string][] = [
          [`accounts/${ids.client}/page?limit=0`, "limit"],
          [`accounts/${ids.client}/page?limit=many`, "limit"],
          [`accounts/${ids.client}/grants?cursor=not-a-cursor`, "cursor"],
          [`accounts/${ids.client}/grants?on=asset`, "assetId"],
          [`accounts/${ids.client}/grants?on=people`, "on"],
          [`accounts/${ids.client}/grants?assetId=${ids.ads}`, "assetId"],
          [`accounts/${ids.client}/history?before=-3`, "before"],
          [`people/${ids.carla}/grants?cursor=${Buffer.from('["x"]').toString("base64url")}`, "cursor"],
        ];
        for (const [path, field] of cases) {
          const res = await get<Problem>(path);
          expect(res.status, path).toBe(400);
          expect(
            res.body.problems?.map((p) => p.path),
            path,
          ).toContain(field);
        }
      });

      it("another workspace's member gets 404 for the pages and their lists, and an unknown account is 404 too", async () => {
        for (const path of [
          `accounts/${ids.client}/page`,
          `accounts/${ids.client}/grants`,
          `accounts/${ids.client}/grants?on=asset&assetId=${ids.ads}`,
          `accounts/${ids.client}/history`,
          `people/${ids.carla}/page`,
          `people/${ids.carla}/grants`,
          `people/${ids.carla}/history`,
        ]) {
          const res = await get<Problem>(path, outsider);
          expect(res.status, path).toBe(404);
          expect(JSON.stringify(res.body)).not.toContain("Client");
        }
        expect((await get(`accounts/${globalThis.crypto.randomUUID()}/page`)).status).toBe(404);
        expect((await get(`people/${globalThis.crypto.randomUUID()}/page`)).status).toBe(404);
      });
      // Last: it renames and moves what the tests above read.
      it("a kept page (account or person) is always the page built afresh: after writes to it, to other accounts, to names it shows, to findings, and on a new day", async () => {
        const ws = base.split("/").at(-1)!;
        const accounts = [ids.client!, ids.agency!];
        // Each view through the API (kept pages included) against a page built by a new server.
        const people = [ids.carla!, ids.jane!, ids.dave!];
        const check = async (step: string) => {
          const fresh = () => new PageService(t.db, t.clock, new AccessService(t.db));
          for (const id of accounts) {
            const served = (await get<AccountPage>(`accounts/${id}/page`)).body;
            expect(served, `${step}: page of ${id}`).toEqual(
              JSON.parse(await fresh().accountPage(ws, id, 10)),
            );
          }
          for (const id of people) {
            const served = (await get<unknown>(`people/${id}/page`)).body;
            expect(served, `${step}: page of person ${id}`).toEqual(
              JSON.parse(await fresh().personPage(ws, id, 20)),
            );
          }
        };
        const patch = async (path: string, body: unknown) => {
          const res = await t.call("PATCH", `${base}/${path}`, { cookie, body });
          expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
        };
        await check("first views");
        await check("views again");
        // A write to another account only: the client's page is kept, and still right.
        const other = await post("accounts", {
          platform: "meta",
          name: "Elsewhere",
          organizationId: ids.clientOrg,
        });
        await post("grants", {
          subject: { type: "person", personId: ids.carla },
          target: { accountId: other },
          role: "Full control",
        });
        await check("a grant on another account");
        // Writes the page shows: a grant on its asset recorded in the partner, a change of role.
        const g = await post("grants", {
          subject: { type: "person", personId: ids.carla },
          target: { accountId: ids.agency, assetId: ids.ads },
          role: "Operator",
        });
        await check("an assignment inside the partner");
        const jane = await readJson<Record<string, unknown>>(
          await t.call("GET", `${base}/grants/${ids.janeGrant}`, { cookie }),
        );
        const changed = await t.call("PUT", `${base}/grants/${ids.janeGrant}`, {
          cookie,
          body: {
            subject: jane.subject,
            target: jane.target,
            role: "Operator",
            status: jane.status,
            grantedOn: jane.grantedOn ?? null,
          },
        });
        expect(changed.status, await changed.clone().text()).toBe(200);
        await check("a role changed");
        await t.call("DELETE", `${base}/grants/${g}`, { cookie });
        await check("a grant deleted");
        // Names shown on pages, owned by nobody's account: a person, a partner, an asset, an organization.
        await patch(`people/${ids.jane}`, { name: "Jane Doe" });
        await check("a person renamed");
        await patch(`accounts/${ids.agency}`, { name: "Agency Business Center" });
        await check("the partner renamed");
        await patch(`organizations/${ids.clientOrg}`, { name: "Client Company" });
        await check("the owning organization renamed");
        await patch(`people/${ids.carla}`, { status: "departed", leftOn: "2026-11-20" });
        await check("the owner left");
        // A finding acknowledged: it leaves the page's open findings.
        const findings = await readJson<{ findings: { key: string; accountId: string | null }[] }>(
          await t.call("GET", `${base}/findings?limit=100`, { cookie }),
        );
        const onClient = findings.findings.find((f) => f.accountId === ids.client);
        expect(onClient).toBeDefined();
        const ack = await t.call("POST", `${base}/findings/${encodeURIComponent(onClient!.key)}/decision`, {
          cookie,
          body: { status: "acknowledged", reason: "Known, handled next week" },
        });
        expect(ack.status, await ack.clone().text()).toBe(200);
        await check("a finding acknowledged");
        // A new day: expiry and leaving dates move findings and counts.
        t.clock.advance(3 * 86_400_000);
        await check("three days later");
      });
    },
  );
}
