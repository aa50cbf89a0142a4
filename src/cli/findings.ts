import type { Config } from "../config/config.ts";
import { findingsCatalog } from "../core/catalog/findings-catalog.ts";
import { scanFindings } from "../core/findings/rules.ts";
import { loadFindingsInput } from "../store/findings.ts";
import { flag, option, UsageError, withDatabase, workspaceBySlug } from "./context.ts";

/** `delvia findings --workspace SLUG [--as-of YYYY-MM-DD] [--json]`: the rules run on the record as it is now. */
export async function findings(config: Config, args: string[]): Promise<number> {
  const asOf = option(args, "as-of") ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf)))
    throw new UsageError("--as-of takes a date as YYYY-MM-DD.");
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const input = await loadFindingsInput(database.db, ws.id, asOf);
    const accounts = new Map(input.accounts.map((a) => [a.id, a]));
    const assets = new Map(input.assets.map((a) => [a.id, a]));
    const found = scanFindings(input, findingsCatalog).map((f) => {
      const a = f.accountId ? accounts.get(f.accountId) : undefined;
      const x = f.assetId ? assets.get(f.assetId) : undefined;
      return {
        rule: f.rule,
        severity: f.severity,
        account: a ? { platform: a.platform, name: a.name, id: a.platformId } : null,
        asset: x ? { type: x.type, name: x.name, id: x.platformId } : null,
        subject: f.subject ? { type: f.subject.type, name: f.subject.name, email: f.subject.email } : null,
        message: f.message,
        guide: f.guide,
      };
    });
    if (flag(args, "json"))
      process.stdout.write(`${JSON.stringify({ as_of: asOf, findings: found }, null, 2)}\n`);
    else {
      process.stdout.write(`${found.length} finding(s) in ${ws.slug} on ${asOf}\n`);
      for (const f of found)
        process.stdout.write(
          `[${f.severity}] ${f.rule}: ${f.message}${f.guide ? ` → /guides/${f.guide}` : ""}\n`,
        );
    }
    return 0;
  });
}
