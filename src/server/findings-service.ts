import type { Kysely } from "kysely";
import { findingsCatalog } from "../core/catalog/findings-catalog.ts";
import type { Clock } from "../core/clock.ts";
import { isoDay } from "../core/clock.ts";
import { SEVERITIES, scanFindings } from "../core/findings/rules.ts";
import {
  listStoredFindings,
  loadFindingsInput,
  needsScan,
  reconcileFindings,
  type StoredFinding,
} from "../store/findings.ts";
import type { DB } from "../store/schema.ts";

export interface FindingsAnswer {
  asOf: string;
  counts: Record<string, number>;
  findings: StoredFinding[];
}

/**
 * Findings of a workspace. For today, the stored state is brought up to date first (only when the
 * record changed or the day turned), so acknowledgements persist and cleared findings resolve.
 * For another day, the rules run on the current record without storing anything.
 */
export async function workspaceFindings(
  db: Kysely<DB>,
  clock: Clock,
  workspaceId: string,
  asOf?: string,
  includeClosed = false,
): Promise<FindingsAnswer> {
  const today = isoDay(clock.now());
  const day = asOf ?? today;
  let findings: StoredFinding[];
  if (day === today) {
    const { stale } = await needsScan(db, workspaceId, day);
    if (stale)
      await reconcileFindings(
        db,
        workspaceId,
        scanFindings(await loadFindingsInput(db, workspaceId, day), findingsCatalog),
        day,
        clock.now(),
      );
    findings = await listStoredFindings(db, workspaceId, day);
  } else {
    const found = scanFindings(await loadFindingsInput(db, workspaceId, day), findingsCatalog);
    findings = found.map((f) => ({
      ...f,
      status: "open",
      reason: null,
      decidedBy: null,
      decidedAt: null,
      snoozedUntil: null,
      firstSeen: `${day}T00:00:00.000Z`,
      resolvedAt: null,
    }));
  }
  if (!includeClosed) findings = findings.filter((f) => f.status !== "resolved");
  const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
  findings.sort(
    (a, b) =>
      rank(a.severity) - rank(b.severity) ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
  const counts = Object.fromEntries(
    SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s && f.status === "open").length]),
  );
  return { asOf: day, counts, findings };
}
