import { type Kysely, sql } from "kysely";
import type { DB } from "./schema.ts";
import { isPostgres } from "./schema.ts";

/** Tables in restore order (parents before children). Rate-limit counters are not worth keeping. */
export const BACKUP_TABLES = [
  "user",
  "session",
  "account",
  "verification",
  "organization",
  "member",
  "invitation",
  "twoFactor",
  "passkey",
  "record_organization",
  "person",
  "person_email",
  "custom_platform",
  "platform_account",
  "platform_asset",
  "shared_login",
  "shared_login_knower",
  "access_grant",
  "history",
  "history_ref",
  "guide_feedback",
  "finding",
  "finding_scan",
  "guide_progress",
  "access_request",
  "change_plan",
  "plan_task",
  "account_change_rule",
  "notification",
  "notification_setting",
  "calendar_feed",
  "scheduled_job",
  "history_seal",
  "sign_in_guard",
  "totp_use",
  "access_review",
  "review_item",
] as const;

/** Columns stored as 0/1 on SQLite and as booleans on PostgreSQL. */
const BOOLEANS: Record<string, string[]> = {
  user: ["emailVerified", "twoFactorEnabled"],
  twoFactor: ["verified"],
  passkey: ["backedUp"],
  access_request: ["email_contact"],
  notification_setting: ["email"],
};

export interface Backup {
  format: "delvia-backup";
  version: 1;
  createdAt: string;
  tables: Record<string, Record<string, unknown>[]>;
}

/**
 * A logical backup of every table, read inside one transaction so it is a consistent snapshot
 * (on PostgreSQL at REPEATABLE READ) while the server keeps running.
 */
export async function createBackup(db: Kysely<DB>, now: Date): Promise<Backup> {
  const tables: Backup["tables"] = {};
  const read = async (trx: Kysely<DB>) => {
    for (const table of BACKUP_TABLES) {
      // biome-ignore lint/suspicious/noExplicitAny: every table, generically
      const rows = (await (trx as Kysely<any>).selectFrom(table).selectAll().execute()) as Record<
        string,
        unknown
      >[];
      tables[table] = rows.map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [
            k,
            v instanceof Date ? v.toISOString() : typeof v === "bigint" ? Number(v) : v,
          ]),
        ),
      );
    }
  };
  if (isPostgres(db)) await db.transaction().setIsolationLevel("repeatable read").execute(read);
  else await db.transaction().execute(read);
  return { format: "delvia-backup", version: 1, createdAt: now.toISOString(), tables };
}

/** Restore a backup into an empty, migrated database, in one transaction. */
export async function restoreBackup(db: Kysely<DB>, backup: Backup): Promise<Record<string, number>> {
  if (backup.format !== "delvia-backup" || backup.version !== 1)
    throw new Error("This file is not a Delvia backup.");
  const pg = isPostgres(db);
  const counts: Record<string, number> = {};
  await db.transaction().execute(async (trx) => {
    const any = trx as unknown as Kysely<Record<string, Record<string, unknown>>>;
    const existing = await any
      .selectFrom("organization")
      .select(sql<number>`count(*)`.as("n"))
      .executeTakeFirstOrThrow();
    if (Number(existing.n) > 0)
      throw new Error("The target database already has workspaces: restore into an empty database.");
    for (const table of BACKUP_TABLES) {
      const rows = (backup.tables[table] ?? []).map((r) => {
        const out: Record<string, unknown> = { ...r };
        for (const col of BOOLEANS[table] ?? [])
          if (out[col] !== null && out[col] !== undefined)
            out[col] = pg ? Boolean(out[col]) : out[col] ? 1 : 0;
        for (const [k, v] of Object.entries(out))
          if (v !== null && typeof v === "object") out[k] = JSON.stringify(v);
        return out;
      });
      for (let i = 0; i < rows.length; i += 500)
        await any
          .insertInto(table)
          .values(rows.slice(i, i + 500))
          .execute();
      counts[table] = rows.length;
    }
  });
  return counts;
}
