import type { Kysely } from "kysely";
import type { RoleCount, StatusCounts } from "../core/access/types.ts";
import { getPlatform, isAdminLevel, rolePower } from "../core/catalog/index.ts";
import type { Clock } from "../core/clock.ts";
import { isoDay } from "../core/clock.ts";
import { notFound } from "../core/errors.ts";
import { historyHead } from "../store/access-snapshot.ts";
import {
  accountHeader,
  accountPageVersion,
  assetDetails,
  type GrantPage,
  type GrantQuery,
  grantPages,
  openFindingsOf,
  personHeader,
  personPageVersion,
  timelineOf,
} from "../store/account-page.ts";
import type { DB } from "../store/schema.ts";
import type { AccessService } from "./access-service.ts";
import { refreshFindings } from "./findings-service.ts";

/** Assets, shared assets and partner links listed on an account page; their totals are always given. */
export const PAGE_LIST_LIMIT = 100;
/** Open findings and timeline events on a page. */
const PAGE_FINDINGS = 5;
const PAGE_EVENTS = 10;
/** Pages kept per server: about 1 to 30 KB each. */
const CACHE_BYTES = 32 * 1024 * 1024;

interface Cached {
  version: string;
  day: string;
  json: string;
}

/**
 * The account and person pages, computed on the server and bounded in size. The counts come from
 * the in-memory access index (caught up from the history head, like who-can-reach); the first
 * grants of each group, the header, open findings and the timeline from a few index-range
 * queries. A whole account page is kept until its version (`accountPageVersion`: what was written
 * about that account, anything it shows by name, its findings) or the day moves, so writes to
 * other accounts leave it and a page opened again (by anyone) costs one version lookup; a person
 * page likewise (`personPageVersion`).
 */
export class PageService {
  readonly #db: Kysely<DB>;
  readonly #clock: Clock;
  readonly #access: AccessService;
  readonly #cache = new Map<string, Cached>();
  readonly #building = new Map<string, { version: string; day: string; page: Promise<string> }>();
  /** Pages built so far (not those served as kept). */
  builds = 0;
  #bytes = 0;

  constructor(db: Kysely<DB>, clock: Clock, access: AccessService) {
    this.#db = db;
    this.#clock = clock;
    this.#access = access;
  }

