import type { Config } from "../config/config.ts";
import type { ReachAnswer } from "../core/access/types.ts";
import { AccessService } from "../server/access-service.ts";
import { findPersonByEmail, listAccounts, listAssets } from "../store/record.ts";
import { flag, option, UsageError, withDatabase, workspaceBySlug } from "./context.ts";

function print(answers: ReachAnswer[], asOf: string, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ as_of: asOf, answers }, null, 2)}\n`);
    return;
  }
  if (answers.length === 0) process.stdout.write("Nobody / nothing.\n");
  for (const a of answers) {
    const path = a.path.map((e) => `${e.from.name} —${e.role ?? e.kind}→ ${e.to.name}`).join(", ");
    process.stdout.write(
      `${a.node.name} (${a.node.type}) as ${a.role}${a.departed ? " [DEPARTED]" : ""}: ${path}\n`,
    );
  }
}

/** `delvia who-can-reach --workspace SLUG --platform P --account NAME [--asset NAME] [--as-of DAY] --json` */
export async function whoCanReach(config: Config, args: string[]): Promise<number> {
  const platform = option(args, "platform");
  const accountName = option(args, "account");
  if (!platform || !accountName)
    throw new UsageError(
      "Usage: delvia who-can-reach --workspace SLUG --platform P --account NAME [--asset NAME] [--json]",
    );
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const account = (await listAccounts(database.db, ws.id)).find(
      (a) =>
        a.platform === platform &&
        (a.name.toLowerCase() === accountName.toLowerCase() || a.platformId === accountName),
    );
    if (!account) throw new UsageError(`No ${platform} account named "${accountName}" in ${ws.slug}.`);
    const assetName = option(args, "asset");
    const asset = assetName
      ? (await listAssets(database.db, ws.id, account.id)).find(
          (x) => x.name.toLowerCase() === assetName.toLowerCase() || x.platformId === assetName,
        )
      : undefined;
    if (assetName && !asset) throw new UsageError(`No asset named "${assetName}" in ${account.name}.`);
    const asOf = option(args, "as-of") ?? new Date().toISOString().slice(0, 10);
    const index = await new AccessService(database.db).index(ws.id);
    print(
      index.whoCanReach(asset ? { assetId: asset.id } : { accountId: account.id }, asOf),
      asOf,
      flag(args, "json"),
    );
    return 0;
  });
}

/** `delvia reach --workspace SLUG --email E [--as-of DAY] --json` */
export async function reach(config: Config, args: string[]): Promise<number> {
  const email = option(args, "email");
  if (!email) throw new UsageError("Usage: delvia reach --workspace SLUG --email E [--json]");
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const person = await findPersonByEmail(database.db, ws.id, email);
    if (!person) throw new UsageError(`Nobody with the email ${email} in ${ws.slug}.`);
    const asOf = option(args, "as-of") ?? new Date().toISOString().slice(0, 10);
    const index = await new AccessService(database.db).index(ws.id);
    print(index.reach(person.id, asOf), asOf, flag(args, "json"));
    return 0;
  });
}
