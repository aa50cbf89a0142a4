import type { Kysely } from "kysely";
import { findingsCatalog } from "../core/catalog/findings-catalog.ts";
import type { Clock } from "../core/clock.ts";
import { isoDay } from "../core/clock.ts";
import { AppError } from "../core/errors.ts";
import { recheckFindings } from "../core/findings/recheck.ts";
import { type Finding, SEVERITIES } from "../core/findings/rules.ts";
import { type FindingInvolvement, findingInvolvement } from "../store/finding-involvement.ts";
import {
  affectedScope,
  countFindings,
  countFindingsOf,
  countOpenByOrganization,
  decodeCursor,
  encodeCursor,
  type FindingCounts,
  type FindingStatus,
  type FindingsPage,
  findingsUnchanged,
  findingsVersion,
  getStoredFinding,
  hasLegacyFindings,
  listFindingsPage,
  loadAccountFacts,
  loadScopeInput,
  needsScan,
  reconcileFindings,
  recordChangesBetween,
  type StoredFinding,
} from "../store/findings.ts";
import { scanWorkspace } from "../store/findings-scan.ts";
import type { DB } from "../store/schema.ts";
import { writesOf } from "../store/sqlite.ts";
import type { AccessService } from "./access-service.ts";

export interface FindingsAnswer {
  asOf: string;
  /** Open findings of the whole workspace, by severity. */
  counts: Record<Finding["severity"], number>;
  /** Every finding of the whole workspace, by state. */
  statuses: Record<FindingStatus, number>;
  /** How many findings match the query, over all pages. */
  total: number;
  findings: StoredFinding[];
  nextCursor: string | null;
}

/** Up to this many record changes since the last scan, only the accounts they affect are re-checked. */
export const RECHECK_MAX_EVENTS = 500;
/** Past this many history events of any kind (findings' own too), do not even list them. */
const RECHECK_MAX_HISTORY = 100 * RECHECK_MAX_EVENTS;
/** Past this many affected accounts, one full scan is cheaper than re-checking them one by one. */
export const RECHECK_MAX_ACCOUNTS = 2000;

/**
 * Bring the stored findings of today up to date. After a few record changes on the same day,
 * only what they can affect is re-checked (per account: the subjects and outside organizations
 * they touch, and the account-level rules from a few counting queries); otherwise (first scan,
 * new day, many changes, a change of an unknown kind) the whole workspace is scanned.
 */
export function refreshFindings(
  db: Kysely<DB>,
  clock: Clock,
  workspaceId: string,
  /**
   * fullScan false: leave the stored findings as they are rather than scan the whole workspace
   * ("stale"). head: the history head the caller has just read (used unless this waited for
   * another refresh, which may have moved it).
   */
  opts: { fullScan?: boolean; head?: number } = {},
): Promise<Refreshed> {
  // One refresh per workspace at a time in this server. A request that arrives while one runs
  // cannot rely on it (it may have read the record before this request's own write), so it joins
  // the one refresh queued to start when the running one ends: however many requests arrive
  // meanwhile, they share that single next refresh instead of each running their own in turn.
  let slots = RUNNING.get(db);
  if (!slots) {
    slots = new Map();
    RUNNING.set(db, slots);
  }
  let slot = slots.get(workspaceId);
  if (!slot) {
    slot = {};
    slots.set(workspaceId, slot);
  }
  const fullScan = opts.fullScan ?? true;
  if (slot.next) {
    slot.next.fullScan ||= fullScan; // not started yet: it scans if any of its callers needs it
    return slot.next.promise;
  }
  const running = slot.running;
  if (!running) return run(slot, slots, db, clock, workspaceId, fullScan, opts.head);
  const s = slot;
  const next: NonNullable<Slot["next"]> = { fullScan, promise: Promise.resolve("fresh") };
  next.promise = running
    .then(
      () => undefined,
      () => undefined,
    )
    .then(() => {
      s.next = undefined;
      return run(s, slots, db, clock, workspaceId, next.fullScan, undefined);
    });
  slot.next = next;
  return next.promise;
}

/**
 * The access index a server keeps for each workspace, which a re-check may read its accounts'
 * outside people from instead of the database (see `countOutsidersFromIndex`).
 */
