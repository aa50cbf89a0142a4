import type { Config } from "../config/config.ts";
import { openDatabase } from "../store/database.ts";
import { migrateToLatest } from "../store/migrate.ts";

/** Open the configured database, bring it up to date, run `fn`, and always close it. */
export async function withDatabase<T>(
  config: Config,
  fn: (database: ReturnType<typeof openDatabase>) => Promise<T>,
): Promise<T> {
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db, database.schema);
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** Find a workspace by its slug, or explain how to list them. */
export async function workspaceBySlug(database: ReturnType<typeof openDatabase>, slug: string | undefined) {
  if (!slug) throw new UsageError("Name the workspace with --workspace SLUG.");
  const ws = await database.db
    .selectFrom("organization")
    .select(["id", "slug", "name"])
    .where("slug", "=", slug)
    .executeTakeFirst();
  if (!ws) throw new UsageError(`No workspace with the slug "${slug}" in this database.`);
  return ws;
}

export class UsageError extends Error {
  override name = "UsageError";
}

/** Read `--name value` or `--name=value` from a command's arguments. */
export function option(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) return args[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

export function flag(args: string[], name: string): boolean {
  return args.includes(`--${name}`);
}
