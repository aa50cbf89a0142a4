import { afterEach, describe, expect, it, vi } from "vitest";
import { NodeSqliteDatabase } from "../store/sqlite.ts";
import { createTestInstance, type TestInstance } from "./testing.ts";

/** Let pending callbacks run: a few turns of the event loop, no clock involved. */
async function turns(n = 50): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe("answers wait for their own writes to be synced, and only for those (SQLite)", () => {
  let t: TestInstance;
  afterEach(async () => {
    vi.restoreAllMocks();
    await t?.dispose();
  });

  it("a read answers while a sync is pending; a sign-in (better-auth's own write) waits for it", async () => {
    t = await createTestInstance("sqlite");
    const cookie = await t.signUp("ana@example.com", "Ana");
    // Every sync now hangs until the gate opens: as a slow disk would.
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const flush = vi.spyOn(NodeSqliteDatabase.prototype, "flush").mockImplementation(() => gate);

    const me = await t.call("GET", "/api/v1/me", { cookie });
    expect(me.status).toBe(200);
    expect(flush).not.toHaveBeenCalled();

    let answered = false;
    const signIn = t
      .call("POST", "/api/auth/sign-in/email", {
        body: { email: "ana@example.com", password: "correct horse battery" },
        ip: "10.9.9.9",
      })
      .then((res) => {
        answered = true;
        return res;
      });
    await vi.waitFor(() => expect(flush).toHaveBeenCalled(), { timeout: 5000, interval: 5 });
    // It wrote a session: the sync it waits for covers that write.
    expect(flush.mock.calls[0]![0]).toBeGreaterThan(0);
    await turns();
    expect(answered).toBe(false);
    // Reads keep being answered meanwhile.
    expect((await t.call("GET", "/api/v1/me", { cookie })).status).toBe(200);
    expect(answered).toBe(false);
    open();
    expect((await signIn).status).toBe(200);
  });

  it("a findings list answers without waiting for the sync of the findings it stored (derived, scanned again if lost)", async () => {
    t = await createTestInstance("sqlite");
    const cookie = await t.signUp("olivia@acme.test", "Olivia");
    const ws = (await (
      await t.call("POST", "/api/v1/workspaces", { cookie, body: { name: "Acme" } })
    ).json()) as {
      id: string;
    };
    const base = `/api/v1/workspaces/${ws.id}`;
    const imported = await t.call("POST", `${base}/import`, {
      cookie,
      headers: { "content-type": "text/csv" },
      body: "platform,account,account_org,subject,email,subject_org,role,person_status\ntiktok,Client BC,Client Co,Dan,dan@client.test,Client Co,Admin,departed\n",
    });
    expect(imported.status).toBe(200);
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const flush = vi.spyOn(NodeSqliteDatabase.prototype, "flush").mockImplementation(() => gate);
    // The first list scans the workspace and stores what it found (findings and their history),
    // and answers without waiting for a sync of them.
    let answered: Response | null = null;
    void t.call("GET", `${base}/findings`, { cookie }).then((res) => {
      answered = res;
    });
    while (answered === null && flush.mock.calls.length === 0) await turns(1);
    expect(flush).not.toHaveBeenCalled();
    const list = answered as unknown as Response;
    expect(list.status).toBe(200);
    const body = (await list.json()) as { findings: { rule: string }[] };
    expect(body.findings.map((f) => f.rule)).toContain("departed-with-access");
    const stored = await t.db.selectFrom("finding").select("rule").execute();
    expect(stored.map((f) => f.rule)).toContain("departed-with-access");
    // A decision on one is a write someone asked for: it waits.
    let decided = false;
    const key = (
      (await t.db
        .selectFrom("finding")
        .select("key")
        .where("rule", "=", "departed-with-access")
        .executeTakeFirstOrThrow()) as { key: string }
    ).key;
    const decision = t
      .call("POST", `${base}/findings/${encodeURIComponent(key)}/decision`, {
        cookie,
        body: { status: "acknowledged", reason: "Leaving this week" },
      })
      .then((res) => {
        decided = true;
        return res;
      });
    await vi.waitFor(() => expect(flush).toHaveBeenCalled(), { timeout: 5000, interval: 5 });
    await turns();
    expect(decided).toBe(false);
    open();
    expect((await decision).status).toBe(200);
  });
});
