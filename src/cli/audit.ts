import type { Config } from "../config/config.ts";
import { existingSecret } from "../config/secret.ts";
import { verifyHistory } from "../store/history.ts";
import { sealKey } from "../store/history-seal.ts";
import { option, UsageError, withDatabase, workspaceBySlug } from "./context.ts";

/** `delvia audit verify --workspace SLUG`: recompute the history chain; exit 1 at the first broken link. */
export async function audit(config: Config, args: string[]): Promise<number> {
  if (args[0] !== "verify") throw new UsageError("Usage: delvia audit verify --workspace SLUG");
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const secret = existingSecret(config);
    const result = await verifyHistory(database.db, ws.id, secret ? { sealKey: sealKey(secret) } : {});
    if (result.ok) {
      const seal = !secret
        ? "signed head not checked (no instance secret here: set DELVIA_SECRET or --data-dir)"
        : result.seal === "none" || !result.seal
          ? "no signed head yet (a running server signs it within a minute of a change)"
          : `head signed on ${result.seal.sealedAt} at event ${result.seal.seq}`;
      process.stdout.write(
        `History of ${ws.slug} verifies: ${result.events} events, head ${result.head.slice(0, 16)}…; ${seal}\n`,
      );
      return 0;
    }
    process.stdout.write(
      `History of ${ws.slug} is BROKEN at event ${result.brokenAt}: ${result.reason} (${result.events} events verified before it).\n`,
    );
    return 1;
  });
}
