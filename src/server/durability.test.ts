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
});
