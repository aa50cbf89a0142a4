import type { Kysely } from "kysely";
import { uuidv7 } from "../core/ids.ts";
import type { DB } from "./schema.ts";
import { createWorkspace } from "./workspaces.ts";

/** A PostgreSQL schema name for one test, under this run's prefix (dropped when the run ends). */
export function testSchemaName(tag: string): string {
  const run = process.env.DELVIA_TEST_RUN ?? "local";
  return `dt_${run}_${tag}_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/**
 * A workspace for store tests: an owner user inserted directly (no sign-up), then one workspace
 * per name given ("A" by default, slugs in lower case). Returns the workspace IDs in order.
 */
export async function testWorkspaces(db: Kysely<DB>, now: Date, names: string[] = ["A"]): Promise<string[]> {
  const uid = uuidv7();
  const at = now.toISOString();
  await db
    .insertInto("user")
    .values({
      id: uid,
      email: `${uid}@owner.test`,
      name: "Owner",
      emailVerified: false,
      image: null,
      twoFactorEnabled: false,
      createdAt: at,
      updatedAt: at,
    })
    .execute();
  const ids: string[] = [];
  for (const name of names)
    ids.push((await createWorkspace(db, { name, slug: name.toLowerCase(), ownerUserId: uid, now })).id);
  return ids;
}