const INDEXES = new WeakMap<Kysely<DB>, AccessService>();

/**
 * Let re-checks on `db` count the outside people of an account (external-individual-access) from
 * the server's access index once it is built, caught up to at least the history head the re-check
 * reads: walking the account's grants in memory instead of reading each of them and its person.
 */
export function countOutsidersFromIndex(db: Kysely<DB>, access: AccessService): void {
  INDEXES.set(db, access);
}

type Refreshed = "fresh" | "recheck" | "full" | "stale";
interface Slot {
  running?: Promise<Refreshed>;
  next?: { fullScan: boolean; promise: Promise<Refreshed> };
}
const RUNNING = new WeakMap<Kysely<DB>, Map<string, Slot>>();

async function run(
  slot: Slot,
  slots: Map<string, Slot>,
  db: Kysely<DB>,
  clock: Clock,
  workspaceId: string,
  fullScan: boolean,
  head: number | undefined,
): Promise<Refreshed> {
  // The stored findings are derived from the record, and derived again if a power loss takes
  // them: a refresh does not wait for its writes to reach stable storage, and the request that
  // started it does not either (its own write scope does not see them).
  const mine = writesOf({ wrote: 0 }, () => refreshNow(db, clock, workspaceId, fullScan, head));
  slot.running = mine;
  try {
    return await mine;
  } finally {
    slot.running = undefined;
    if (!slot.next) slots.delete(workspaceId);
  }
}

async function refreshNow(
  db: Kysely<DB>,
  clock: Clock,
  workspaceId: string,
  fullScan: boolean,
  knownHead: number | undefined,
): Promise<Refreshed> {
  const day = isoDay(clock.now());
  const scan = await needsScan(db, workspaceId, day, knownHead);
  const { stale, head } = scan;
  if (!stale) return "fresh";
  // What this server checked without writing (see below) counts as the last scan.
  // It holds only while no scan has been stored since (by any server).
  let checked = CHECKED.get(db)?.get(workspaceId);
  if (
    checked &&
    (checked.asOf !== day || checked.stored !== scan.last?.head || checked.head <= checked.stored)
  )
    checked = undefined;
  if (checked?.head === head) return "fresh";
  const last = checked ?? scan.last;
  if (
    last &&
    last.asOf === day &&
    head >= last.head &&
    head - last.head <= RECHECK_MAX_HISTORY &&
    !(await hasLegacyFindings(db, workspaceId))
  ) {
    const changes = await recordChangesBetween(db, workspaceId, last.head, head, RECHECK_MAX_EVENTS);
    const scope = changes && (await affectedScope(db, workspaceId, changes));
    if (scope && scope.size <= RECHECK_MAX_ACCOUNTS) {
      let found: Finding[] = [];
      if (scope.size) {
        const input = await loadScopeInput(db, workspaceId, day, scope);
        // The index may be ahead of `head` (a request caught it up meanwhile), like the rows read
        // above: whatever changed after `head` is re-checked again by the next refresh.
        const access = INDEXES.get(db);
        const index = access?.isLoaded(workspaceId) ? (await access.current(workspaceId, head)).index : null;
        const facts = await loadAccountFacts(db, workspaceId, day, scope, input.accounts, findingsCatalog, {
          outsiders: index
            ? (a, organizations) => index.outsiders(a.id, a.organizationId, organizations, day)
            : undefined,
        });
        found = recheckFindings(input, findingsCatalog, scope, facts);
      }
      // Nothing to change (the usual outcome of a write): note here that the findings hold as of
      // `head` instead of writing that down, unless the stored mark would lag so far behind that
      // a restarted server could no longer re-check from it.
      if (
        scan.last &&
        head - scan.last.head <= UNWRITTEN_MAX_HISTORY &&
        (await findingsUnchanged(db, workspaceId, found, scope))
      ) {
        let marks = CHECKED.get(db);
        if (!marks) {
          marks = new Map();
          CHECKED.set(db, marks);
        }
        marks.set(workspaceId, { head, asOf: day, stored: scan.last.head });
        return "recheck";
      }
      await reconcileFindings(db, workspaceId, found, day, clock.now(), {
        scope,
        basedOn: head,
        sync: false,
      });
      CHECKED.get(db)?.delete(workspaceId);
      return "recheck";
    }
  }
  if (!fullScan) return "stale";
  const found = await scanWorkspace(db, workspaceId, day);
  await reconcileFindings(db, workspaceId, found, day, clock.now(), { basedOn: head, sync: false });
  CHECKED.get(db)?.delete(workspaceId);
  return "full";
}

