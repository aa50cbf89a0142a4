import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findingsCatalog } from "../../core/catalog/findings-catalog.ts";
import { type Finding, scanFindings } from "../../core/findings/rules.ts";
import { countFindings, decideFinding, loadFindingsInput } from "../../store/findings.ts";
import { verifyHistory } from "../../store/history.ts";
import { refreshFindings } from "../findings-service.ts";
import {
  createTestInstance,
  readJson,
  TEST_POSTGRES_URL,
  type TestDialect,
  type TestInstance,
} from "../testing.ts";

interface F {
  key: string;
  rule: string;
  status: string;
  guide: string | null;
  reason: string | null;
  severity: string;
  accountId: string | null;
}

const SHEET = `platform,account,account_org,subject,subject_type,email,subject_org,role,person_status
tiktok,Client BC,Client Co,Carla,,carla@client.test,Client Co,Admin,
tiktok,Client BC,Client Co,Dan,,dan@client.test,Client Co,Standard,departed
`;

/** Beside SHEET: Dan's asset grant and a revoked one, a revoked admin and an expired one, two agency people, a login Dan knows, an account whose only admin and owner left. */
const INVOLVED_SHEET = `platform,account,account_org,account_owner,asset,asset_type,subject,subject_type,email,subject_org,role,status,granted_on,expires_on,person_status,known_by
tiktok,Client BC,Client Co,,Client ads,ad_account,Dan,person,dan@client.test,Client Co,Analyst,active,,,departed,
tiktok,Client BC,Client Co,,Client pixel,pixel,Dan,person,dan@client.test,Client Co,Admin,revoked,,,departed,
tiktok,Client BC,Client Co,,,,Rex,person,rex@client.test,Client Co,Admin,revoked,,,,
tiktok,Client BC,Client Co,,,,Pat,person,pat@client.test,Client Co,Admin,active,2025-01-01,2026-10-01,,
tiktok,Client BC,Client Co,,,,Ann,person,ann@agency.test,Agency Co,Standard,active,,,,
tiktok,Client BC,Client Co,,Client ads,ad_account,Abe,person,abe@agency.test,Agency Co,Analyst,active,,,,
tiktok,Client BC,Client Co,,,,Ops login,shared_login,,,Admin,active,,,,carla@client.test;dan@client.test
tiktok,Lonely BC,Client Co,zed@client.test,,,Zed,person,zed@client.test,Client Co,Admin,active,,,departed,
`;

