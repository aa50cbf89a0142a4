import type { Config } from "../config/config.ts";
import { createOrganization } from "../store/record.ts";
import { inTransaction } from "../store/transaction.ts";
import { createWorkspace } from "../store/workspaces.ts";
import { option, UsageError, withDatabase } from "./context.ts";

const USAGE = "Usage: delvia workspace create SLUG --owner EMAIL [--name NAME] [--home-org NAME]";

/** `delvia workspace create SLUG --owner EMAIL --home-org NAME`: for scripted set-ups and imports. */
export async function workspace(config: Config, args: string[]): Promise<number> {
  const [verb, slug] = args;
  if (verb !== "create" || !slug || slug.startsWith("--")) throw new UsageError(USAGE);
  if (!/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/.test(slug))
    throw new UsageError("The slug takes 1-48 lowercase letters, digits and dashes.");
  const email = option(args, "owner");
  if (!email)
    throw new UsageError(`${USAGE}\nThe owner must already have an account (sign up in the app first).`);
  return withDatabase(config, async (database) => {
    const user = await database.db
      .selectFrom("user")
      .select(["id", "email"])
      .where("email", "=", email.toLowerCase())
      .executeTakeFirst();
    if (!user)
      throw new UsageError(`No Delvia account uses ${email}: sign up in the app first, then run this again.`);
    const now = new Date();
    const ws = await inTransaction(database.db, async (trx) => {
      const created = await createWorkspace(trx, {
        name: option(args, "name") ?? slug,
        slug,
        ownerUserId: user.id,
        now,
      });
      const home = option(args, "home-org");
      if (home)
        await createOrganization(
          trx,
          { workspaceId: created.id, actor: { userId: user.id, label: "cli" }, now },
          { name: home, kind: "own" },
        );
      return created;
    });
    process.stdout.write(`Created workspace ${ws.slug} (${ws.id}), owned by ${user.email}.\n`);
    return 0;
  });
}