/**
 * Per workspace, the history head up to which this server re-checked the findings and found
 * nothing to change, on that day, and the stored mark it started from. Only a shortcut: the
 * stored findings are the same either way; once any server stores a scan the stored mark moves
 * and this one is dropped, and another server (or this one after a restart) re-checks from the
 * stored mark.
 */
const CHECKED = new WeakMap<Kysely<DB>, Map<string, { head: number; asOf: string; stored: number }>>();
/** How far the stored mark may lag behind what this server checked without writing. */
const UNWRITTEN_MAX_HISTORY = RECHECK_MAX_EVENTS / 2;

/** What a findings list asks for. */
export interface FindingsQuery {
  /** Another day than today: the rules run on the record as it is, nothing is stored. */
  asOf?: string;
  /** The states to list (default: all but resolved). */
  statuses?: readonly FindingStatus[];
  /** Only findings on accounts of this organization. */
  organizationId?: string;
  /** Page size (default 100). */
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string;
}

export const DEFAULT_FINDINGS_LIMIT = 100;
const NOT_RESOLVED: FindingStatus[] = ["open", "acknowledged", "snoozed"];

/**
 * One page of a workspace's findings, worst first (severity, then rule, then key), with the
 * whole workspace's counts: open findings by severity, every finding by state, and how many match
 * the query. For today the stored state is brought up to date first (only when the record changed
 * or the day turned), so acknowledgements persist and cleared findings resolve. For another day,
 * the rules run on the current record without storing anything.
 */
export async function workspaceFindings(
  db: Kysely<DB>,
  clock: Clock,
  workspaceId: string,
  query: FindingsQuery = {},
): Promise<FindingsAnswer> {
  const today = isoDay(clock.now());
  const day = query.asOf ?? today;
  const statuses = query.statuses ?? NOT_RESOLVED;
  const limit = query.limit ?? DEFAULT_FINDINGS_LIMIT;
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (cursor === null)
    throw new AppError(
      "VALIDATION_FAILED",
      "This list position is not one the findings list gave: start again without it.",
      {
        problems: [{ path: "cursor", message: "use the nextCursor of the previous page" }],
      },
    );
  if (day === today) {
    await refreshFindings(db, clock, workspaceId);
    const kept = await keptFindings(db, workspaceId, day);
    const list = () =>
      listFindingsPage(db, workspaceId, day, {
        statuses,
        organizationId: query.organizationId,
        limit,
        cursor,
      });
    const [counts, page] = await Promise.all([
      kept.counts,
      // Pages of the whole workspace are kept with the counts; by organization they also depend
      // on which accounts the organization has, which the findings version does not follow.
      query.organizationId === undefined
        ? keptPage(kept, `${statuses.join(",")}|${limit}|${query.cursor ?? ""}`, list)
        : list(),
    ]);
    const total =
      query.organizationId === undefined
        ? statuses.reduce((n, s) => n + counts.byStatus[s], 0)
        : await countFindingsOf(db, workspaceId, day, statuses, query.organizationId);
    return { asOf: day, counts: counts.bySeverity, statuses: counts.byStatus, total, ...page };
  }
  // Another day: the whole record scanned as of then (in a worker thread on a SQLite file, as
  // the day's own scan), nothing stored.
  const orgOf =
    query.organizationId === undefined
      ? null
      : new Map(
          (
            await db
              .selectFrom("platform_account")
              .select(["id", "organization_id"])
              .where("workspace_id", "=", workspaceId)
              .execute()
          ).map((a) => [a.id, a.organization_id]),
        );
  const all: StoredFinding[] = (await scanWorkspace(db, workspaceId, day)).map((f) => ({
    ...f,
    status: "open",
    reason: null,
    decidedBy: null,
    decidedAt: null,
    snoozedUntil: null,
    firstSeen: `${day}T00:00:00.000Z`,
    resolvedAt: null,
  }));
  const rank = (s: string) => SEVERITIES.indexOf(s as Finding["severity"]);
  const order = (a: { severity: string; rule: string; key: string }, b: typeof a) =>
    rank(a.severity) - rank(b.severity) ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const matching = all
    .filter(
      (f) =>
        statuses.includes("open") &&
        (orgOf === null || (f.accountId && orgOf.get(f.accountId) === query.organizationId)),
    )
    .sort(order);
  const rest = cursor ? matching.filter((f) => order(f, cursor) > 0) : matching;
  const findings = rest.slice(0, limit);
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, all.filter((f) => f.severity === s).length]));
  return {
    asOf: day,
    counts: counts as FindingsAnswer["counts"],
    statuses: { open: all.length, acknowledged: 0, snoozed: 0, resolved: 0 },
    total: matching.length,
    findings,
    nextCursor: rest.length > limit ? encodeCursor(findings.at(-1)!) : null,
  };
}

