import { readFileSync } from "node:fs";
import type { Config } from "../config/config.ts";
import { importFile } from "../server/import-export.ts";
import { ROOT_DIR } from "../server/instance.ts";
import { option, withDatabase, workspaceBySlug } from "./context.ts";

/**
 * `delvia demo --workspace SLUG`: load a realistic sample record — an agency with two clients, a
 * departed designer still inside, a shared Instagram login, a client Business Center with one
 * admin, a Google Ads invitation past its 20 days and a TikTok invitation left waiting — to see findings and paths without typing anything.
 */
export async function demo(config: Config, args: string[]): Promise<number> {
  const text = readFileSync(`${ROOT_DIR}content/demo/agency-sheet.csv`, "utf8");
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const r = await importFile(
      database.db,
      { workspaceId: ws.id, actor: { userId: null, label: "demo" }, now: new Date() },
      { contentType: "text/csv", text },
      false,
    );
    process.stdout.write(
      `Loaded the demo record into ${ws.slug}: ${r.created.accounts} accounts, ${r.created.people} people, ${r.created.grants} grants. Open the app to see its findings.\n`,
    );
    return 0;
  });
}
