import { readFileSync, writeFileSync } from "node:fs";
import type { Config } from "../config/config.ts";
import { AppError } from "../core/errors.ts";
import { importFile } from "../server/import-export.ts";
import { exportWorkspace } from "../store/export.ts";
import { exportAccessSheet } from "../store/export-csv.ts";
import { flag, option, UsageError, withDatabase, workspaceBySlug } from "./context.ts";

/** `delvia import FILE --workspace SLUG [--dry-run]`: an access sheet (.csv) or a full export (.json). */
export async function importCommand(config: Config, args: string[]): Promise<number> {
  const file = args.find(
    (a, i) => !a.startsWith("--") && !(args[i - 1] ?? "").match(/^--(workspace|db|data-dir)$/),
  );
  if (!file) throw new UsageError("Usage: delvia import FILE --workspace SLUG [--dry-run]");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`Cannot read ${file}.`);
  }
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const dryRun = flag(args, "dry-run");
    try {
      const r = await importFile(
        database.db,
        { workspaceId: ws.id, actor: { userId: null, label: "cli import" }, now: new Date() },
        { contentType: file.endsWith(".json") ? "application/json" : "text/csv", text },
        dryRun,
      );
      const c = r.created;
      process.stdout.write(
        `${dryRun ? "Preview (nothing written)" : "Imported"} ${r.rows} rows into ${ws.slug}: created ${c.organizations} organizations, ${c.people} people, ${c.accounts} accounts, ${c.assets} assets, ${c.sharedLogins} shared logins, ${c.grants} grants; changed ${r.changed.grants} grants; ${r.unchangedRows} rows already in the record.\n`,
      );
      return 0;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      process.stderr.write(`${err.userMessage}\n`);
      for (const p of err.problems) process.stderr.write(`  ${p.path}: ${p.message}\n`);
      return 1;
    }
  });
}

/** `delvia export --workspace SLUG --format json|csv [--out FILE]`. */
export async function exportCommand(config: Config, args: string[]): Promise<number> {
  const format = option(args, "format") ?? "json";
  if (format !== "json" && format !== "csv") throw new UsageError("--format takes json or csv.");
  return withDatabase(config, async (database) => {
    const ws = await workspaceBySlug(database, option(args, "workspace"));
    const doc = await exportWorkspace(database.db, ws.id, new Date());
    const text = format === "csv" ? exportAccessSheet(doc) : `${JSON.stringify(doc, null, 2)}\n`;
    const out = option(args, "out");
    if (out) writeFileSync(out, text);
    else process.stdout.write(text);
    return 0;
  });
}
