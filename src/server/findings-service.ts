import type { Kysely } from "kysely";
import { findingsCatalog } from "../core/catalog/findings-catalog.ts";
import type { Clock } from "../core/clock.ts";
import { isoDay } from "../core/clock.ts";
import { recheckFindings } from "../core/findings/recheck.ts";
import { SEVERITIES, scanFindings } from "../core/findings/rules.ts";
import {
  affectedAccounts,
  hasLegacyFindings,
  listStoredFindings,
  loadFindingsInput,
  loadFindingsInputFor,
  needsScan,
  reconcileFindings,
  recordChangesBetween,
  type StoredFinding,
} from "../store/findings.ts";
import type { DB } from "../store/schema.ts";

export interface FindingsAnswer {
  asOf: string;
  counts: Record<string, number>;
  findings: StoredFinding[];
}

/** Up to this many record changes since the last scan, only the accounts they affect are re-checked. */
export const RECHECK_MAX_EVENTS = 500;
/** Past this many history events of any kind (findings' own too), do not even list them. */
const RECHECK_MAX_HISTORY = 100 * RECHECK_MAX_EVENTS;
/** Past this many affected accounts, one full scan is cheaper than loading them one by one. */
export const RECHECK_MAX_ACCOUNTS = 2000;

/**
 * Bring the stored findings of today up to date. After a few record changes on the same day,
 * only the accounts they can affect are reloaded and re-checked; otherwise (first scan, new day,
 * many changes, a change of an unknown kind) the whole workspace is scanned.
 */
export async function refreshFindings(
  db: Kysely<DB>,
  clock: Clock,
  workspaceId: string,
): Promise<"fresh" | "recheck" | "full"> {
  // One refresh per workspace at a time in this server: requests that arrive meanwhile wait for
  // it and then find the findings fresh (or re-check only what changed since), instead of each
  // running its own scan.
  let running = RUNNING.get(db);
  if (!running) {
    running = new Map();
    RUNNING.set(db, running);
  }
  for (let current = running.get(workspaceId); current; current = running.get(workspaceId))
    await current.catch(() => undefined);
  const mine = refreshNow(db, clock, workspaceId);
  running.set(workspaceId, mine);
  try {
    return await mine;
  } finally {
    if (running.get(workspaceId) === mine) running.delete(workspaceId);
  }
}

const RUNNING = new WeakMap<Kysely<DB>, Map<string, Promise<"fresh" | "recheck" | "full">>>();

async function refreshNow(
  db: Kysely<DB>,
  clock: Clock,
  workspaceId: string,
): Promise<"fresh" | "recheck" | "full"> {
  const day = isoDay(clock.now());
  const { stale, head, last } = await needsScan(db, workspaceId, day);
  if (!stale) return "fresh";
  if (
    last &&
    last.asOf === day &&
    head >= last.head &&
    head - last.head <= RECHECK_MAX_HISTORY &&
    !(await hasLegacyFindings(db, workspaceId))
  ) {
    const changes = await recordChangesBetween(db, workspaceId, last.head, head, RECHECK_MAX_EVENTS);
    const affected = changes && (await affectedAccounts(db, workspaceId, changes));
    if (affected && affected.size <= RECHECK_MAX_ACCOUNTS) {
      const found = affected.size
        ? recheckFindings(
            await loadFindingsInputFor(db, workspaceId, day, affected),
            findingsCatalog,
            affected,
          )
        : [];
      await reconcileFindings(db, workspaceId, found, day, clock.now(), {
        accountIds: affected,
        basedOn: head,
      });
      return "recheck";
    }
  }
  const found = scanFindings(await loadFindingsInput(db, workspaceId, day), findingsCatalog);
  await reconcileFindings(db, workspaceId, found, day, clock.now(), { basedOn: head });
  return "full";
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
    await refreshFindings(db, clock, workspaceId);
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
