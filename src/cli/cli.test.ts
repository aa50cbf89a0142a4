import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../store/database.ts";
import { migrateToLatest } from "../store/migrate.ts";
import { createPerson } from "../store/record.ts";

const dir = mkdtempSync(join(tmpdir(), "delvia-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, "delvia.db");

function delvia(...args: string[]) {
  const r = spawnSync(process.execPath, ["src/cli/main.ts", ...args, "--db", db], {
    encoding: "utf8",
    env: { ...process.env, DELVIA_LOG_LEVEL: "silent" },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("the delvia command", () => {
  it("prints its version and a help listing every setting with its variable", () => {
    expect(delvia("--version").out).toMatch(/^delvia \d+\.\d+\.\d+/);
    const help = delvia("--help").out;
    for (const v of [
      "DELVIA_PORT",
      "DELVIA_DATABASE_URL",
      "DELVIA_PUBLIC_URL",
      "DELVIA_SECRET",
      "DELVIA_SMTP_URL",
      "serve",
      "migrate",
      "audit",
    ])
      expect(help).toContain(v);
  });

  it("stops on a bad setting with one line naming it and the fix", () => {
    const r = spawnSync(process.execPath, ["src/cli/main.ts", "migrate"], {
      encoding: "utf8",
      env: { ...process.env, DELVIA_PUBLIC_URL: "localhost:8080" },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("DELVIA_PUBLIC_URL");
    expect(r.stderr).toContain("http://");
  });

  it("migrates, creates a workspace for an existing user, and audit verify detects an edited history event", async () => {
    expect(delvia("migrate").out).toMatch(/Applied \d+ migration/);
    expect(delvia("migrate").out).toContain("up to date");
    const raw = new DatabaseSync(db);
    const at = new Date().toISOString();
    raw
      .prepare(
        `insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt") values ('u1', 'Olivia', 'olivia@acme.test', 0, ?, ?)`,
      )
      .run(at, at);
    raw.close();
    const created = delvia(
      "workspace",
      "create",
      "acme",
      "--owner",
      "olivia@acme.test",
      "--home-org",
      "Acme Bakery",
    );
    expect(created.code, created.err).toBe(0);

    const database = openDatabase({ kind: "sqlite", path: db });
    await migrateToLatest(database.db);
    const ws = await database.db
      .selectFrom("organization")
      .select("id")
      .where("slug", "=", "acme")
      .executeTakeFirstOrThrow();
    await createPerson(
      database.db,
      { workspaceId: ws.id, actor: { userId: null, label: "test" }, now: new Date() },
      { name: "Jane", emails: [], organizationId: null, status: "active", leftOn: null },
    );
    await database.close();

    const ok = delvia("audit", "verify", "--workspace", "acme");
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("2 events");

    const tamper = new DatabaseSync(db);
    tamper.exec("drop trigger history_no_update");
    tamper.prepare("update history set actor_label = 'mallory' where seq = 2").run();
    tamper.close();
    const broken = delvia("audit", "verify", "--workspace", "acme");
    expect(broken.code).toBe(1);
    expect(broken.out).toContain("BROKEN at event 2");
  });
});
