import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Config } from "../config/config.ts";
import { type Backup, createBackup, restoreBackup } from "../store/backup.ts";
import { verifyHistory } from "../store/history.ts";
import { option, UsageError, withDatabase } from "./context.ts";

/** `delvia backup --to FILE`: a consistent, compressed logical copy, taken while Delvia runs. */
export async function backup(config: Config, args: string[]): Promise<number> {
  const to = option(args, "to");
  if (!to) throw new UsageError("Usage: delvia backup --to FILE");
  return withDatabase(config, async (database) => {
    const b = await createBackup(database.db, new Date());
    writeFileSync(to, gzipSync(JSON.stringify(b)));
    const rows = Object.values(b.tables).reduce((n, t) => n + t.length, 0);
    process.stdout.write(`Backed up ${rows} rows from ${Object.keys(b.tables).length} tables to ${to}.\n`);
    return 0;
  });
}

/** `delvia restore FILE`: into an empty database; every workspace's history is verified after. */
export async function restore(config: Config, args: string[]): Promise<number> {
  const file = args.find(
    (a) =>
      !a.startsWith("--") &&
      args[args.indexOf(a) - 1] !== "--db" &&
      args[args.indexOf(a) - 1] !== "--data-dir",
  );
  if (!file) throw new UsageError("Usage: delvia restore FILE");
  let b: Backup;
  try {
    b = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as Backup;
  } catch {
    throw new UsageError(`${file} is not a Delvia backup (expected a file written by delvia backup).`);
  }
  return withDatabase(config, async (database) => {
    const counts = await restoreBackup(database.db, b);
    const workspaces = await database.db.selectFrom("organization").select("id").execute();
    for (const w of workspaces) {
      const v = await verifyHistory(database.db, w.id);
      if (!v.ok) {
        process.stderr.write(`Restored, but the history of workspace ${w.id} does not verify: ${v.reason}\n`);
        return 1;
      }
    }
    process.stdout.write(
      `Restored ${Object.values(counts).reduce((a, n) => a + n, 0)} rows; history verifies for ${workspaces.length} workspace(s).\n`,
    );
    return 0;
  });
}
