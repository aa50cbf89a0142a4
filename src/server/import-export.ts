import type { Kysely } from "kysely";
import { sheetCatalog } from "../core/catalog/sheet-catalog.ts";
import { AppError } from "../core/errors.ts";
import { checkAccessSheet, type SheetRow } from "../core/record/access-sheet.ts";
import { importExport, WorkspaceExport } from "../store/export.ts";
import { type ImportSummary, importSheet } from "../store/import-sheet.ts";
import type { WriteContext } from "../store/record.ts";
import type { DB } from "../store/schema.ts";
import { CsvError, parseCsvRecords } from "./csv.ts";
import { checkRecordInput } from "./record-policy.ts";
import { zodProblems } from "./router.ts";

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
const MAX_COLUMNS = 64;

/** Parse CSV text into a header and rows; malformed CSV becomes a 400 that says where. */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  let records: string[][];
  try {
    records = parseCsvRecords(text, 64 * 1024);
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    throw new AppError("VALIDATION_FAILED", `The file is not valid CSV: ${err.message}`);
  }
  const header = records[0];
  if (!header)
    throw new AppError("VALIDATION_FAILED", "The file is empty: it needs a header row and at least one row.");
  if (header.length > MAX_COLUMNS)
    throw new AppError(
      "VALIDATION_FAILED",
      `The header has ${header.length} columns; an access sheet has at most ${MAX_COLUMNS}.`,
    );
  records.shift();
  return { header, rows: records };
}

/**
 * An access sheet's CSV text, parsed and checked (catalog, dates, emails, pasted secrets): its
 * rows, or a 400 listing every problem.
 */
export function readSheet(text: string): SheetRow[] {
  const { header, rows } = parseCsv(text);
  const checked = checkAccessSheet(header, rows, sheetCatalog);
  if (checked.problems.length) {
    throw new AppError(
      "VALIDATION_FAILED",
      `The sheet has ${checked.problems.length} problem(s); nothing was imported.`,
      {
        problems: checked.problems.map((p) => ({
          path: `row ${p.row}.${p.column}`,
          message: `${p.reason} (value: "${p.value}")`,
        })),
      },
    );
  }
  checkRecordInput(
    checked.rows.map((r) => ({ notes: r.notes, account: r.account.name, subject: r.subject.name })),
  );
  return checked.rows;
}

/**
 * Import an access sheet (CSV) or a full JSON export, all or nothing. With `dryRun` nothing is
 * written and the answer is the preview: what would be created, changed or left alone.
 */
export async function importFile(
  db: Kysely<DB>,
  ctx: WriteContext,
  file: { contentType: string; text: string },
  dryRun: boolean,
): Promise<ImportSummary & { kind: "sheet" | "export" }> {
  if (file.contentType.includes("json")) {
    let raw: unknown;
    try {
      raw = JSON.parse(file.text);
    } catch {
      throw new AppError("BAD_REQUEST", "The file is not valid JSON: check quotes, commas and brackets.");
    }
    const parsed = WorkspaceExport.safeParse(raw);
    if (!parsed.success)
      throw new AppError("VALIDATION_FAILED", "This JSON is not a Delvia export.", {
        problems: zodProblems(parsed.error.issues),
      });
    const doc = checkRecordInput(parsed.data);
    const counts = {
      organizations: doc.organizations.length,
      people: doc.people.length,
      accounts: doc.accounts.length,
      assets: doc.assets.length,
      sharedLogins: doc.sharedLogins.length,
      grants: doc.grants.length,
    };
    if (!dryRun) await importExport(db, ctx, doc);
    const none = { organizations: 0, people: 0, accounts: 0, assets: 0, sharedLogins: 0, grants: 0 };
    return { kind: "export", created: counts, changed: none, unchangedRows: 0, rows: doc.grants.length };
  }
  return { kind: "sheet", ...(await importSheet(db, ctx, readSheet(file.text), { dryRun })) };
}
