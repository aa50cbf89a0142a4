import type { Kysely } from "kysely";
import { columnTypes } from "./types.ts";

/** Failed sign-ins per account (lockout across servers) and TOTP codes already used (no replay). */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against every past shape of the schema
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable("sign_in_guard")
    .addColumn("email", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("window_started_at", t.timestamp, (c) => c.notNull())
    .addColumn("locked_until", t.timestamp)
    .execute();
  await db.schema
    .createTable("totp_use")
    .addColumn("user_id", "text", (c) => c.notNull().references("user.id").onDelete("cascade"))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("used_at", t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("totp_use_pk", ["user_id", "code"])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("totp_use").execute();
  await db.schema.dropTable("sign_in_guard").execute();
}
