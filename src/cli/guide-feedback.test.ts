import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../store/database.ts";
import { KyselyGuideFeedbackStore } from "../store/guide-feedback.ts";
import { migrateToLatest } from "../store/migrate.ts";
import { rankGuideFeedback } from "./guide-feedback.ts";

const dir = mkdtempSync(join(tmpdir(), "delvia-guide-feedback-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, "delvia.db");

function delvia(...args: string[]) {
  const r = spawnSync(process.execPath, ["src/cli/main.ts", ...args, "--db", db], {
    encoding: "utf8",
    env: { ...process.env, DELVIA_LOG_LEVEL: "silent" },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function answer(ref: string, yes: number, no: number, day = "2026-11-20") {
  const database = openDatabase({ kind: "sqlite", path: db });
  try {
    await migrateToLatest(database.db);
    const store = new KyselyGuideFeedbackStore(database.db);
    for (let i = 0; i < yes; i++) await store.record(ref, true, new Date(`${day}T10:00:00Z`));
    for (let i = 0; i < no; i++) await store.record(ref, false, new Date(`${day}T10:00:00Z`));
  } finally {
    await database.close();
  }
}

describe("delvia guide-feedback", () => {
  it("says so when no guide has been answered yet", () => {
    const r = delvia("guide-feedback");
    expect(r.code).toBe(0);
    expect(r.out).toContain("No answers yet");
    expect(JSON.parse(delvia("guide-feedback", "--json").out)).toEqual({ guides: [] });
  });

  it("lists yes, no and the share of yes per guide, most no first, summed over days", async () => {
    await answer("tiktok/add-member", 8, 2);
    await answer("tiktok/add-member", 1, 1, "2026-11-21");
    await answer("meta/add-partner", 1, 5);
    await answer("tiktok/invite-expired", 4, 0);
    await answer("tiktok/retired-guide", 0, 1);

    const json = delvia("guide-feedback", "--json");
    expect(json.code).toBe(0);
    const { guides } = JSON.parse(json.out) as { guides: { ref: string }[] };
    expect(guides).toEqual([
      { ref: "meta/add-partner", title: expect.any(String), yes: 1, no: 5, yes_share: 0.17 },
      { ref: "tiktok/add-member", title: expect.any(String), yes: 9, no: 3, yes_share: 0.75 },
      { ref: "tiktok/retired-guide", title: null, yes: 0, no: 1, yes_share: 0 },
      { ref: "tiktok/invite-expired", title: expect.any(String), yes: 4, no: 0, yes_share: 1 },
    ]);

    const text = delvia("guide-feedback");
    expect(text.code).toBe(0);
    const lines = text.out.trim().split("\n");
    expect(lines[0]).toBe('4 guide(s) answered: 14 yes, 9 no. Most "no" first.');
    expect(lines[2]).toMatch(/^no\s+yes\s+yes share\s+guide$/);
    expect(lines[3]).toMatch(/^\s*5\s+1\s+17%\s+meta\/add-partner — \S/);
    expect(lines[4]).toMatch(/^\s*3\s+9\s+75%\s+tiktok\/add-member — \S/);
    expect(lines[5]).toMatch(/tiktok\/retired-guide \(no longer in the library\)$/);
    expect(lines[6]).toMatch(/^\s*0\s+4\s+100%\s+tiktok\/invite-expired/);
  });

  it("is listed in the help", () => {
    expect(delvia("--help").out).toContain("guide-feedback [--json]");
  });
});

describe("rankGuideFeedback", () => {
  it("breaks ties on no by the lower share of yes, then by address", () => {
    const rows = rankGuideFeedback(
      [
        { ref: "b/x", yes: 1, no: 2 },
        { ref: "a/x", yes: 1, no: 2 },
        { ref: "c/x", yes: 0, no: 2 },
        { ref: "d/x", yes: 0, no: 0 },
      ],
      new Map([["a/x", "A"]]),
    );
    expect(rows.map((r) => r.ref)).toEqual(["c/x", "a/x", "b/x"]);
    expect(rows[1]).toEqual({ ref: "a/x", title: "A", yes: 1, no: 2, yes_share: 0.33 });
  });
});