  /** The account page as JSON text (see `AccountPage` in routes/pages.ts). */
  async accountPage(workspaceId: string, accountId: string, perGroup: number): Promise<string> {
    const day = isoDay(this.#clock.now());
    const key = `a:${workspaceId}:${accountId}:${perGroup}`;
    // Nothing on the page changed since it was built (see `accountPageVersion`): no write named
    // this account, nothing it shows by name changed and none of its findings moved, so the findings
    // refresh would change nothing on it either. Writes to other accounts leave it as it is.
    const seen = await accountPageVersion(this.#db, workspaceId, accountId);
    const hit = this.#get(key, seen, day);
    if (hit) return hit;
    return this.#once(key, seen, day, () =>
      this.#buildAccountPage(workspaceId, accountId, perGroup, key, seen, day),
    );
  }

  /**
   * One build at a time per page and version: views of a page that arrive while it is being built
   * (many at once after a restart, when every page is built on its first view) wait for that
   * build rather than each making its own.
   */
  #once(key: string, version: string, day: string, build: () => Promise<string>): Promise<string> {
    const running = this.#building.get(key);
    if (running && running.version === version && running.day === day) return running.page;
    this.builds++;
    const page = build();
    const entry = { version, day, page };
    this.#building.set(key, entry);
    const done = () => {
      if (this.#building.get(key) === entry) this.#building.delete(key);
    };
    page.then(done, done);
    return page;
  }

  async #buildAccountPage(
    workspaceId: string,
    accountId: string,
    perGroup: number,
    key: string,
    seen: string,
    day: string,
  ): Promise<string> {
    // Findings re-checked for the few accounts changed since the last check (never a full scan
    // here: the findings page does that), then the index caught up to whatever that wrote.
    const head = await historyHead(this.#db, workspaceId);
    const refreshed = await refreshFindings(this.#db, this.#clock, workspaceId, { fullScan: false, head });
    const { index } = await this.#access.current(
      workspaceId,
      refreshed === "fresh" || refreshed === "stale" ? head : undefined,
    );
    // The version the page is built at: a refresh may have written finding events since. What is
    // written while the page is built makes it newer than its version, never older: the next view
    // then reads another version and builds the page again.
    const version =
      refreshed === "fresh" || refreshed === "stale"
        ? seen
        : await accountPageVersion(this.#db, workspaceId, accountId);

    const db = this.#db;
    const ws = workspaceId;
    const header = await accountHeader(db, ws, accountId);
    const overview = index.accountOverview(accountId, PAGE_LIST_LIMIT);
    if (!overview) throw notFound("Account");
    const platform = getPlatform(header.account.platform);
    const assetIds = [
      ...overview.assets.items.map((a) => a.id),
      ...overview.sharedAssets.items.map((a) => a.id),
    ];
    const details = await assetDetails(db, ws, assetIds);
    const levelOf = (assetId: string) => details.get(assetId)?.type ?? "account";
    const sharedLevels = [...new Set(overview.sharedAssets.items.map((a) => levelOf(a.id)))];
    const order = (levels: string[]) => (x: RoleCount, y: RoleCount) => {
      const power = (r: string) => {
        if (!platform) return /^(admin|owner)$/i.test(r) ? 0 : 1;
        const p = levels.map((l) => rolePower(platform, l, r)).filter((n) => n >= 0);
        return p.length ? Math.min(...p) : 1000;
      };
      return power(x.role) - power(y.role) || x.role.localeCompare(y.role);
    };
    const accountRoles = [...overview.accountRoles].sort(order(["account"]));
    const sharedRoles = [...overview.sharedRoles].sort(order(sharedLevels));
    const queries: GrantQuery[] = [
      ...accountRoles.map((r) => ({
        scope: { on: "account", accountId } as const,
        role: r.role,
        limit: perGroup,
      })),
      ...sharedRoles.map((r) => ({
        scope: { on: "shared", accountId } as const,
        role: r.role,
        limit: perGroup,
      })),
    ];
    const [pages, findings, timeline] = await Promise.all([
      grantPages(db, ws, queries),
      openFindingsOf(db, ws, accountId, day, PAGE_FINDINGS),
      timelineOf(db, ws, accountId, { limit: PAGE_EVENTS }),
    ]);
    const admin = (levels: string[], role: string) =>
      platform ? levels.some((l) => isAdminLevel(platform, l, role)) : /^(admin|owner)$/i.test(role.trim());
    const group = (levels: string[], r: RoleCount, page: GrantPage) => ({
      role: r.role,
      admin: admin(levels, r.role),
      total: total(r),
      counts: { pending: r.pending, active: r.active, revoked: r.revoked },
      grants: page.grants,
      nextCursor: page.nextCursor,
    });
    const accountGroups = accountRoles.map((r, i) => group(["account"], r, pages[i]!));
    const sharedGroups = sharedRoles.map((r, i) => group(sharedLevels, r, pages[accountRoles.length + i]!));
    const a = header.account;
    const dueOn =
      a.reviewCadenceDays === null
        ? null
        : addDays(a.lastReviewedOn ?? a.createdAt.slice(0, 10), a.reviewCadenceDays);
    const page = {
      asOf: day,
      account: a,
      organization: header.organization,
      owner: header.owner,
      backupOwner: header.backupOwner,
      review: {
        cadenceDays: a.reviewCadenceDays,
        lastReviewedOn: a.lastReviewedOn,
        dueOn,
        overdue: dueOn !== null && dueOn < day,
        openReviewId: header.openReviewId,
      },
      counts: {
        grants: overview.grants,
        people: overview.people,
        partners: overview.partners.total,
        partnerOf: overview.partnerOf.total,
        assets: overview.assets.total,
        sharedAssets: overview.sharedAssets.total,
      },
      grants: accountGroups,
      shared: sharedGroups,
      assets: {
        total: overview.assets.total,
        items: overview.assets.items.map((x) => ({
          id: x.id,
          name: x.name,
          type: levelOf(x.id),
          platformId: details.get(x.id)?.platformId ?? null,
          grants: x.grants,
          roles: [...x.roles].sort(order([levelOf(x.id)])).map((r) => ({ role: r.role, total: total(r) })),
        })),
      },
      sharedAssets: {
        total: overview.sharedAssets.total,
        items: overview.sharedAssets.items.map((x) => ({
          id: x.id,
          name: x.name,
          type: levelOf(x.id),
          holder: x.holder,
          grants: x.grants,
        })),
      },
      partners: overview.partners,
      partnerOf: overview.partnerOf,
      findings: {
        total: Object.values(findings.counts).reduce((s, n) => s + n, 0),
        counts: findings.counts,
        items: findings.items.map((f) => ({
          key: f.key,
          rule: f.rule,
          severity: f.severity,
          assetId: f.assetId,
          subject: f.subject,
          message: f.message,
          guide: f.guide,
        })),
      },
      timeline,
    };
    return this.#put(key, version, day, JSON.stringify(page));
  }

  /** The person page as JSON text (see `PersonPage` in routes/pages.ts). */
  async personPage(workspaceId: string, personId: string, perPage: number): Promise<string> {
    const day = isoDay(this.#clock.now());
    const seq = await personPageVersion(this.#db, workspaceId, personId);
    const key = `p:${workspaceId}:${personId}:${perPage}`;
    const hit = this.#get(key, seq, day);
    if (hit) return hit;
    return this.#once(key, seq, day, () =>
      this.#buildPersonPage(workspaceId, personId, perPage, key, seq, day),
    );
  }

  async #buildPersonPage(
    workspaceId: string,
    personId: string,
    perPage: number,
    key: string,
    seq: string,
    day: string,
  ): Promise<string> {
    const db = this.#db;
    const header = await personHeader(db, workspaceId, personId);
    const [[grants], timeline] = await Promise.all([
      grantPages(db, workspaceId, [{ scope: { on: "person", personId }, limit: perPage }]),
      timelineOf(db, workspaceId, personId, { limit: PAGE_EVENTS }),
    ]);
    const page = {
      asOf: day,
      ...header,
      grants: { ...grants!, total: total(header.counts.grants) },
      timeline,
    };
    return this.#put(key, seq, day, JSON.stringify(page));
  }

  #get(key: string, version: string, day: string): string | null {
    const c = this.#cache.get(key);
    if (!c) return null;
    this.#cache.delete(key);
    if (c.version !== version || c.day !== day) {
      this.#bytes -= c.json.length;
      return null;
    }
    this.#cache.set(key, c); // most recently used last
    return c.json;
  }

  #put(key: string, version: string, day: string, json: string): string {
    const old = this.#cache.get(key);
    if (old) this.#bytes -= old.json.length;
    this.#cache.delete(key);
    this.#cache.set(key, { version, day, json });
    this.#bytes += json.length;
    for (const [k, c] of this.#cache) {
      if (this.#bytes <= CACHE_BYTES) break;
      this.#cache.delete(k);
      this.#bytes -= c.json.length;
    }
    return json;
  }
}

const total = (c: StatusCounts) => c.pending + c.active + c.revoked;

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