/**
 * The workspace's finding counts and first pages, kept per server while the day and the findings
 * version stand (`findingsVersion`: its latest finding event, and the counts of scans that changed
 * rows or what counts read). Counting reads every entry of the status index (2.6 ms at 42,000
 * findings), so the counts are kept across scans that only re-word findings, which pages are not;
 * a page reads up to 100 rows. The versions are read before anything kept under them, so what is
 * read after a concurrent change is only ever kept under an older version, which the next read no
 * longer matches. Kept as promises, so concurrent readers share one read.
 */
interface Kept {
  version: string;
  countsVersion: string;
  day: string;
  counts: Promise<FindingCounts>;
  pages: Map<string, Promise<FindingsPage>>;
}
const KEPT = new WeakMap<Kysely<DB>, Map<string, Kept>>();
/** Pages kept per workspace (a few lists and filters are in use at once). */
const KEPT_PAGES = 16;

async function keptFindings(db: Kysely<DB>, workspaceId: string, day: string): Promise<Kept> {
  let all = KEPT.get(db);
  if (!all) {
    all = new Map();
    KEPT.set(db, all);
  }
  const version = await findingsVersion(db, workspaceId);
  const hit = all.get(workspaceId);
  if (hit && hit.version === version.rows && hit.day === day) return hit;
  const kept: Kept = {
    version: version.rows,
    countsVersion: version.counts,
    day,
    counts:
      hit && hit.countsVersion === version.counts && hit.day === day
        ? hit.counts
        : countFindings(db, workspaceId, day),
    pages: new Map(),
  };
  kept.counts.catch(() => {
    if (all.get(workspaceId) === kept) all.delete(workspaceId);
  });
  all.set(workspaceId, kept);
  return kept;
}

function keptPage(kept: Kept, key: string, read: () => Promise<FindingsPage>): Promise<FindingsPage> {
  let page = kept.pages.get(key);
  if (!page) {
    page = read();
    page.catch(() => kept.pages.delete(key));
    if (kept.pages.size >= KEPT_PAGES) kept.pages.delete(kept.pages.keys().next().value!);
    kept.pages.set(key, page);
  }
  return page;
}

/** Open findings per organization (of their accounts), by severity; brought up to date first. */
export async function findingsByOrganization(db: Kysely<DB>, clock: Clock, workspaceId: string) {
  const today = isoDay(clock.now());
  await refreshFindings(db, clock, workspaceId);
  return { asOf: today, organizations: await countOpenByOrganization(db, workspaceId, today) };
}

/**
 * One finding (resolved ones too), brought up to date first, with what the record shows behind it
 * (`findingInvolvement`); null when there is none of that key.
 */
export async function workspaceFinding(
  db: Kysely<DB>,
  clock: Clock,
  workspaceId: string,
  key: string,
): Promise<(StoredFinding & { involved: FindingInvolvement }) | null> {
  const today = isoDay(clock.now());
  await refreshFindings(db, clock, workspaceId);
  const found = await getStoredFinding(db, workspaceId, key, today);
  if (!found) return null;
  return { ...found, involved: await findingInvolvement(db, workspaceId, found, today, findingsCatalog) };
}