for (const dialect of ["sqlite", "postgres"] as TestDialect[]) {
  describe.skipIf(dialect === "postgres" && !TEST_POSTGRES_URL)(`findings over HTTP (${dialect})`, () => {
    let t: TestInstance;
    let cookie: string;
    let base: string;
    beforeEach(async () => {
      t = await createTestInstance(dialect);
      cookie = await t.signUp("olivia@acme.test");
      const ws = await readJson<{ id: string }>(
        await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } }),
      );
      base = `/api/v1/workspaces/${ws.id}`;
      await t.call("POST", `${base}/import`, {
        cookie,
        body: SHEET,
        headers: { "content-type": "text/csv" },
      });
    });
    afterEach(() => t.dispose());

    const list = async () =>
      await readJson<{ findings: F[]; counts: Record<string, number> }>(
        await t.call("GET", `${base}/findings`, { cookie }),
      );

    it("shows the departed person still inside and the single admin, worst first, each with its guide", async () => {
      const { findings, counts } = await list();
      expect(findings.map((f) => f.rule).slice(0, 2)).toEqual(["departed-with-access", "single-admin"]);
      expect(findings[0]?.guide).toBe("tiktok/remove-member");
      expect(counts.critical).toBe(1);
    });

    it("many readers at once share one scan: same answer for all, each opening recorded once in history", async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => list()));
      const keys = answers.map((a) => a.findings.map((f) => f.key).join(","));
      expect(new Set(keys).size).toBe(1);
      const opens = await t.db
        .selectFrom("history")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("entity_type", "=", "finding")
        .where("action", "=", "open")
        .executeTakeFirstOrThrow();
      expect(Number(opens.n)).toBe(answers[0]!.findings.length);
    });

    it("keeps an acknowledgement across scans, and resolves a finding by itself when the record no longer shows it, with both in history", async () => {
      const single = (await list()).findings.find((f) => f.rule === "single-admin")!;
      const ack = await t.call("POST", `${base}/findings/${encodeURIComponent(single.key)}/decision`, {
        cookie,
        body: { status: "acknowledged", reason: "Second admin being hired" },
      });
      expect(ack.status).toBe(200);
      // A change elsewhere in the record triggers a re-scan; the decision stays.
      await t.call("POST", `${base}/organizations`, { cookie, body: { name: "Other", kind: "other" } });
      expect((await list()).findings.find((f) => f.key === single.key)).toMatchObject({
        status: "acknowledged",
        reason: "Second admin being hired",
      });

      // Revoke Dan's grant: the departed-with-access finding closes itself.
      const people = await readJson<{ people: { id: string; name: string }[] }>(
        await t.call("GET", `${base}/people`, { cookie }),
      );
      const dan = people.people.find((p) => p.name === "Dan")!;
      const grants = await readJson<{ grants: Record<string, unknown>[] }>(
        await t.call("GET", `${base}/grants?personId=${dan.id}`, { cookie }),
      );
      const { id, createdAt: _c, updatedAt: _u, ...rest } = grants.grants[0]!;
      await t.call("PUT", `${base}/grants/${id}`, {
        cookie,
        body: { ...rest, status: "revoked", revokedOn: "2026-11-24" },
      });
      expect((await list()).findings.map((f) => f.rule)).not.toContain("departed-with-access");
      const closed = await readJson<{ findings: F[] }>(
        await t.call("GET", `${base}/findings?include=closed`, { cookie }),
      );
      expect(closed.findings.find((f) => f.rule === "departed-with-access")?.status).toBe("resolved");
      const ws = base.split("/")[4]!;
      const events = await t.db
        .selectFrom("history")
        .select(["entity_type", "action"])
        .where("workspace_id", "=", ws)
        .where("entity_type", "=", "finding")
        .execute();
      expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["open", "acknowledge", "resolve"]));
      expect(await verifyHistory(t.db, ws)).toMatchObject({ ok: true });
    });

    it("re-checks only the accounts a write affects: an acknowledgement survives, another account's finding is untouched, the next read shows the change", async () => {
      const ws = base.split("/")[4]!;
      await t.call("POST", `${base}/import`, {
        cookie,
        body: "platform,account,account_org,subject,subject_type,email,subject_org,role,person_status\nmeta,Shop Page,Client Co,Erin,,erin@client.test,Client Co,Full control,\n",
        headers: { "content-type": "text/csv" },
      });
      const singles = (await list()).findings.filter((f) => f.rule === "single-admin");
      expect(singles).toHaveLength(2);
      const accounts = await readJson<{ accounts: { id: string; name: string }[] }>(
        await t.call("GET", `${base}/accounts`, { cookie }),
      );
      const bc = accounts.accounts.find((a) => a.name === "Client BC")!;
      const shop = accounts.accounts.find((a) => a.name === "Shop Page")!;
      const onBc = singles.find((f) => f.key.endsWith(`:${bc.id}`))!;
      const onShop = singles.find((f) => f.key.endsWith(`:${shop.id}`))!;
      await t.call("POST", `${base}/findings/${encodeURIComponent(onBc.key)}/decision`, {
        cookie,
        body: { status: "acknowledged", reason: "Second admin being hired" },
      });
      // A marker only a full scan would overwrite: a re-check of Client BC must not touch Shop Page.
      const mark = () =>
        t.db
          .updateTable("finding")
          .set({ message: "untouched" })
          .where("workspace_id", "=", ws)
          .where("key", "=", onShop.key)
          .execute();
      await mark();

      // Revoke Dan's grant on Client BC: its departed-with-access finding closes on the next read.
      const people = await readJson<{ people: { id: string; name: string }[] }>(
        await t.call("GET", `${base}/people`, { cookie }),
      );
      const dan = people.people.find((p) => p.name === "Dan")!;
      const grants = await readJson<{ grants: Record<string, unknown>[] }>(
        await t.call("GET", `${base}/grants?personId=${dan.id}`, { cookie }),
      );
      const { id, createdAt: _c, updatedAt: _u, ...rest } = grants.grants[0]!;
      await t.call("PUT", `${base}/grants/${id}`, {
        cookie,
        body: { ...rest, status: "revoked", revokedOn: "2026-11-24" },
      });
      const after = (await list()).findings;
      expect(after.map((f) => f.rule)).not.toContain("departed-with-access");
      expect(after.find((f) => f.key === onBc.key)).toMatchObject({
        status: "acknowledged",
        reason: "Second admin being hired",
      });
      expect(after.find((f) => f.key === onShop.key)).toMatchObject({ status: "open", message: "untouched" });

      // A change to a person re-checks the accounts where they hold access: Erin leaving opens
      // findings on Shop Page (re-checked, so its marker is replaced) and leaves Client BC's alone.
      const erin = people.people.find((p) => p.name === "Erin")!;
      await t.call("PATCH", `${base}/people/${erin.id}`, { cookie, body: { status: "departed" } });
      const left = (await list()).findings;
      expect(left.filter((f) => f.key.endsWith(`:${shop.id}`)).map((f) => f.rule)).toEqual(
        expect.arrayContaining(["departed-with-access", "no-admin"]),
      );
      expect(left.find((f) => f.key === onShop.key)).toBeUndefined();
      expect(left.find((f) => f.key === onBc.key)).toMatchObject({ status: "acknowledged" });

      // A new day scans everything again.
      await t.db
        .updateTable("finding")
        .set({ message: "untouched" })
        .where("workspace_id", "=", ws)
        .where("key", "=", onBc.key)
        .execute();
      t.clock.set("2026-11-25T09:00:00.000Z");
      const nextDay = (await list()).findings.find((f) => f.key === onBc.key)!;
      expect(nextDay).toMatchObject({ status: "acknowledged" });
      expect((nextDay as F & { message: string }).message).not.toBe("untouched");
      expect(await verifyHistory(t.db, ws)).toMatchObject({ ok: true });
    });

    it("after every kind of record write, the incremental re-check stores what a full scan finds", async () => {
      const ws = base.split("/")[4]!;
      await list(); // the first scan is a full one
      const send = async (method: string, path: string, body?: unknown) => {
        const res = await t.call(method, `${base}${path}`, { cookie, ...(body ? { body } : {}) });
        expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
        return res.status === 204 ? { id: "" } : await readJson<{ id: string }>(res);
      };
      const write = async (method: string, path: string, body?: unknown) => {
        const out = await send(method, path, body);
        expect(await refreshFindings(t.db, t.clock, ws)).toBe("recheck");
        const shown = (await list()).findings as unknown as Finding[];
        const full = scanFindings(await loadFindingsInput(t.db, ws, "2026-11-24"), findingsCatalog);
        const same = (f: Finding) =>
          JSON.stringify([
            f.key,
            f.severity,
            f.message,
            f.assetId,
            f.guide,
            f.subject && [f.subject.type, f.subject.id, f.subject.name, f.subject.email],
          ]);
        expect(shown.map(same).sort()).toEqual(full.map(same).sort());
        return out;
      };
      const people = (
        await readJson<{ people: { id: string; name: string }[] }>(
          await t.call("GET", `${base}/people`, { cookie }),
        )
      ).people;
      const dan = people.find((p) => p.name === "Dan")!.id;
      const carla = people.find((p) => p.name === "Carla")!.id;
      const accounts = (
        await readJson<{ accounts: { id: string; name: string }[] }>(
          await t.call("GET", `${base}/accounts`, { cookie }),
        )
      ).accounts;
      const client = accounts.find((a) => a.name === "Client BC")!.id;

      const agency = (await write("POST", "/organizations", { name: "Agency", kind: "agency" })).id;
      const agencyBc = (
        await write("POST", "/accounts", { platform: "tiktok", name: "Agency BC", organizationId: agency })
      ).id;
      await write("POST", "/grants", {
        subject: { type: "partner", accountId: agencyBc },
        target: { accountId: client },
        role: "Standard",
        expiresOn: "2026-01-01",
      });
      await write("PATCH", `/accounts/${agencyBc}`, { name: "Agency Business Center" });
      const eve = (
        await write("POST", "/people", { name: "Eve", emails: ["eve@gmail.com"], organizationId: agency })
      ).id;
      const finn = (
        await write("POST", "/people", { name: "Finn", emails: ["finn@agency.test"], organizationId: agency })
      ).id;
      const eveGrant = (
        await write("POST", "/grants", {
          subject: { type: "person", personId: eve },
          target: { accountId: client },
          role: "Admin",
        })
      ).id;
      const finnGrant = (
        await write("POST", "/grants", {
          subject: { type: "person", personId: finn },
          target: { accountId: client },
          role: "Standard",
          status: "pending",
          invitedOn: "2026-09-01",
        })
      ).id;
      // A grant moving to another account changes both.
      await write("PUT", `/grants/${eveGrant}`, {
        subject: { type: "person", personId: eve },
        target: { accountId: agencyBc },
        role: "Admin",
      });
      const login = (await write("POST", "/shared-logins", { label: "Ops", knownByPersonIds: [dan, finn] }))
        .id;
      await write("POST", "/grants", {
        subject: { type: "shared_login", sharedLoginId: login },
        target: { accountId: agencyBc },
        role: "Admin",
      });
      await write("POST", "/grants", {
        subject: { type: "shared_login", sharedLoginId: login },
        target: { accountId: client },
        role: "Admin",
      });
      await write("PATCH", `/people/${finn}`, { status: "departed" });
      await write("PATCH", `/shared-logins/${login}`, { knownByPersonIds: [finn] });
      await write("PATCH", `/accounts/${client}`, { ownerPersonId: dan, reviewCadenceDays: 30 });
      await write("PATCH", `/accounts/${agencyBc}`, { backupOwnerPersonId: carla });
      await write("PATCH", `/people/${carla}`, { name: "Carla M", emails: ["carla@gmail.com"] });
      await write("PATCH", `/people/${eve}`, { organizationId: null });
      await write("PATCH", `/organizations/${agency}`, { name: "Agency Two" });
      await write("POST", "/assets", { accountId: client, type: "ad_account", name: "Ads 1" });
      await write("DELETE", `/grants/${finnGrant}`);

      // Texts that name people: who holds recovery and two-step verification, who set up a system
      // user. (Each PATCH below sends every field: fields left out are reset to their defaults.)
      const holders = async () =>
        (await list()).findings
          .filter((f) => f.rule === "recovery-holder-departed")
          .map((f) => (f as unknown as Finding).subject?.name)
          .sort();
      const rules = async () => (await list()).findings.map((f) => f.rule);
      const person = async (id: string, change: Record<string, unknown>) => {
        const { name, emails, organizationId, status, leftOn } = await readJson<Record<string, unknown>>(
          await t.call("GET", `${base}/people/${id}`, { cookie }),
        );
        await write("PATCH", `/people/${id}`, { name, emails, organizationId, status, leftOn, ...change });
      };
      const portfolio = (
        await write("POST", "/accounts", {
          platform: "meta",
          name: "Client portfolio",
          organizationId: agency,
          recoveryEmailHolder: "finn",
          twoFactorHolder: "EVE",
        })
      ).id;
      expect(await holders()).toEqual(["Finn"]);
      await write("POST", "/grants", {
        subject: { type: "system_user", name: "Reporting tool" },
        target: { accountId: portfolio },
        role: "Full control",
        grantedBy: " Dan ",
      });
      expect(await rules()).toContain("system-user-creator-departed");
      await person(eve, { status: "departed" });
      expect(await holders()).toEqual(["Eve", "Finn"]);
      // Renamed, Finn no longer matches the recovery holder "finn": only his old name said so.
      await person(finn, { name: "Finn Old", emails: ["finn.old@agency.test"] });
      expect(await holders()).toEqual(["Eve"]);
      await write("PATCH", `/accounts/${portfolio}`, {
        recoveryEmailHolder: "FINN.OLD@agency.test",
        twoFactorHolder: "EVE",
        backupOwnerPersonId: finn,
      });
      expect(await holders()).toEqual(["Eve", "Finn Old"]);
      expect(await rules()).toContain("backup-owner-departed");
      await person(dan, { status: "active" });
      expect(await rules()).not.toContain("system-user-creator-departed");
      expect(await verifyHistory(t.db, ws)).toMatchObject({ ok: true });
    });

    it("falls back to a full scan after many changes or on a new day; a decision alone re-checks nothing", async () => {
      const ws = base.split("/")[4]!;
      expect(await refreshFindings(t.db, t.clock, ws)).toBe("full"); // the first scan
      expect(await refreshFindings(t.db, t.clock, ws)).toBe("fresh");
      const f = (await list()).findings[0]!;
      await t.call("POST", `${base}/findings/${encodeURIComponent(f.key)}/decision`, {
        cookie,
        body: { status: "acknowledged", reason: "Known" },
      });
      expect(await refreshFindings(t.db, t.clock, ws)).toBe("recheck");
      const rows = Array.from(
        { length: 260 },
        (_, i) => `tiktok,Client BC,Client Co,P${i},,p${i}@client.test,Client Co,Standard,`,
      );
      const imported = await t.call("POST", `${base}/import`, {
        cookie,
        body: `${SHEET.split("\n")[0]}\n${rows.join("\n")}\n`,
        headers: { "content-type": "text/csv" },
      });
      expect(imported.status).toBeLessThan(300);
      expect(await refreshFindings(t.db, t.clock, ws)).toBe("full"); // 520 record changes
      await t.call("POST", `${base}/organizations`, { cookie, body: { name: "Other", kind: "other" } });
      t.clock.set("2026-11-25T09:00:00.000Z");
      expect(await refreshFindings(t.db, t.clock, ws)).toBe("full"); // a new day
      expect((await list()).findings.find((x) => x.key === f.key)).toMatchObject({ status: "acknowledged" });
    });

    it("pages through every finding worst first, with whole-workspace counts; filters by state and organization; one finding by key", async () => {
      const rows = Array.from(
        { length: 12 },
        (_, i) =>
          `tiktok,Account ${i % 4},${i % 2 ? "Client Co" : "Other Co"},P${i},,p${i}@${i % 3 ? "client.test" : "gmail.com"},Agency,${i % 3 ? "Standard" : "Admin"},${i % 5 ? "" : "departed"}`,
      );
      const imported = await t.call("POST", `${base}/import`, {
        cookie,
        body: `${SHEET.split("\n")[0]}\n${rows.join("\n")}\n`,
        headers: { "content-type": "text/csv" },
      });
      expect(imported.status).toBeLessThan(300);
      type Page = {
        findings: (F & { severity: string })[];
        counts: Record<string, number>;
        statuses: Record<string, number>;
        total: number;
        nextCursor: string | null;
      };
      const get = async (query: string) => {
        const res = await t.call("GET", `${base}/findings?${query}`, { cookie });
        expect(res.status, await res.clone().text()).toBe(200);
        return readJson<Page>(res);
      };
      const whole = await get("limit=1000");
      expect(whole.nextCursor).toBeNull();
      expect(whole.total).toBe(whole.findings.length);
      expect(whole.findings.length).toBeGreaterThan(10);
      const order = ["critical", "high", "medium", "low"];
      const ranks = whole.findings.map((f) => order.indexOf(f.severity));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

      // Page by page: the same findings in the same order, each once; the counts stay whole.
      const paged: Page["findings"] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await get(`limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
        expect(page.findings.length).toBeLessThanOrEqual(4);
        expect(page.counts).toEqual(whole.counts);
        expect(page.total).toBe(whole.total);
        paged.push(...page.findings);
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 50);
      expect(paged.map((f) => f.key)).toEqual(whole.findings.map((f) => f.key));
      expect(pages).toBe(Math.ceil(whole.total / 4));

      // By state: an acknowledged finding leaves the open list and joins the decided one.
      const first = whole.findings[0]!;
      await t.call("POST", `${base}/findings/${encodeURIComponent(first.key)}/decision`, {
        cookie,
        body: { status: "acknowledged", reason: "Known and accepted" },
      });
      const open = await get("status=open&limit=1000");
      const decided = await get("status=acknowledged,snoozed");
      expect(open.findings.map((f) => f.key)).not.toContain(first.key);
      expect(decided.findings.map((f) => f.key)).toEqual([first.key]);
      expect(open.statuses).toMatchObject({ open: whole.total - 1, acknowledged: 1 });
      expect(open.total).toBe(whole.total - 1);

      // By organization: only findings on that organization's accounts.
      const orgs = await readJson<{ organizations: { id: string; name: string }[] }>(
        await t.call("GET", `${base}/organizations`, { cookie }),
      );
      const client = orgs.organizations.find((o) => o.name === "Client Co")!;
      const byOrg = await readJson<{
        organizations: { organizationId: string; counts: Record<string, number> }[];
      }>(await t.call("GET", `${base}/findings/by-organization`, { cookie }));
      const clientCounts = byOrg.organizations.find((o) => o.organizationId === client.id)!.counts;
      const onClient = await get(`status=open&limit=1000&organizationId=${client.id}`);
      expect(onClient.total).toBe(onClient.findings.length);
      expect(onClient.total).toBe(Object.values(clientCounts).reduce((n, x) => n + x, 0));

      // One finding, by key; an unknown key is a 404.
      const one = await t.call("GET", `${base}/findings/${encodeURIComponent(first.key)}`, { cookie });
      expect(await readJson<F>(one)).toMatchObject({ key: first.key, status: "acknowledged" });
      expect((await t.call("GET", `${base}/findings/no-admin%3A-%3Anone`, { cookie })).status).toBe(404);

      // Another day pages the same way (computed, not stored).
      const later = await get("asOf=2027-06-01&limit=1000");
      const laterPaged: string[] = [];
      let next: string | null = null;
      do {
        const page: Page = await get(
          `asOf=2027-06-01&limit=5${next ? `&cursor=${encodeURIComponent(next)}` : ""}`,
        );
        laterPaged.push(...page.findings.map((f) => f.key));
        next = page.nextCursor;
      } while (next);
      expect(laterPaged).toEqual(later.findings.map((f) => f.key));
      // Another day, by organization: that day's findings on the organization's accounts only.
      const accounts = await readJson<{ accounts: { id: string; organizationId: string }[] }>(
        await t.call("GET", `${base}/accounts`, { cookie }),
      );
      const clientAccounts = new Set(
        accounts.accounts.filter((a) => a.organizationId === client.id).map((a) => a.id),
      );
      const laterOnClient = await get(`asOf=2027-06-01&limit=1000&organizationId=${client.id}`);
      expect(laterOnClient.findings.length).toBeGreaterThan(0);
      expect(laterOnClient.findings.length).toBeLessThan(later.findings.length);
      expect(laterOnClient.findings.map((f) => f.key)).toEqual(
        later.findings.filter((f) => f.accountId && clientAccounts.has(f.accountId)).map((f) => f.key),
      );
    });

    it("refuses a cursor it did not give, a page size out of range and an unknown state, naming each", async () => {
      for (const [query, path] of [
        ["cursor=bm9wZQ", "cursor"],
        ["limit=0", "limit"],
        ["limit=5000", "limit"],
        ["limit=ten", "limit"],
        ["status=open,gone", "status"],
      ] as const) {
        const res = await t.call("GET", `${base}/findings?${query}`, { cookie });
        expect(res.status, query).toBe(400);
        const problem = await readJson<{ problems?: { path: string }[] }>(res);
        expect(problem.problems?.map((p) => p.path)).toContain(path);
      }
    });

    it("keeps its counts and pages in step with every change to the findings, whichever way it was made", async () => {
      const ws = base.split("/")[4]!;
      type Counted = { counts: Record<string, number>; statuses: Record<string, number> };
      const counted = async () => {
        const r = await readJson<Counted>(await t.call("GET", `${base}/findings?limit=1`, { cookie }));
        // What the store counts afresh, past any copy kept by the server.
        const truth = await countFindings(t.db, ws, "2026-11-24");
        expect(r.counts).toEqual(truth.bySeverity);
        expect(r.statuses).toEqual(truth.byStatus);
        return r;
      };
      const first = await counted();
      expect(await counted()).toEqual(first);
      const f = (await list()).findings.find((x) => x.rule === "single-admin")!;
      await t.call("POST", `${base}/findings/${encodeURIComponent(f.key)}/decision`, {
        cookie,
        body: { status: "acknowledged", reason: "Known" },
      });
      const acknowledged = await counted();
      expect((await list()).findings.find((x) => x.key === f.key)?.status).toBe("acknowledged");
      expect(acknowledged.statuses.acknowledged).toBe(first.statuses.acknowledged! + 1);
      expect(acknowledged.counts[f.severity]).toBe(first.counts[f.severity]! - 1);
      // Reopened by a change that never passed through this server's findings service.
      await decideFinding(
        t.db,
        {
          workspaceId: ws,
          actor: { userId: null, label: "another server" },
          now: new Date("2026-11-24T10:00:00Z"),
        },
        f.key,
        { status: "open" },
      );
      expect(await counted()).toEqual(first);
      expect((await list()).findings.find((x) => x.key === f.key)?.status).toBe("open");
      // A record change that opens a finding.
      await t.call("POST", `${base}/import`, {
        cookie,
        body: `${SHEET.split("\n")[0]}\ntiktok,Client BC,Client Co,Eve,,eve@client.test,Client Co,Standard,departed\n`,
        headers: { "content-type": "text/csv" },
      });
      expect((await counted()).counts.critical).toBe(first.counts.critical! + 1);
      expect((await list()).findings.filter((x) => x.rule === "departed-with-access")).toHaveLength(2);
    });

    it("records who acknowledged or snoozed a finding, when and why, and shows it on the finding", async () => {
      // A second member, an editor, decides too: each decision names its own caller.
      const inv = await readJson<{ id: string }>(
        await t.call("POST", `${base}/invitations`, {
          cookie,
          body: { email: "erin@acme.test", role: "editor" },
        }),
      );
      const erin = await t.signUp("erin@acme.test", "Erin Editor");
      expect((await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: erin })).status).toBe(
        200,
      );
      type Decided = F & { decidedBy: string | null; decidedAt: string | null; snoozedUntil: string | null };
      const one = async (key: string) =>
        readJson<Decided>(await t.call("GET", `${base}/findings/${encodeURIComponent(key)}`, { cookie }));
      const { findings } = await list();
      const single = findings.find((f) => f.rule === "single-admin")!;
      const departed = findings.find((f) => f.rule === "departed-with-access")!;
      expect(await one(single.key)).toMatchObject({ status: "open", decidedBy: null, decidedAt: null });

      t.clock.set("2026-11-24T10:30:00.000Z");
      const ack = await t.call("POST", `${base}/findings/${encodeURIComponent(single.key)}/decision`, {
        cookie,
        body: { status: "acknowledged", reason: "  A second admin starts on Monday " },
      });
      expect(ack.status).toBe(200);
      expect(await one(single.key)).toMatchObject({
        status: "acknowledged",
        reason: "A second admin starts on Monday",
        decidedBy: "olivia@acme.test",
        decidedAt: "2026-11-24T10:30:00.000Z",
      });

      t.clock.set("2026-11-24T11:00:00.000Z");
      const snooze = await t.call("POST", `${base}/findings/${encodeURIComponent(departed.key)}/decision`, {
        cookie: erin,
        body: { status: "snoozed", until: "2026-12-01", reason: "Dan's access ends with his contract" },
      });
      expect(snooze.status).toBe(200);
      expect(await one(departed.key)).toMatchObject({
        status: "snoozed",
        snoozedUntil: "2026-12-01",
        reason: "Dan's access ends with his contract",
        decidedBy: "erin@acme.test",
        decidedAt: "2026-11-24T11:00:00.000Z",
      });
      // The list of decided findings says the same.
      const decided = await readJson<{ findings: Decided[] }>(
        await t.call("GET", `${base}/findings?status=acknowledged,snoozed`, { cookie }),
      );
      expect(decided.findings.map((f) => [f.rule, f.decidedBy, f.decidedAt, f.reason]).sort()).toEqual([
        [
          "departed-with-access",
          "erin@acme.test",
          "2026-11-24T11:00:00.000Z",
          "Dan's access ends with his contract",
        ],
        ["single-admin", "olivia@acme.test", "2026-11-24T10:30:00.000Z", "A second admin starts on Monday"],
      ]);
      // The history names the caller too.
      const events = await t.db
        .selectFrom("history")
        .select(["action", "actor_label", "actor_user_id"])
        .where("workspace_id", "=", base.split("/")[4]!)
        .where("entity_type", "=", "finding")
        .where("action", "in", ["acknowledge", "snooze"])
        .orderBy("seq")
        .execute();
      expect(events.map((e) => [e.action, e.actor_label])).toEqual([
        ["acknowledge", "olivia@acme.test"],
        ["snooze", "erin@acme.test"],
      ]);
      expect(events.every((e) => e.actor_user_id)).toBe(true);
    });

    it("lists the records behind a finding, by rule, from this workspace only", async () => {
      const ws = base.split("/")[4]!;
      // The same people and accounts in another workspace, to show nothing of it leaks in.
      const otherCookie = await t.signUp("other@else.test");
      const other = await readJson<{ id: string }>(
        await t.call("POST", "/api/v1/workspaces", { cookie: otherCookie, body: { name: "Else" } }),
      );
      const otherBase = `/api/v1/workspaces/${other.id}`;
      for (const [c, b] of [
        [cookie, base],
        [otherCookie, otherBase],
      ] as const) {
        if (b === otherBase)
          await t.call("POST", `${b}/import`, {
            cookie: c,
            body: SHEET,
            headers: { "content-type": "text/csv" },
          });
        const res = await t.call("POST", `${b}/import`, {
          cookie: c,
          body: INVOLVED_SHEET,
          headers: { "content-type": "text/csv" },
        });
        expect(res.status, await res.clone().text()).toBeLessThan(300);
      }
      const all = await readJson<{
        findings: (F & { accountId: string; subject: { name: string } | null })[];
      }>(await t.call("GET", `${base}/findings?limit=1000`, { cookie }));
      const accounts = await readJson<{ accounts: { id: string; name: string }[] }>(
        await t.call("GET", `${base}/accounts`, { cookie }),
      );
      const client = accounts.accounts.find((a) => a.name === "Client BC")!.id;
      const lonely = accounts.accounts.find((a) => a.name === "Lonely BC")!.id;
      const find = (rule: string, accountId: string, subject?: string) => {
        const f = all.findings.find(
          (x) => x.rule === rule && x.accountId === accountId && (!subject || x.subject?.name === subject),
        );
        expect(f, `${rule} ${subject ?? ""}`).toBeDefined();
        return f!;
      };
      type Grant = {
        id: string;
        subject: { type: string; id: string | null; name: string; departed: boolean };
        account: { id: string; name: string };
        asset: { id: string; name: string } | null;
        role: string;
        status: string;
        live: boolean;
        invitedOn: string | null;
        grantedOn: string | null;
        expiresOn: string | null;
      };
      type Person = { id: string; name: string; departed: boolean };
      type Listed<T> = { total: number; items: T[] };
      type Involved = {
        grants: Listed<Grant> | null;
        knownBy: (Listed<Person> & { sharedLogin: { id: string; name: string } }) | null;
        admins: Listed<Grant> | null;
        outsiders: (Listed<Grant> & { organization: { id: string; name: string } }) | null;
        control: {
          owner: Person | null;
          backupOwner: Person | null;
          recoveryEmailHolder: { text: string; person: Person | null } | null;
          twoFactorHolder: { text: string; person: Person | null } | null;
        } | null;
      };
      const involved = async (key: string) => {
        const res = await t.call("GET", `${base}/findings/${encodeURIComponent(key)}`, { cookie });
        expect(res.status).toBe(200);
        return (await readJson<{ involved: Involved }>(res)).involved;
      };
      const rows = (l: Listed<Grant> | null) =>
        l?.items
          .map((g) =>
            [g.subject.name, g.role, g.asset?.name ?? null, g.status, g.live, g.subject.departed].join(" | "),
          )
          .sort();
      // Every grant named is one of this workspace's.
      const ours = new Set(
        (await t.db.selectFrom("access_grant").select("id").where("workspace_id", "=", ws).execute()).map(
          (r) => r.id,
        ),
      );
      const named: string[] = [];
      const keep = (i: Involved) => {
        for (const l of [i.grants, i.admins, i.outsiders]) for (const g of l?.items ?? []) named.push(g.id);
        return i;
      };

      // Someone who left: their grants on the account and its assets, not the revoked one.
      const dan = keep(await involved(find("departed-with-access", client, "Dan").key));
      expect(rows(dan.grants)).toEqual([
        "Dan | Analyst | Client ads | active | true | true",
        "Dan | Standard |  | active | true | true",
      ]);
      expect(dan.grants!.total).toBe(2);
      expect(dan.grants!.items.every((g) => g.account.id === client && g.account.name === "Client BC")).toBe(
        true,
      );
      // Account-level first.
      expect(dan.grants!.items[0]!.asset).toBeNull();
      expect(dan).toMatchObject({ knownBy: null, admins: null, outsiders: null, control: null });

      // A login someone who left knows: the login's grants and who knows it.
      const login = keep(await involved(find("shared-login-known-by-departed", client, "Dan").key));
      expect(rows(login.grants)).toEqual(["Ops login | Admin |  | active | true | false"]);
      expect(login.grants!.items[0]!.subject.type).toBe("shared_login");
      expect(login.knownBy).toMatchObject({
        sharedLogin: { name: "Ops login" },
        total: 2,
        items: [
          { name: "Carla", departed: false },
          { name: "Dan", departed: true },
        ],
      });
      const shared = keep(await involved(find("shared-login", client).key));
      expect(shared.knownBy?.items.map((p) => p.name)).toEqual(["Carla", "Dan"]);

      // Outside people added one by one: that organization's people and their roles.
      const outside = keep(await involved(find("external-individual-access", client).key));
      expect(outside.outsiders?.organization.name).toBe("Agency Co");
      expect(rows(outside.outsiders!)).toEqual([
        "Abe | Analyst | Client ads | active | true | false",
        "Ann | Standard |  | active | true | false",
      ]);
      expect(outside.outsiders!.total).toBe(2);
      expect(outside.grants).toBeNull();

      // The only admin: every account-level admin-level grant held by a person (not revoked; an
      // expired one shows as not live), and the admin's own grants.
      const single = keep(await involved(find("single-admin", client, "Carla").key));
      expect(rows(single.admins)).toEqual([
        "Carla | Admin |  | active | true | false",
        "Pat | Admin |  | active | false | false",
      ]);
      expect(single.admins!.total).toBe(2);
      expect(rows(single.grants)).toEqual(["Carla | Admin |  | active | true | false"]);

      // No admin left: the admin who left.
      const none = keep(await involved(find("no-admin", lonely).key));
      expect(rows(none.admins)).toEqual(["Zed | Admin |  | active | true | true"]);
      expect(none.grants).toBeNull();

      // The owner has left; nobody owns the other account.
      const owner = await involved(find("owner-departed", lonely, "Zed").key);
      expect(owner.control).toMatchObject({
        owner: { name: "Zed", departed: true },
        backupOwner: null,
        recoveryEmailHolder: null,
        twoFactorHolder: null,
      });
      expect((await involved(find("no-owner", client).key)).control).toMatchObject({ owner: null });
      // Who holds recovery: the texts as typed, and the people they name.
      const people = await readJson<{ people: { id: string; name: string }[] }>(
        await t.call("GET", `${base}/people`, { cookie }),
      );
      const zed = people.people.find((p) => p.name === "Zed")!.id;
      const carla = people.people.find((p) => p.name === "Carla")!.id;
      const patched = await t.call("PATCH", `${base}/accounts/${lonely}`, {
        cookie,
        body: {
          ownerPersonId: zed,
          backupOwnerPersonId: carla,
          recoveryEmailHolder: " ZED@client.test ",
          twoFactorHolder: "carla",
        },
      });
      expect(patched.status, await patched.clone().text()).toBe(200);
      const refreshed = await readJson<{ findings: (F & { accountId: string })[] }>(
        await t.call("GET", `${base}/findings?limit=1000`, { cookie }),
      );
      const recovery = refreshed.findings.find(
        (f) => f.rule === "recovery-holder-departed" && f.accountId === lonely,
      )!;
      expect((await involved(recovery.key)).control).toMatchObject({
        owner: { id: zed, name: "Zed", departed: true },
        backupOwner: { id: carla, name: "Carla", departed: false },
        recoveryEmailHolder: { text: "ZED@client.test", person: { id: zed, departed: true } },
        twoFactorHolder: { text: "carla", person: { id: carla, departed: false } },
      });

      expect(named.length).toBeGreaterThan(8);
      expect(named.filter((id) => !ours.has(id))).toEqual([]);
    });

    it("keeps each list of records behind a finding to 50, with the total", async () => {
      const rows = Array.from(
        { length: 60 },
        (_, i) =>
          `tiktok,Client BC,Client Co,A${String(i).padStart(2, "0")},,a${i}@client.test,Client Co,Admin,`,
      );
      await t.call("POST", `${base}/import`, {
        cookie,
        body: `${SHEET.split("\n")[0]}\n${rows.join("\n")}\n`,
        headers: { "content-type": "text/csv" },
      });
      const f = (await list()).findings.find((x) => x.rule === "too-many-admins")!;
      const res = await readJson<{
        involved: { admins: { total: number; items: { subject: { name: string } }[] } };
      }>(await t.call("GET", `${base}/findings/${encodeURIComponent(f.key)}`, { cookie }));
      expect(res.involved.admins.total).toBe(61);
      expect(res.involved.admins.items).toHaveLength(50);
      expect(res.involved.admins.items[0]!.subject.name).toBe("A00");
    });

    it("snoozes until a date in the future only", async () => {
      const f = (await list()).findings[0]!;
      const past = await t.call("POST", `${base}/findings/${encodeURIComponent(f.key)}/decision`, {
        cookie,
        body: { status: "snoozed", until: "2026-11-01" },
      });
      expect(past.status).toBe(400);
      const ok = await t.call("POST", `${base}/findings/${encodeURIComponent(f.key)}/decision`, {
        cookie,
        body: { status: "snoozed", until: "2026-12-24" },
      });
      expect((await readJson<F>(ok)).status).toBe("snoozed");
      type Counted = { counts: Record<string, number>; statuses: Record<string, number> };
      const counted = async () =>
        readJson<Counted>(await t.call("GET", `${base}/findings?limit=1`, { cookie }));
      const snoozed = await counted();
      expect(snoozed.statuses.snoozed).toBe(1);
      t.clock.set("2026-12-24T09:00:00.000Z");
      expect((await list()).findings.find((x) => x.key === f.key)?.status).toBe("open");
      // The day the snooze ends it counts as open again, in the totals too.
      const woken = await counted();
      expect(woken.statuses.snoozed).toBe(0);
      expect(woken.statuses.open).toBe(snoozed.statuses.open! + 1);
      expect(woken.counts[f.severity]).toBe(snoozed.counts[f.severity]! + 1);
    });
  });
}
