import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyHistory } from "../../store/history.ts";
import {
  createTestInstance,
  readJson,
  TEST_POSTGRES_URL,
  type TestDialect,
  type TestInstance,
} from "../testing.ts";

interface Task {
  id: string;
  key: string;
  title: string;
  status: string;
  kind: string;
  blockedBy: string[];
}
interface Plan {
  id: string;
  status: string;
  title: string;
  tasks: Task[];
  progress: { done: number; total: number };
  lastCheck: { remaining: string[] } | null;
}

for (const dialect of ["sqlite", "postgres"] as TestDialect[]) {
  describe.skipIf(dialect === "postgres" && !TEST_POSTGRES_URL)(`change plans over HTTP (${dialect})`, () => {
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
    const tick = (plan: Plan, key: string, body: Record<string, unknown> = { status: "done" }) =>
      t.call("PATCH", `${base}/plans/${plan.id}/tasks/${plan.tasks.find((x) => x.key.startsWith(key))!.id}`, {
        cookie,
        body,
      });
    const openFindings = async () =>
      (
        await readJson<{ findings: { rule: string; status: string }[] }>(
          await t.call("GET", `${base}/findings`, { cookie }),
        )
      ).findings
        .filter((f) => f.status === "open")
        .map((f) => f.rule);

    beforeEach(async () => {
      t = await createTestInstance(dialect);
      cookie = await t.signUp("olivia@acme.test", "Olivia");
      wsId = (
        await readJson<{ id: string }>(
          await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } }),
        )
      ).id;
      base = `/api/v1/workspaces/${wsId}`;
      ids.acme = await post("organizations", { name: "Acme", kind: "own" });
      ids.jane = await post("people", { name: "Jane", emails: ["jane@acme.test"], organizationId: ids.acme });
      ids.sam = await post("people", { name: "Sam", emails: ["sam@acme.test"], organizationId: ids.acme });
      ids.bc = await post("accounts", {
        platform: "tiktok",
        name: "Acme BC",
        organizationId: ids.acme,
        ownerPersonId: ids.jane,
      });
      ids.yt = await post("accounts", {
        platform: "youtube",
        name: "Acme channel",
        organizationId: ids.acme,
        ownerPersonId: ids.sam,
      });
      ids.janeAdmin = await post("grants", {
        subject: { type: "person", personId: ids.jane },
        target: { accountId: ids.bc },
        role: "Admin",
      });
      ids.login = await post("shared-logins", {
        label: "Channel login",
        knownByPersonIds: [ids.jane, ids.sam],
      });
      await post("grants", {
        subject: { type: "shared_login", sharedLoginId: ids.login },
        target: { accountId: ids.yt },
        role: "Manager",
      });
      await post("grants", {
        subject: { type: "person", personId: ids.sam },
        target: { accountId: ids.yt },
        role: "Owner",
      });
    });
    afterEach(() => t.dispose());

    it("a leaver's plan, worked through task by task, leaves nothing behind and closes the findings", async () => {
      await t.call("PATCH", `${base}/people/${ids.jane}`, {
        cookie,
        body: { status: "departed", leftOn: "2026-11-24" },
      });
      expect(await openFindings()).toEqual(
        expect.arrayContaining(["departed-with-access", "owner-departed", "shared-login-known-by-departed"]),
      );

      const res = await t.call("POST", `${base}/plans`, {
        cookie,
        body: { subject: { kind: "person-leaves", personId: ids.jane }, successorPersonId: ids.sam },
      });
      expect(res.status).toBe(201);
      let plan = await readJson<Plan>(res);
      expect(plan.title).toBe("Jane leaves");
      expect(plan.tasks.map((x) => x.title)).toEqual([
        "Make Sam Admin of Acme BC",
        "Make Sam the accountable owner of Acme BC",
        "Remove Jane from Acme BC (Admin)",
        'Change the password of "Channel login" and sign out its sessions',
      ]);

      // Removing first is refused: the hand-over comes first, and nothing changes.
      const early = await tick(plan, "revoke:");
      expect(early.status).toBe(409);
      expect((await readJson<{ detail: string }>(early)).detail).toContain(
        "Do this first: Make Sam Admin of Acme BC",
      );
      expect(
        (
          await readJson<{ status: string }>(
            await t.call("GET", `${base}/grants/${ids.janeAdmin}`, { cookie }),
          )
        ).status,
      ).toBe("active");

      for (const key of ["admin:", "owner:", "revoke:", "rotate:"]) {
        const r = await tick(plan, key, { status: "done", evidence: `done ${key}` });
        expect(r.status, key).toBe(200);
        plan = await readJson<Plan>(r);
      }
      expect(plan.status).toBe("complete");
      expect(plan.lastCheck?.remaining).toEqual([]);
      // The record changed with each tick.
      const grants = await readJson<{
        grants: { subject: { personId?: string }; role: string; status: string }[];
      }>(await t.call("GET", `${base}/grants?accountId=${ids.bc}`, { cookie }));
      expect(
        grants.grants
          .map((g) => `${g.subject.personId === ids.sam ? "Sam" : "Jane"} ${g.role} ${g.status}`)
          .sort(),
      ).toEqual(["Jane Admin revoked", "Sam Admin active"]);
      const logins = await readJson<{ sharedLogins: { knownByPersonIds: string[] }[] }>(
        await t.call("GET", `${base}/shared-logins`, { cookie }),
      );
      const login = logins.sharedLogins[0]!;
      expect(login.knownByPersonIds).toEqual([ids.sam]);
      const open = await openFindings();
      expect(open).not.toContain("departed-with-access");
      expect(open).not.toContain("owner-departed");
      expect(open).not.toContain("shared-login-known-by-departed");
      expect(await verifyHistory(t.db, wsId)).toMatchObject({ ok: true });
    });

    it("never removes the last admin: skipping the hand-over does not make removal possible", async () => {
      const plan = await readJson<Plan>(
        await t.call("POST", `${base}/plans`, {
          cookie,
          body: { subject: { kind: "person-leaves", personId: ids.jane } },
        }),
      );
      const hand = plan.tasks.find((x) => x.key.startsWith("admin:"))!;
      expect(hand.title).toBe("Choose who becomes Admin of Acme BC");
      // Completing it needs a person.
      const noPerson = await tick(plan, "admin:");
      expect(noPerson.status).toBe(400);
      expect((await readJson<{ problems: { path: string }[] }>(noPerson)).problems[0]!.path).toBe("personId");
      expect((await tick(plan, "admin:", { status: "skipped" })).status).toBe(200);
      expect((await tick(plan, "owner:", { status: "done", personId: ids.sam })).status).toBe(200);
      const remove = await tick(plan, "revoke:");
      expect(remove.status).toBe(409);
      expect((await readJson<{ detail: string }>(remove)).detail).toContain(
        "would leave Acme BC with no admin",
      );
      expect(
        (
          await readJson<{ status: string }>(
            await t.call("GET", `${base}/grants/${ids.janeAdmin}`, { cookie }),
          )
        ).status,
      ).toBe("active");
    });

    it("a grant recorded after the plan was made is found by the re-check and added", async () => {
      const plan = await readJson<Plan>(
        await t.call("POST", `${base}/plans`, {
          cookie,
          body: { subject: { kind: "person-leaves", personId: ids.jane }, successorPersonId: ids.sam },
        }),
      );
      await post("grants", {
        subject: { type: "person", personId: ids.jane },
        target: { accountId: ids.yt },
        role: "Editor",
      });
      const checked = await readJson<Plan>(
        await t.call("POST", `${base}/plans/${plan.id}/recheck`, { cookie }),
      );
      expect(checked.status).toBe("open");
      expect(checked.lastCheck!.remaining).toContain("Jane still has Editor on Acme channel");
      expect(checked.tasks.map((x) => x.title)).toContain("Remove Jane from Acme channel (Editor)");
      expect(checked.tasks.length).toBe(plan.tasks.length + 1);
    });

    it("the account's rule names the successor and who to tell", async () => {
      const rule = await t.call("PUT", `${base}/accounts/${ids.bc}/change-rule`, {
        cookie,
        body: { notify: "the CEO", removeWithinDays: 1, successorPersonId: ids.sam },
      });
      expect(rule.status).toBe(200);
      const plan = await readJson<Plan>(
        await t.call("POST", `${base}/plans`, {
          cookie,
          body: { subject: { kind: "person-leaves", personId: ids.jane } },
        }),
      );
      expect(plan.tasks[0]!.title).toBe("Mark Jane as departed in the record");
      expect(plan.tasks[1]!.title).toBe("Tell the CEO about the change to Acme BC");
      expect(plan.tasks.map((x) => x.title)).toContain("Make Sam Admin of Acme BC");
      const bad = await t.call("PUT", `${base}/accounts/${ids.bc}/change-rule`, {
        cookie,
        body: { successorPersonId: "nobody" },
      });
      expect(bad.status).toBe(400);
      expect(
        (
          await readJson<{ notify: string }>(
            await t.call("GET", `${base}/accounts/${ids.bc}/change-rule`, { cookie }),
          )
        ).notify,
      ).toBe("the CEO");
    });

    it("an assignee must be a member of this workspace", async () => {
      const plan = await readJson<Plan>(
        await t.call("POST", `${base}/plans`, {
          cookie,
          body: { subject: { kind: "person-leaves", personId: ids.jane } },
        }),
      );
      const stranger = await t.signUp("stranger@else.test");
      const me = await readJson<{ user: { id: string } }>(
        await t.call("GET", "/api/v1/me", { cookie: stranger }),
      );
      const res = await tick(plan, "admin:", { assigneeUserId: me.user.id });
      expect(res.status).toBe(400);
      expect((await readJson<{ problems: { path: string }[] }>(res)).problems[0]!.path).toBe(
        "assigneeUserId",
      );
    });
  });
}
