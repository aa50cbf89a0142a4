import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTestInstance,
  readJson,
  TEST_POSTGRES_URL,
  type TestDialect,
  type TestInstance,
} from "../testing.ts";

interface Item {
  id: string;
  who: string;
  role: string;
  change: string;
  previousRole: string | null;
  decision: string | null;
}
interface Review {
  id: string;
  status: string;
  counts: Record<string, number>;
  items: Item[];
}

for (const dialect of ["sqlite", "postgres"] as TestDialect[]) {
  describe.skipIf(dialect === "postgres" && !TEST_POSTGRES_URL)(`access reviews (${dialect})`, () => {
    let t: TestInstance;
    let cookie: string;
    let base: string;
    const ids: Record<string, string> = {};
    const post = async (path: string, body: unknown) => {
      const res = await t.call("POST", `${base}/${path}`, { cookie, body });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await readJson<{ id: string }>(res)).id;
    };
    const grant = (personId: string, role: string) =>
      post("grants", { subject: { type: "person", personId }, target: { accountId: ids.bc }, role });
    const decide = (r: Review, who: string, body: Record<string, unknown>) =>
      t.call("PATCH", `${base}/reviews/${r.id}/items/${r.items.find((i) => i.who === who)!.id}`, {
        cookie,
        body,
      });

    beforeEach(async () => {
      t = await createTestInstance(dialect);
      cookie = await t.signUp("olivia@acme.test");
      const ws = await readJson<{ id: string }>(
        await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } }),
      );
      base = `/api/v1/workspaces/${ws.id}`;
      ids.org = await post("organizations", { name: "Acme", kind: "own" });
      for (const name of ["Ann", "Ben", "Cat", "Dan"])
        ids[name] = await post("people", {
          name,
          emails: [`${name.toLowerCase()}@acme.test`],
          organizationId: ids.org,
        });
      ids.bc = await post("accounts", {
        platform: "tiktok",
        name: "=Acme BC",
        organizationId: ids.org,
        reviewCadenceDays: 90,
        lastReviewedOn: "2026-01-01",
      });
      ids.gAnn = await grant(ids.Ann!, "Admin");
      ids.gBen = await grant(ids.Ben!, "Admin");
      ids.gCat = await grant(ids.Cat!, "Standard");
    });
    afterEach(() => t.dispose());

    it("a first review confirms, changes and removes; completing applies it to the record", async () => {
      const findings = async () =>
        (
          await readJson<{ findings: { rule: string }[] }>(
            await t.call("GET", `${base}/findings`, { cookie }),
          )
        ).findings.map((f) => f.rule);
      expect(await findings()).toContain("review-overdue");
      let r = await readJson<Review>(
        await t.call("POST", `${base}/reviews`, { cookie, body: { accountId: ids.bc } }),
      );
      expect(r.items.map((i) => `${i.who}:${i.change}`).sort()).toEqual(["Ann:new", "Ben:new", "Cat:new"]);
      expect((await t.call("POST", `${base}/reviews`, { cookie, body: { accountId: ids.bc } })).status).toBe(
        409,
      );
      expect((await t.call("POST", `${base}/reviews/${r.id}/complete`, { cookie })).status).toBe(409);
      expect((await decide(r, "Ben", { decision: "change-role", newRole: "standard" })).status).toBe(200);
      expect((await decide(r, "Cat", { decision: "remove", note: "left the project" })).status).toBe(200);
      expect((await decide(r, "Ann", { decision: "change-role", newRole: null })).status).toBe(400);
      r = await readJson<Review>(
        await t.call("POST", `${base}/reviews/${r.id}/confirm-unchanged`, { cookie }),
      );
      expect(r.counts.undecided).toBe(0);
      r = await readJson<Review>(await t.call("POST", `${base}/reviews/${r.id}/complete`, { cookie }));
      expect(r.status).toBe("complete");
      const grants = await readJson<{
        grants: { id: string; role: string; status: string; lastVerifiedOn: string | null }[];
      }>(await t.call("GET", `${base}/grants?accountId=${ids.bc}`, { cookie }));
      const byId = Object.fromEntries(grants.grants.map((g) => [g.id, g]));
      expect(byId[ids.gAnn!]).toMatchObject({
        role: "Admin",
        status: "active",
        lastVerifiedOn: "2026-11-24",
      });
      expect(byId[ids.gBen!]).toMatchObject({ role: "Standard", status: "active" });
      expect(byId[ids.gCat!]).toMatchObject({ status: "revoked" });
      const account = await readJson<{ lastReviewedOn: string }>(
        await t.call("GET", `${base}/accounts/${ids.bc}`, { cookie }),
      );
      expect(account.lastReviewedOn).toBe("2026-11-24");
      expect(await findings()).not.toContain("review-overdue");
      // Completed reviews are evidence and cannot change.
      expect((await decide(r, "Ann", { decision: "remove" })).status).toBe(409);
    });

    it("the next review shows only what changed since, and confirms the rest in one tap", async () => {
      let first = await readJson<Review>(
        await t.call("POST", `${base}/reviews`, { cookie, body: { accountId: ids.bc } }),
      );
      first = await readJson<Review>(
        await t.call("POST", `${base}/reviews/${first.id}/confirm-unchanged`, { cookie }),
      );
      await t.call("POST", `${base}/reviews/${first.id}/complete`, { cookie });
      // Since then: Dan added, Ben's role changed, Cat's access removed.
      await grant(ids.Dan!, "Standard");
      const ben = await readJson<Record<string, unknown>>(
        await t.call("GET", `${base}/grants/${ids.gBen}`, { cookie }),
      );
      const { id: _i, createdAt: _c, updatedAt: _u, ...benInput } = ben;
      await t.call("PUT", `${base}/grants/${ids.gBen}`, { cookie, body: { ...benInput, role: "Standard" } });
      await t.call("DELETE", `${base}/grants/${ids.gCat}`, { cookie });
      let next = await readJson<Review>(
        await t.call("POST", `${base}/reviews`, { cookie, body: { accountId: ids.bc } }),
      );
      expect(
        next.items.map((i) => `${i.who}:${i.change}${i.previousRole ? `:was ${i.previousRole}` : ""}`),
      ).toEqual(["Dan:added", "Ben:role-changed:was Admin", "Cat:removed:was Standard", "Ann:unchanged"]);
      next = await readJson<Review>(
        await t.call("POST", `${base}/reviews/${next.id}/confirm-unchanged`, { cookie }),
      );
      expect(next.items.filter((i) => i.decision === "confirm").map((i) => i.who)).toEqual(["Ann"]);
      expect(next.counts.undecided).toBe(2);
      const refused = await t.call("POST", `${base}/reviews/${next.id}/complete`, { cookie });
      expect((await readJson<{ detail: string }>(refused)).detail).toContain(
        "2 item(s) still need a decision",
      );
      await decide(next, "Dan", { decision: "confirm" });
      await decide(next, "Ben", { decision: "confirm" });
      expect((await t.call("POST", `${base}/reviews/${next.id}/complete`, { cookie })).status).toBe(200);

      // Evidence: CSV (spreadsheet formulas neutralised) and a printable page (escaped).
      const csv = await (
        await t.call("GET", `${base}/reviews/${next.id}/evidence?format=csv`, { cookie })
      ).text();
      expect(csv.split("\n")[0]).toBe(
        "who,on,role,since last review,previous role,decision,new role,note,decided by,decided at",
      );
      expect(csv).toContain("Dan,'=Acme BC,Standard,added since,,Confirmed");
      const page = await t.call("GET", `${base}/reviews/${next.id}/evidence`, { cookie });
      expect(page.headers.get("content-type")).toContain("text/html");
      const html = await page.text();
      expect(html).toContain("<h1>Access review: =Acme BC</h1>");
      expect(html).toContain("role changed since");
      const list = await readJson<{ reviews: Review[] }>(
        await t.call("GET", `${base}/reviews?accountId=${ids.bc}`, { cookie }),
      );
      expect(list.reviews.map((x) => x.status)).toEqual(["complete", "complete"]);
    });
  });
}
