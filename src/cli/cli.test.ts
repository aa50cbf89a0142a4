import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

describe("import, export and access questions from the command line", () => {
  const sheet = join(dir, "sheet.csv");
  it("imports a sheet, answers who-can-reach and reach as JSON, and exports CSV", () => {
    writeFileSync(
      sheet,
      "platform,account,account_org,asset,asset_type,asset_id,subject,subject_type,email,subject_org,role\ntiktok,Client BC,Client Co,,,,Carla,,carla@client.test,Client Co,Admin\ntiktok,Client BC,Client Co,Client ads,ad_account,111,Agency BC,partner,,Agency,Operator\ntiktok,Agency BC,Agency,Client ads,ad_account,111,Jane,,jane@agency.test,Agency,Analyst\n",
    );
    const preview = delvia("import", sheet, "--workspace", "acme", "--dry-run");
    expect(preview.out).toContain("Preview (nothing written)");
    const imported = delvia("import", sheet, "--workspace", "acme");
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toContain("3 grants");
    const who = JSON.parse(
      delvia(
        "who-can-reach",
        "--workspace",
        "acme",
        "--platform",
        "tiktok",
        "--account",
        "Client BC",
        "--asset",
        "Client ads",
        "--json",
      ).out,
    );
    expect(who.answers.map((a: { node: { name: string } }) => a.node.name).sort()).toEqual([
      "Agency BC",
      "Carla",
      "Jane",
    ]);
    const reach = JSON.parse(
      delvia("reach", "--workspace", "acme", "--email", "jane@agency.test", "--json").out,
    );
    expect(reach.answers.map((a: { node: { name: string } }) => a.node.name)).toEqual(["Client ads"]);
    const csv = delvia("export", "--workspace", "acme", "--format", "csv").out;
    expect(csv.trim().split("\n")).toHaveLength(4);
  });

  it("prints findings as JSON in the documented shape, worst first", () => {
    const out = JSON.parse(delvia("findings", "--workspace", "acme", "--as-of", "2026-11-24", "--json").out);
    expect(out.as_of).toBe("2026-11-24");
    expect(Object.keys(out.findings[0]).sort()).toEqual([
      "account",
      "asset",
      "guide",
      "message",
      "rule",
      "severity",
      "subject",
    ]);
    const severities = out.findings.map((f: { severity: string }) =>
      ["critical", "high", "medium", "low"].indexOf(f.severity),
    );
    expect([...severities].sort((a, b) => a - b)).toEqual(severities);
    expect(out.findings.map((f: { rule: string }) => f.rule)).toContain("single-admin");
  });

  it("loads the demo record, whose findings on a given day are exactly the sample's problems, in the documented order", () => {
    const made = delvia(
      "workspace",
      "create",
      "demo",
      "--owner",
      "olivia@acme.test",
      "--home-org",
      "Bright Agency",
    );
    expect(made.code, made.err).toBe(0);
    const loaded = delvia("demo", "--workspace", "demo");
    expect(loaded.code, loaded.err).toBe(0);
    expect(loaded.out).toContain("5 accounts");
    const out = JSON.parse(delvia("findings", "--workspace", "demo", "--as-of", "2026-11-26", "--json").out);
    // Severity first, then rule, then account name, then subject name.
    expect(
      out.findings.map(
        (f: {
          severity: string;
          rule: string;
          account: { name: string };
          subject: { name: string } | null;
        }) => [f.severity, f.rule, f.account.name, f.subject?.name ?? null],
      ),
    ).toEqual([
      ["critical", "departed-with-access", "Bright Agency BC", "Dana Designer"],
      ["critical", "shared-login-known-by-departed", "Bakery Co portfolio", "Dana Designer"],
      ["high", "shared-login", "Bakery Co portfolio", "Instagram team login"],
      ["high", "single-admin", "Bakery Co BC", "Carla Chen"],
      ["high", "single-admin", "Florist Ltd Analytics", "Fiona Flores"],
      ["medium", "expired-access", "Florist Ltd Analytics", "Pat Freelancer"],
      ["medium", "invite-expired", "Florist Ltd Ads", "Sam Singh"],
      ["low", "stale-invite", "Bright Agency BC", "Nina Novak"],
    ]);
    // Each part of a finding names the records as the sheet did.
    const expired = out.findings.find((f: { rule: string }) => f.rule === "invite-expired");
    expect(expired.account).toEqual({ platform: "google-ads", name: "Florist Ltd Ads", id: "123-456-7890" });
    expect(expired.asset).toBeNull();
    expect(expired.subject).toEqual({ type: "person", name: "Sam Singh", email: "sam@bright.example" });
    expect(expired.guide).toMatch(/^google-ads\//);
    const login = out.findings.find((f: { rule: string }) => f.rule === "shared-login");
    expect(login.asset).toEqual({ type: "instagram_account", name: "Bakery Instagram", id: null });
    expect(login.subject).toEqual({ type: "shared_login", name: "Instagram team login", email: null });
    // Google Ads invitations last 20 days: Sam's, sent on 20 October, has expired from 10 November.
    const on = (day: string) =>
      JSON.parse(delvia("findings", "--workspace", "demo", "--as-of", day, "--json").out).findings.map(
        (f: { rule: string }) => f.rule,
      );
    expect(on("2026-11-09")).not.toContain("invite-expired");
    expect(on("2026-11-10")).toContain("invite-expired");
    // Without --as-of, the rules run on today (UTC).
    const days = [new Date().toISOString().slice(0, 10)];
    const today = JSON.parse(delvia("findings", "--workspace", "demo", "--json").out);
    days.push(new Date().toISOString().slice(0, 10));
    expect(days).toContain(today.as_of);
    const bad = delvia("findings", "--workspace", "demo", "--as-of", "26/11/2026");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--as-of takes a date as YYYY-MM-DD");
  });

  it("makes a leaver's plan from the access engine and lists plans and requests", () => {
    const made = delvia("leaver", "--workspace", "acme", "--email", "jane@agency.test");
    expect(made.code, made.err).toBe(0);
    expect(made.out).toContain('Plan "Jane leaves" with');
    expect(made.out).toContain("Remove Jane from Client ads (in Agency BC) (Analyst)");
    const plans = JSON.parse(delvia("plans", "--workspace", "acme", "--json").out);
    expect(plans.plans).toHaveLength(1);
    expect(plans.plans[0].progress).toEqual({ done: 0, total: plans.plans[0].tasks.length });
    expect(delvia("requests", "--workspace", "acme").out).toContain("0 request(s) in acme");
    const bad = delvia("requests", "--workspace", "acme", "--move", "x", "--to", "teleported");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--to takes one of: draft, sent");
    const nobody = delvia("leaver", "--workspace", "acme", "--email", "nobody@else.test");
    expect(nobody.code).toBe(2);
    expect(nobody.err).toContain("Nobody with the email nobody@else.test");
  });

  it("backs up and restores faithfully — including the history event an earlier test tampered with, which the restore reports", () => {
    const file = join(dir, "backup.json.gz");
    const b = delvia("backup", "--to", file);
    expect(b.code, b.err).toBe(0);
    expect(b.out).toMatch(/Backed up \d+ rows/);
    const restored = join(dir, "restored.db");
    const r = spawnSync(process.execPath, ["src/cli/main.ts", "restore", file, "--db", restored], {
      encoding: "utf8",
      env: { ...process.env, DELVIA_LOG_LEVEL: "silent" },
    });
    // The earlier audit test edited event 2 directly in the database: the copy keeps that edit, and
    // restore's own verification names it.
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("event 2 was changed after it was written");
    const again = spawnSync(process.execPath, ["src/cli/main.ts", "restore", file, "--db", restored], {
      encoding: "utf8",
    });
    expect(again.status).not.toBe(0);
  });

  it("refuses a broken sheet with every problem and writes nothing", () => {
    writeFileSync(
      sheet,
      "platform,account,account_org,subject,role,email\ntiktok,X,Org,Ann,boss,ann@x.test\n",
    );
    const r = delvia("import", sheet, "--workspace", "acme");
    expect(r.code).toBe(1);
    expect(r.err).toContain("row 2.role");
  });
});
