import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestInstance, readJson, type TestInstance } from "../testing.ts";

let t: TestInstance;
let a: string;
let b: string;
let base: string;
beforeAll(async () => {
  t = await createTestInstance("sqlite");
  a = await t.signUp("a@x.test");
  const ws = await readJson<{ id: string }>(
    await t.call("POST", "/api/v1/workspaces", { cookie: a, body: { name: "W" } }),
  );
  base = `/api/v1/workspaces/${ws.id}/guide-progress/tiktok/add-member`;
  const inv = await readJson<{ id: string }>(
    await t.call("POST", `/api/v1/workspaces/${ws.id}/invitations`, {
      cookie: a,
      body: { email: "b@x.test" },
    }),
  );
  b = await t.signUp("b@x.test");
  await t.call("POST", `/api/v1/invitations/${inv.id}/accept`, { cookie: b });
});
afterAll(() => t.dispose());

describe("following a guide as a checklist", () => {
  it("keeps each person's ticks per item, ignores steps the guide does not have, and 404s an unknown guide", async () => {
    const saved = await readJson<{ doneSteps: number[] }>(
      await t.call("PUT", `${base}?context=finding-1`, { cookie: a, body: { doneSteps: [2, 0, 0, 99] } }),
    );
    expect(saved.doneSteps).toEqual([0, 2]);
    expect(
      (
        await readJson<{ doneSteps: number[] }>(
          await t.call("GET", `${base}?context=finding-1`, { cookie: a }),
        )
      ).doneSteps,
    ).toEqual([0, 2]);
    expect(
      (
        await readJson<{ doneSteps: number[] }>(
          await t.call("GET", `${base}?context=finding-2`, { cookie: a }),
        )
      ).doneSteps,
    ).toEqual([]);
    expect(
      (
        await readJson<{ doneSteps: number[] }>(
          await t.call("GET", `${base}?context=finding-1`, { cookie: b }),
        )
      ).doneSteps,
    ).toEqual([]);
    expect((await t.call("GET", base.replace("add-member", "nope"), { cookie: a })).status).toBe(404);
  });
});
