import { fileURLToPath } from "node:url";
import type { Config } from "../config/config.ts";
import { readGuides } from "../server/guides/load.ts";
import { KyselyGuideFeedbackStore } from "../store/guide-feedback.ts";
import { flag, withDatabase } from "./context.ts";

const GUIDES_DIR = fileURLToPath(new URL("../../content/guides", import.meta.url));

export interface GuideFeedbackRow {
  ref: string;
  /** null for answers kept for a guide that is no longer in the library. */
  title: string | null;
  yes: number;
  no: number;
  /** yes / (yes + no), rounded to two places. */
  yes_share: number;
}

/** Most "no" first, then the lower share of "yes", then by address. */
export function rankGuideFeedback(
  totals: { ref: string; yes: number; no: number }[],
  titles: Map<string, string>,
): GuideFeedbackRow[] {
  return totals
    .filter((t) => t.yes + t.no > 0)
    .map((t) => ({
      ref: t.ref,
      title: titles.get(t.ref) ?? null,
      yes: t.yes,
      no: t.no,
      yes_share: Math.round((t.yes / (t.yes + t.no)) * 100) / 100,
    }))
    .sort((a, b) => b.no - a.no || a.yes_share - b.yes_share || a.ref.localeCompare(b.ref));
}

/**
 * `delvia guide-feedback [--json]`: the public guides' "Did this solve it?" answers, counted for the
 * whole instance (they belong to no workspace), for the people who edit the guides.
 */
export async function guideFeedback(config: Config, args: string[]): Promise<number> {
  const titles = new Map(readGuides(GUIDES_DIR).guides.map((g) => [g.ref, g.title]));
  const rows = await withDatabase(config, async (database) =>
    rankGuideFeedback(await new KyselyGuideFeedbackStore(database.db).totals(), titles),
  );
  if (flag(args, "json")) {
    process.stdout.write(`${JSON.stringify({ guides: rows }, null, 2)}\n`);
    return 0;
  }
  if (!rows.length) {
    process.stdout.write("No answers yet to “Did this solve it?” on any guide.\n");
    return 0;
  }
  const yes = rows.reduce((s, r) => s + r.yes, 0);
  const no = rows.reduce((s, r) => s + r.no, 0);
  process.stdout.write(`${rows.length} guide(s) answered: ${yes} yes, ${no} no. Most "no" first.\n\n`);
  const head = ["no", "yes", "yes share", "guide"];
  const cells = rows.map((r) => [
    String(r.no),
    String(r.yes),
    `${Math.round(r.yes_share * 100)}%`,
    `${r.ref}${r.title ? ` — ${r.title}` : " (no longer in the library)"}`,
  ]);
  const w = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `${[0, 1, 2].map((i) => c[i]!.padStart(w[i]!)).join("  ")}  ${c[3]}\n`;
  process.stdout.write(line(head));
  for (const c of cells) process.stdout.write(line(c));
  return 0;
}
