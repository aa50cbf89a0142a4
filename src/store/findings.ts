import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import { notFound } from "../core/errors.ts";
import {
  describeChange,
  RECORD_ENTITY_TYPES,
  type RecheckScope,
  type RecordChange,
  type RecordEntityType,
  recheckScope,
  type ScopeReader,
} from "../core/findings/recheck.ts";
import {
  ACCOUNT_RULES,
  type AccountFacts,
  type FAccount,
  type FGrant,
  type Finding,
  type FindingsCatalog,
  type FindingsInput,
  type FPerson,
  type FSharedLogin,
  findingInScope,
  hasDeparted,
  isLiveGrant,
  nameKey,
  PER_SUBJECT_RULES,
  SEVERITIES,
} from "../core/findings/rules.ts";
import { batchGrants, GRANT_BATCH_ENTITY } from "../core/history/refs.ts";
import { historyHead } from "./access-snapshot.ts";
import { bulkInsert, bulkUpdate, refreshPlannerStatistics, selectArrays } from "./bulk-insert.ts";
import { type Actor, appendHistory, appendHistoryBatch, type HistoryDraft } from "./history.ts";
import { accountView, grantSubject, personView, subjectIdOf } from "./record/shared.ts";
import * as record from "./record.ts";
import type { AccessGrantTable, DB, FindingTable, PlatformAccountTable } from "./schema.ts";
import { isPostgres, toIso } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

export type FindingStatus = "open" | "acknowledged" | "snoozed" | "resolved";

export interface StoredFinding extends Finding {
  status: FindingStatus;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  snoozedUntil: string | null;
  firstSeen: string;
  resolvedAt: string | null;
}

/** The columns of a grant the rules read. */
const GRANT_COLUMNS = [
  "id",
  "subject_type",
  "subject_person_id",
  "subject_account_id",
  "subject_shared_login_id",
  "subject_name",
  "target_account_id",
  "target_asset_id",
  "role",
  "status",
  "invited_on",
  "expires_on",
  "granted_by",
] as const;
type GrantRow = Pick<AccessGrantTable, (typeof GRANT_COLUMNS)[number]>;

/** A grant as the rules read it (the subject as `grantView` gives it). */
function ruleGrant(r: GrantRow): FGrant {
  return {
    id: r.id,
    subject: grantSubject(r.subject_type, subjectIdOf(r), r.subject_name),
    target: { accountId: r.target_account_id, assetId: r.target_asset_id },
    role: r.role,
    status: r.status as FGrant["status"],
    invitedOn: r.invited_on,
    expiresOn: r.expires_on,
    grantedBy: r.granted_by,
  };
}

const ruleAccount = (r: PlatformAccountTable): FAccount => {
  const a = accountView(r);
  return { ...a, createdOn: a.createdAt.slice(0, 10) };
};

/** The record as the finding rules read it (only the columns they read). */
export async function loadFindingsInput(
  db: Kysely<DB>,
  workspaceId: string,
  asOf: string,
): Promise<FindingsInput> {
  const [people, accounts, assets, sharedLogins, grants] = await Promise.all([
    record.listPeople(db, workspaceId),
    record.listAccounts(db, workspaceId),
    db
      .selectFrom("platform_asset")
      .select(["id", "name", "type", "platform_id", "account_id"])
      .where("workspace_id", "=", workspaceId)
      .orderBy("name")
      .execute(),
    record.listSharedLogins(db, workspaceId),
    allGrants(db, workspaceId),
  ]);
  return {
    asOf,
    people,
    accounts: accounts.map((a) => ({ ...a, createdOn: a.createdAt.slice(0, 10) })),
    assets: assets.map((r) => ({
      id: r.id,
      name: r.name,
      type: r.type,
      platformId: r.platform_id,
      accountId: r.account_id,
    })),
    sharedLogins,
    grants,
  };
}

/**
 * Every grant of a workspace as the rules read it, by ID. A full scan's largest read: each row
 * comes as an array (see `selectArrays`) with the subject's ID in one column. Grants of one subject
 * share one subject object, grants on one target one target object, and roles, statuses and invitation dates
 * are the same strings: a million grants hold a few objects each rather than nine, so the garbage
 * the scan leaves behind costs the collector a fraction of the work.
 */
async function allGrants(db: Kysely<DB>, workspaceId: string): Promise<FGrant[]> {
  const rows = await selectArrays(
    db,
    db
      .selectFrom("access_grant")
      .select([
        "id",
        "subject_type",
        sql<
          string | null
        >`coalesce(subject_person_id, subject_account_id, subject_shared_login_id, subject_name)`.as(
          "subject",
        ),
        "target_account_id",
        "target_asset_id",
        "role",
        "status",
        "invited_on",
        "expires_on",
        "granted_by",
      ])
      .where("workspace_id", "=", workspaceId)
      .orderBy("id"),
  );
  const subjects = new Map<string, FGrant["subject"]>(); // by ID: person, partner account or login
  // By account, then asset: each account's ID string kept once, with its targets.
  const targets = new Map<string, { id: string; byAsset: Map<string | null, FGrant["target"]> }>();
  const words = new Map<string, string>();
  const word = (w: string | null): string | null => {
    if (w === null) return null;
    const known = words.get(w);
    if (known !== undefined) return known;
    words.set(w, w);
    return w;
  };
  const grants: FGrant[] = [];
  for (const r of rows) {
    type Row = [
      string,
      string,
      string | null,
      string,
      string | null,
      string,
      string,
      string | null,
      string | null,
      string | null,
    ];
    const [id, type, subjectId, accountId, assetId, role, status, invitedOn, expiresOn, grantedBy] = r as Row;
    // The one column holds the subject's ID, or a system user's name (each its own subject).
    let subject = type === "system_user" ? undefined : subjects.get(subjectId!);
    if (!subject) {
      subject = grantSubject(type, subjectId, subjectId);
      if (type !== "system_user") subjects.set(subjectId!, subject);
    }
    let onAccount = targets.get(accountId);
    if (!onAccount) {
      onAccount = { id: accountId, byAsset: new Map() };
      targets.set(accountId, onAccount);
    }
    let target = onAccount.byAsset.get(assetId);
    if (!target) {
      target = { accountId: onAccount.id, assetId };
      onAccount.byAsset.set(assetId, target);
    }
    grants.push({
      id,
      subject,
      target,
      role: word(role)!,
      status: word(status) as FGrant["status"],
      invitedOn: word(invitedOn),
      expiresOn,
      grantedBy,
    });
  }
  return grants;
}

/**
 * What a finding event is listed under in `history_ref`, besides its key: the findings of its
 * account, apart from the account's own timeline, so an account page is kept until one of its own
 * findings moves (`accountPageVersion`). Null for a finding on no account.
 */
export function findingsRef(accountId: string | null): string | null {
  return accountId === null ? null : `findings:${accountId}`;
}

export function toStored(r: FindingTable, today: string): StoredFinding {
  const subject = typeof r.subject === "string" ? JSON.parse(r.subject) : (r.subject ?? null);
  // A snooze ends by itself on its date.
  const status =
    r.status === "snoozed" && r.snoozed_until && r.snoozed_until <= today
      ? "open"
      : (r.status as FindingStatus);
  return {
    key: r.key,
    rule: r.rule,
    severity: r.severity as Finding["severity"],
    accountId: r.account_id,
    assetId: r.asset_id,
    subject,
    message: r.message,
    guide: r.guide,
    status,
    reason: r.reason,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at ? toIso(r.decided_at) : null,
    snoozedUntil: r.snoozed_until,
    firstSeen: toIso(r.first_seen),
    resolvedAt: r.resolved_at ? toIso(r.resolved_at) : null,
  };
}

/**
 * Has anything changed since the last scan (a record change, or a new day)? `last` is the
 * history head and day the stored findings reflect (null before the first scan).
 */
export async function needsScan(
  db: Kysely<DB>,
  workspaceId: string,
  asOf: string,
  /** The history head, when the caller has just read it. */
  knownHead?: number,
): Promise<{ stale: boolean; head: number; last: { head: number; asOf: string } | null }> {
  const head = knownHead ?? (await historyHead(db, workspaceId));
  const row = await db
    .selectFrom("finding_scan")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  const last = row ? { head: Number(row.history_head), asOf: row.as_of } : null;
  return { stale: !last || last.head !== head || last.asOf !== asOf, head, last };
}

/** History events that never change what the finding rules read. */
const NOT_RECORD = ["finding", "plan", "request", "review"];
const CHUNK = 500;
/** Values for `in (…)` lists, 500 at a time (SQLite binds at most 32,766 parameters). */
export const chunks = <T>(list: Iterable<T>): T[][] => {
  const all = [...list];
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += CHUNK) out.push(all.slice(i, i + CHUNK));
  return out;
};
const json = (v: unknown): Record<string, unknown> | null => {
  const o = typeof v === "string" ? JSON.parse(v) : v;
  return o && typeof o === "object" ? (o as Record<string, unknown>) : null;
};

/**
 * The record changes in history after `fromSeq` up to `toSeq`, each reduced to what it can change
 * for the findings (`describeChange`; events that change nothing the rules read are left out, as
 * are findings' own events and others that never touch the record; a batch of imported grants
 * gives one change per grant), or null when there are more than `limit` record events or changes,
 * or one is of a kind the findings cannot follow incrementally (then scan everything).
 */
export async function recordChangesBetween(
  db: Kysely<DB>,
  workspaceId: string,
  fromSeq: number,
  toSeq: number,
  limit = Number.POSITIVE_INFINITY,
): Promise<RecordChange[] | null> {
  const rows = await db
    .selectFrom("history")
    .select(["entity_type", "entity_id", "before", "after"])
    .where("workspace_id", "=", workspaceId)
    .where("seq", ">", fromSeq)
    .where("seq", "<=", toSeq)
    .where("entity_type", "not in", NOT_RECORD)
    .orderBy("seq")
    .$if(Number.isFinite(limit), (q) => q.limit(limit + 1))
    .execute();
  if (rows.length > limit) return null;
  const out: RecordChange[] = [];
  for (const r of rows) {
    if (r.entity_type === GRANT_BATCH_ENTITY) {
      // Grants created together (an import): each is a grant created with this image.
      for (const g of batchGrants(json(r.after))) {
        const change = typeof g.id === "string" ? describeChange("grant", g.id, null, g) : null;
        if (change) out.push(change);
      }
      if (out.length > limit) return null;
      continue;
    }
    if (!(RECORD_ENTITY_TYPES as readonly string[]).includes(r.entity_type)) return null;
    const change = describeChange(
      r.entity_type as RecordEntityType,
      r.entity_id,
      json(r.before),
      json(r.after),
    );
    if (change) out.push(change);
  }
  return out;
}

const subjectColumn = {
  person: "subject_person_id",
  shared_login: "subject_shared_login_id",
  partner: "subject_account_id",
} as const;
/** The subject a scope names a grant by: its subject's ID, or for a system user the grant's own. */
const scopeSubjectOf = (r: Parameters<typeof subjectIdOf>[0] & { id: string }) => subjectIdOf(r) ?? r.id;

/** `ScopeReader` over the database: each relation read by index, in chunks. */
export function scopeReader(db: Kysely<DB>, workspaceId: string): ScopeReader {
  const ws = workspaceId;
  return {
    grants: async (ids) => {
      const out = [];
      for (const part of chunks(ids))
        for (const r of await db
          .selectFrom("access_grant")
          .select([
            "id",
            "target_account_id",
            "subject_type",
            "subject_person_id",
            "subject_account_id",
            "subject_shared_login_id",
          ])
          .where("workspace_id", "=", ws)
          .where("id", "in", part)
          .execute())
          out.push({
            id: r.id,
            accountId: r.target_account_id,
            subjectId: scopeSubjectOf(r),
            personId: r.subject_type === "person" ? r.subject_person_id : null,
          });
      return out;
    },
    grantsOfSubjects: async (ids) => {
      // Not DISTINCT: SQLite would walk an index of the whole workspace's grants for the order.
      const out = new Map<string, { accountId: string; subjectId: string }>();
      for (const part of chunks(ids))
        for (const column of Object.values(subjectColumn))
          for (const r of await db
            .selectFrom("access_grant")
            .select(["target_account_id", `${column} as subject`])
            .where("workspace_id", "=", ws)
            .where(column, "in", part)
            .execute())
            out.set(`${r.target_account_id} ${r.subject}`, {
              accountId: r.target_account_id,
              subjectId: r.subject!,
            });
      return [...out.values()];
    },
    accountsOwnedBy: async (ids) => {
      const out: string[] = [];
      for (const part of chunks(ids))
        for (const r of await db
          .selectFrom("platform_account")
          .select("id")
          .where("workspace_id", "=", ws)
          .where((eb) => eb.or([eb("owner_person_id", "in", part), eb("backup_owner_person_id", "in", part)]))
          .execute())
          out.push(r.id);
      return out;
    },
    namesOf: async (ids) => (await peopleByIds(db, ws, ids)).flatMap((p) => [p.name, ...p.emails]),
    textsNaming: (keys) => textsNaming(db, ws, keys),
    loginsKnownBy: async (ids) => {
      const out = new Set<string>();
      for (const part of chunks(ids))
        for (const r of await db
          .selectFrom("shared_login_knower")
          .select("shared_login_id")
          .where("workspace_id", "=", ws)
          .where("person_id", "in", part)
          .execute())
          out.add(r.shared_login_id);
      return [...out];
    },
    organizationsOf: async (ids) => {
      const out = new Map<string, string | null>();
      for (const part of chunks(ids))
        for (const r of await db
          .selectFrom("person")
          .select(["id", "organization_id"])
          .where("workspace_id", "=", ws)
          .where("id", "in", part)
          .execute())
          out.set(r.id, r.organization_id);
      return out;
    },
  };
}

/** The findings `changes` can affect (see `recheckScope`), read from the database. */
export function affectedScope(
  db: Kysely<DB>,
  workspaceId: string,
  changes: RecordChange[],
): Promise<RecheckScope> {
  return recheckScope(changes, scopeReader(db, workspaceId));
}

/** People by ID, with their emails in the order `record.listPeople` gives them (the first is the one findings name). */
async function peopleByIds(db: Kysely<DB>, ws: string, ids: Iterable<string>): Promise<FPerson[]> {
  const people: FPerson[] = [];
  for (const part of chunks(new Set(ids))) {
    const [rows, emails] = await Promise.all([
      db.selectFrom("person").selectAll().where("workspace_id", "=", ws).where("id", "in", part).execute(),
      db
        .selectFrom("person_email")
        .select(["person_id", "email"])
        .where("workspace_id", "=", ws)
        .where("person_id", "in", part)
        // By email as record.listPeople reads them, through an expression so SQLite does not walk
        // the whole workspace's emails in primary-key order to avoid a sort.
        .orderBy(sql`email || ''`)
        .execute(),
    ]);
    const byPerson = new Map<string, string[]>();
    for (const e of emails) {
      const list = byPerson.get(e.person_id);
      if (list) list.push(e.email);
      else byPerson.set(e.person_id, [e.email]);
    }
    for (const r of rows) people.push(personView(r, byPerson.get(r.id) ?? []));
  }
  return people;
}

/**
 * What a text names by one of `keys` (see `nameKey`): the accounts whose recovery or two-step
 * holder does, and the system users whose "granted by" does (read through a partial index).
 */
async function textsNaming(
  db: Kysely<DB>,
  ws: string,
  keys: ReadonlySet<string>,
): Promise<{ accounts: string[]; systemUsers: { accountId: string; grantId: string }[] }> {
  if (!keys.size) return { accounts: [], systemUsers: [] };
  const names = (text: string | null) => !!text && keys.has(nameKey(text));
  const [accounts, systemUsers] = await Promise.all([
    db
      .selectFrom("platform_account")
      .select(["id", "recovery_email_holder", "two_factor_holder"])
      .where("workspace_id", "=", ws)
      .where((eb) =>
        eb.or([eb("recovery_email_holder", "is not", null), eb("two_factor_holder", "is not", null)]),
      )
      .execute(),
    db
      .selectFrom("access_grant")
      .select(["id", "target_account_id", "granted_by"])
      .where("workspace_id", "=", ws)
      .where(sql<boolean>`subject_type = 'system_user'`)
      .where("granted_by", "is not", null)
      .execute(),
  ]);
  return {
    accounts: accounts
      .filter((a) => names(a.recovery_email_holder) || names(a.two_factor_holder))
      .map((a) => a.id),
    systemUsers: systemUsers
      .filter((g) => names(g.granted_by))
      .map((g) => ({ accountId: g.target_account_id, grantId: g.id })),
  };
}

/**
 * The part of the record `recheckFindings` needs for `scope` (see `sliceForScope`): the scoped
 * accounts; the grants of their scoped subjects, or every grant of an account re-checked whole;
 * the people, shared logins and partner accounts those name; the accounts' owners and backup
 * owners, and the people who left that their holder texts and system users' "granted by" name. Read by
 * account, subject and ID, never the whole workspace.
 */
export async function loadScopeInput(
  db: Kysely<DB>,
  workspaceId: string,
  asOf: string,
  scope: RecheckScope,
): Promise<FindingsInput> {
  const ws = workspaceId;
  const whole = [...scope].filter(([, s]) => s.subjects === "all").map(([id]) => id);
  const partial = [...scope].filter(([, s]) => s.subjects !== "all");
  const rows = new Map<string, GrantRow>();
  for (const part of chunks(whole))
    for (const r of await db
      .selectFrom("access_grant")
      .select(GRANT_COLUMNS)
      .where("workspace_id", "=", ws)
      .where("target_account_id", "in", part)
      .execute())
      rows.set(r.id, r);
  const subjects = new Set(partial.flatMap(([, s]) => (s.subjects === "all" ? [] : [...s.subjects])));
  const accountIds = partial.map(([id]) => id);
  const keep = (r: GrantRow) => {
    const s = scope.get(r.target_account_id)?.subjects;
    if (s && (s === "all" || s.has(scopeSubjectOf(r)))) rows.set(r.id, r);
  };
  // A person's grants by (person, account); a shared login's, a partner's or a system user's by
  // subject (they hold few), then kept for the scoped accounts: SQLite, without statistics,
  // would rather walk a large account's grants than the subject's.
  for (const accounts of chunks(accountIds))
    for (const ids of chunks(subjects))
      for (const r of await db
        .selectFrom("access_grant")
        .select(GRANT_COLUMNS)
        .where("workspace_id", "=", ws)
        .where("subject_person_id", "in", ids)
        .where("target_account_id", "in", accounts)
        .execute())
        keep(r);
  if (accountIds.length)
    for (const ids of chunks(subjects))
      for (const column of ["subject_shared_login_id", "subject_account_id", "id"] as const)
        for (const r of await db
          .selectFrom("access_grant")
          .select(GRANT_COLUMNS)
          .where("workspace_id", "=", ws)
          .where(column, "in", ids)
          .execute())
          keep(r);
  // The order a full load reads them in (by ID): the first of several grants names a finding.
  const grants = [...rows.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)).map(ruleGrant);

  const accountSet = new Set(scope.keys());
  const personSet = new Set<string>();
  const loginSet = new Set<string>();
  for (const g of grants) {
    const s = g.subject;
    if (s.type === "person") personSet.add(s.personId);
    else if (s.type === "partner") accountSet.add(s.accountId);
    else if (s.type === "shared_login") loginSet.add(s.sharedLoginId);
  }
  const accounts: FAccount[] = [];
  for (const part of chunks(accountSet))
    for (const r of await db
      .selectFrom("platform_account")
      .selectAll()
      .where("workspace_id", "=", ws)
      .where("id", "in", part)
      .execute())
      accounts.push(ruleAccount(r));
  for (const a of accounts)
    if (scope.has(a.id)) {
      if (a.ownerPersonId) personSet.add(a.ownerPersonId);
      if (a.backupOwnerPersonId) personSet.add(a.backupOwnerPersonId);
    }
  // The people who left that the scoped accounts' recovery and two-step holders, and the system
  // users' "granted by", name (the rules read only those who left).
  const texts = new Set(
    [
      ...accounts.flatMap((a) => (scope.has(a.id) ? [a.recoveryEmailHolder, a.twoFactorHolder] : [])),
      ...grants.map((g) => (g.subject.type === "system_user" ? g.grantedBy : null)),
    ].flatMap((t) => (t ? [nameKey(t)] : [])),
  );
  if (texts.size) for (const id of await departedNamed(db, ws, texts)) personSet.add(id);
  const sharedLogins: FSharedLogin[] = [];
  for (const part of chunks(loginSet)) {
    const [logins, knowers] = await Promise.all([
      db
        .selectFrom("shared_login")
        .select(["id", "label"])
        .where("workspace_id", "=", ws)
        .where("id", "in", part)
        .execute(),
      db
        .selectFrom("shared_login_knower")
        .select(["shared_login_id", "person_id"])
        .where("workspace_id", "=", ws)
        .where("shared_login_id", "in", part)
        .orderBy("person_id")
        .execute(),
    ]);
    for (const l of logins) {
      const knownByPersonIds = knowers.filter((k) => k.shared_login_id === l.id).map((k) => k.person_id);
      for (const p of knownByPersonIds) personSet.add(p);
      sharedLogins.push({ id: l.id, label: l.label, knownByPersonIds });
    }
  }
  return { asOf, people: await peopleByIds(db, ws, personSet), accounts, assets: [], sharedLogins, grants };
}

/** Past this many grants on an account, its outsiders are looked up from each organization's people (see `outsidersOf`). */
const OUTSIDERS_BY_ACCOUNT = 2000;

/**
 * `AccountFacts` of each account in `accounts` whose scope names only some subjects, counted by
 * the database as `accountFacts` counts them from every grant: admins from the account-level
 * grants with an admin role (two index reads: the account's distinct roles, then the grants of
 * those that are admin-level), outsiders only for the organizations in scope.
 */
export async function loadAccountFacts(
  db: Kysely<DB>,
  workspaceId: string,
  asOf: string,
  scope: RecheckScope,
  accounts: FAccount[],
  catalog: FindingsCatalog,
  options: {
    outsidersByAccount?: number;
    /**
     * The outsiders of an account (see `outsidersOf`) from memory, for the organizations given
     * (null: all but the account's own); the database is read for those it gives no answer for.
     */
    outsiders?: (
      account: FAccount,
      organizations: readonly string[] | null,
    ) => Map<string, { id: string; name: string }[]> | undefined;
  } = {},
): Promise<Map<string, AccountFacts>> {
  const ws = workspaceId;
  const targets = accounts.filter((a) => {
    const s = scope.get(a.id);
    return s && s.subjects !== "all";
  });
  const facts = new Map<string, AccountFacts>();
  if (targets.length === 0) return facts;
  const platformOf = new Map(targets.map((a) => [a.id, a.platform]));

  // Admins: live account-level grants of an admin-level role, held by people who have not left.
  const adminRoles = new Map<string, Set<string>>();
  for (const part of chunks(targets.map((a) => a.id)))
    for (const r of await db
      .selectFrom("access_grant")
      .select(["target_account_id", "role"])
      .distinct()
      .where("workspace_id", "=", ws)
      .where("target_account_id", "in", part)
      .where("target_asset_id", "is", null)
      .execute())
      if (catalog.isAdminLevel(platformOf.get(r.target_account_id)!, r.role)) {
        const set = adminRoles.get(r.target_account_id) ?? new Set();
        set.add(r.role);
        adminRoles.set(r.target_account_id, set);
      }
  const admins = new Map<string, Set<string>>(targets.map((a) => [a.id, new Set()]));
  const roles = new Set([...adminRoles.values()].flatMap((s) => [...s]));
  const holders = new Map<string, { accountId: string; personId: string }[]>();
  if (roles.size)
    for (const part of chunks(adminRoles.keys()))
      for (const r of await db
        .selectFrom("access_grant")
        .select(["target_account_id", "subject_person_id", "role", "status", "expires_on"])
        .where("workspace_id", "=", ws)
        .where("target_account_id", "in", part)
        .where("target_asset_id", "is", null)
        .where("role", "in", [...roles])
        .where("subject_type", "=", "person")
        .execute())
        if (
          adminRoles.get(r.target_account_id)?.has(r.role) &&
          isLiveGrant({ status: r.status as FGrant["status"], expiresOn: r.expires_on }, asOf)
        ) {
          const list = holders.get(r.subject_person_id!) ?? [];
          list.push({ accountId: r.target_account_id, personId: r.subject_person_id! });
          holders.set(r.subject_person_id!, list);
        }
  for (const part of chunks(holders.keys()))
    for (const p of await db
      .selectFrom("person")
      .select(["id", "status", "left_on"])
      .where("workspace_id", "=", ws)
      .where("id", "in", part)
      .execute())
      if (!hasDeparted({ status: p.status as FPerson["status"], leftOn: p.left_on }, asOf))
        for (const h of holders.get(p.id) ?? []) admins.get(h.accountId)!.add(h.personId);
  const sole = [...admins.values()].filter((s) => s.size === 1).map((s) => [...s][0]!);
  const soleAdmins = new Map((await peopleByIds(db, ws, sole)).map((p) => [p.id, p]));

  const outsiders = new Map<string, Map<string, { id: string; name: string }[]>>();
  const unanswered: FAccount[] = [];
  for (const a of targets) {
    if (!catalog.hasPartnerMechanism(a.platform)) continue;
    const orgs = scope.get(a.id)!.organizations;
    const known = options.outsiders?.(
      a,
      orgs === "all" ? null : [...orgs].filter((o) => o !== a.organizationId),
    );
    if (known) outsiders.set(a.id, known);
    else unanswered.push(a);
  }
  for (const [id, map] of await outsidersOf(
    db,
    ws,
    asOf,
    unanswered,
    scope,
    options.outsidersByAccount ?? OUTSIDERS_BY_ACCOUNT,
  ))
    outsiders.set(id, map);
  for (const a of targets) {
    const set = admins.get(a.id)!;
    facts.set(a.id, {
      adminCount: set.size,
      soleAdmin: set.size === 1 ? (soleAdmins.get([...set][0]!) ?? null) : null,
      outsiders: outsiders.get(a.id) ?? new Map(),
    });
  }
  return facts;
}

/**
 * For each account (on a platform with partner connections), the people of outside organizations
 * (all, or those its scope names) with live access to it, per organization, in the order of their
 * first live grant. Accounts with few grants are read together from their grants; a larger one
 * from each scoped organization's people through the (person, account) index, so a change on an
 * account of many thousand grants reads only that organization's people.
 */
async function outsidersOf(
  db: Kysely<DB>,
  ws: string,
  asOf: string,
  accounts: FAccount[],
  scope: RecheckScope,
  byAccountUpTo: number,
): Promise<Map<string, Map<string, { id: string; name: string }[]>>> {
  const out = new Map<string, Map<string, { id: string; name: string }[]>>();
  const orgsOf = (a: FAccount) => {
    const orgs = scope.get(a.id)!.organizations;
    return orgs === "all" ? null : [...orgs].filter((o) => o !== a.organizationId);
  };
  const wanted = accounts.filter((a) => orgsOf(a)?.length !== 0);
  const byAccount: FAccount[] = [];
  const byOrganization: FAccount[] = [];
  for (const a of wanted) {
    const size =
      orgsOf(a) === null
        ? 0
        : (
            await sql<{ n: number }>`select count(*) as n from (select 1 from access_grant
              where workspace_id = ${ws} and target_account_id = ${a.id} limit ${byAccountUpTo + 1}) x`.execute(
              db,
            )
          ).rows[0]!.n;
    (size <= byAccountUpTo ? byAccount : byOrganization).push(a);
  }
  type Row = { account: string; id: string; name: string; org: string; first: string };
  const rows: Row[] = [];
  const live = sql`g.status = 'active' and (g.expires_on is null or g.expires_on = '' or substr(g.expires_on, 1, 10) >= ${asOf})`;
  // CROSS JOIN keeps SQLite's join order as written (PostgreSQL plans it freely).
  for (const part of chunks(byAccount)) {
    const orgs = part.map(orgsOf);
    const inOrgs = orgs.includes(null)
      ? sql`p.organization_id is not null`
      : sql`p.organization_id in (${sql.join([...new Set(orgs.flat() as string[])])})`;
    rows.push(
      ...(
        await sql<Row>`
          select g.target_account_id as account, p.id, p.name, p.organization_id as org, min(g.id) as first
          from access_grant g cross join person p
          where g.workspace_id = ${ws} and g.target_account_id in (${sql.join(part.map((a) => a.id))})
            and g.subject_type = 'person' and ${live}
            and p.workspace_id = g.workspace_id and p.id = g.subject_person_id and ${inOrgs}
          group by g.target_account_id, p.id, p.name, p.organization_id`.execute(db)
      ).rows,
    );
  }
  for (const a of byOrganization)
    rows.push(
      ...(
        await sql<Row>`
          select g.target_account_id as account, p.id, p.name, p.organization_id as org, min(g.id) as first
          from person p cross join access_grant g
          where p.workspace_id = ${ws} and p.organization_id in (${sql.join(orgsOf(a)!)})
            and g.workspace_id = p.workspace_id and g.subject_person_id = p.id and g.target_account_id = ${a.id}
            and g.subject_type = 'person' and ${live}
          group by g.target_account_id, p.id, p.name, p.organization_id`.execute(db)
      ).rows,
    );
  const accountById = new Map(wanted.map((a) => [a.id, a]));
  for (const r of rows.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0))) {
    const a = accountById.get(r.account)!;
    const orgs = orgsOf(a);
    if (r.org === a.organizationId || (orgs && !orgs.includes(r.org))) continue;
    const map = out.get(a.id) ?? new Map<string, { id: string; name: string }[]>();
    out.set(a.id, map);
    const list = map.get(r.org) ?? [];
    list.push({ id: r.id, name: r.name });
    map.set(r.org, list);
  }
  return out;
}

/** Stored findings of `scope` (see `findingInScope`), read by account, rule and key. */
async function storedInScope(trx: Kysely<DB>, ws: string, scope: RecheckScope): Promise<FindingTable[]> {
  const rows = new Map<string, FindingTable>();
  const whole = [...scope].filter(([, s]) => s.subjects === "all").map(([id]) => id);
  const partial = [...scope].filter(([, s]) => s.subjects !== "all");
  for (const part of chunks(whole))
    for (const r of await trx
      .selectFrom("finding")
      .selectAll()
      .where("workspace_id", "=", ws)
      .where("account_id", "in", part)
      .execute())
      rows.set(r.key, r);
  const byRule = [...ACCOUNT_RULES, "external-individual-access", "shared-login-known-by-departed"];
  for (const part of chunks(partial.map(([id]) => id)))
    for (const r of await trx
      .selectFrom("finding")
      .selectAll()
      .where("workspace_id", "=", ws)
      .where("account_id", "in", part)
      .where("rule", "in", byRule)
      .execute())
      rows.set(r.key, r);
  const keys = partial.flatMap(([account, s]) =>
    s.subjects === "all"
      ? []
      : [...s.subjects].flatMap((subject) =>
          [...PER_SUBJECT_RULES]
            .filter((rule) => rule !== "shared-login-known-by-departed")
            .map((rule) => `${rule}:${subject}:${account}`),
        ),
  );
  for (const part of chunks(keys))
    for (const r of await trx
      .selectFrom("finding")
      .selectAll()
      .where("workspace_id", "=", ws)
      .where("key", "in", part)
      .execute())
      rows.set(r.key, r);
  return [...rows.values()].filter((r) =>
    findingInScope({ key: r.key, rule: r.rule, accountId: r.account_id }, scope),
  );
}

/** People marked departed or with a leaving date whose name or an email is one of `keys`. */
async function departedNamed(db: Kysely<DB>, ws: string, keys: Set<string>): Promise<string[]> {
  const gone = (eb: ExpressionBuilder<DB, "person">) =>
    eb.and([
      eb("person.workspace_id", "=", ws),
      eb.or([eb("status", "=", "departed"), eb("left_on", "is not", null)]),
    ]);
  const [people, emails] = await Promise.all([
    db.selectFrom("person").select(["id", "name"]).where(gone).execute(),
    db
      .selectFrom("person_email")
      .innerJoin("person", (j) =>
        j
          .onRef("person.id", "=", "person_email.person_id")
          .onRef("person.workspace_id", "=", "person_email.workspace_id"),
      )
      .select(["person_email.person_id as id", "person_email.email as name"])
      .where(gone)
      .execute(),
  ]);
  return [...people, ...emails].filter((p) => keys.has(nameKey(p.name))).map((p) => p.id);
}

/** Whether a stored subject (JSON text, or parsed by PostgreSQL) is the finding's subject. */
function sameSubject(stored: unknown, subject: Finding["subject"]): boolean {
  const s = (typeof stored === "string" ? JSON.parse(stored) : stored) as Finding["subject"];
  if (!s || !subject) return !s && !subject;
  return (
    s.type === subject.type && s.id === subject.id && s.name === subject.name && s.email === subject.email
  );
}

/** Before findings of this rule were keyed per account, their key had no account part. */
const LEGACY_KEYED = "shared-login-known-by-departed:";
const isLegacyKey = (key: string) => key.startsWith(LEGACY_KEYED) && key.split(":").length === 3;
const legacyKey = (key: string) =>
  key.startsWith(LEGACY_KEYED) && key.split(":").length === 4 ? key.slice(0, key.lastIndexOf(":")) : null;

/** Open findings still stored under a legacy key: the next scan must be a full one. */
export async function hasLegacyFindings(db: Kysely<DB>, workspaceId: string): Promise<boolean> {
  const rows = await db
    .selectFrom("finding")
    .select("key")
    .where("workspace_id", "=", workspaceId)
    .where("key", ">=", LEGACY_KEYED)
    .where("key", "<", `${LEGACY_KEYED.slice(0, -1)};`)
    .where("status", "!=", "resolved")
    .execute();
  return rows.some((r) => isLegacyKey(r.key));
}

/** Whether a stored finding must be rewritten to say what a fresh check found. */
const differs = (row: FindingTable, f: Finding) =>
  row.message !== f.message ||
  row.severity !== f.severity ||
  row.asset_id !== f.assetId ||
  row.guide !== f.guide ||
  !sameSubject(row.subject, f.subject);

/**
 * Whether a re-check within `scope` found exactly what is stored: each finding stored and not
 * resolved, with the same text, and no other unresolved finding in the scope. Then storing the
 * re-check would change no finding (`reconcileFindings` would write only its mark).
 */
export async function findingsUnchanged(
  db: Kysely<DB>,
  workspaceId: string,
  found: Finding[],
  scope: RecheckScope,
): Promise<boolean> {
  const stored = new Map(
    (await storedInScope(db, workspaceId, scope))
      .filter((r) => r.status !== "resolved")
      .map((r) => [r.key, r]),
  );
  if (stored.size !== found.length) return false;
  for (const f of found) {
    const row = stored.get(f.key);
    if (!row || differs(row, f)) return false;
  }
  return true;
}

/**
 * Store a scan's result: new findings open, findings that cleared resolve themselves, and a
 * finding that comes back reopens. Each opening and closing is a history event, written in the
 * same transaction as the findings (all rows and events in batches); decisions (acknowledged,
 * snoozed) are kept across scans through the stable key. Findings whose text did not change are
 * not written at all.
 *
 * With `scope`, `found` is a re-check of that scope only: just the stored findings in it are
 * compared with it, the others are left as they are.
 *
 * `basedOn` is the history head the caller read before loading the record. The scan is stored as
 * up to date with the head at commit when no record change landed after `basedOn` (only this
 * scan's own events, or decisions), else with `basedOn`, so the next read catches those up.
 */
export async function reconcileFindings(
  db: Kysely<DB>,
  workspaceId: string,
  found: Finding[],
  asOf: string,
  now: Date,
  options: { scope?: RecheckScope; basedOn?: number; sync?: boolean } = {},
): Promise<{ opened: number; reopened: number; updated: number; resolved: number }> {
  const root = db.isTransaction ? undefined : db;
  const result = await inTransaction(
    db,
    async (trx) => {
      // Serialise scans of one workspace (SQLite has one writer; PostgreSQL needs the row lock).
      if (isPostgres(trx)) {
        await sql`select id from organization where id = ${workspaceId} for no key update`.execute(trx);
      }
      const actor: Actor = { userId: null, label: "findings scan" };
      const scope = options.scope ?? null;
      const rows = scope
        ? await storedInScope(trx, workspaceId, scope)
        : await trx.selectFrom("finding").selectAll().where("workspace_id", "=", workspaceId).execute();
      const existing = new Map(rows.map((r) => [r.key, r]));
      // Decisions on findings stored under a legacy key carry over to the new per-account keys (a
      // full scan sees them all; `hasLegacyFindings` sends the service to one while any is open).
      const legacy = new Map(
        rows
          .filter((r) => isLegacyKey(r.key) && (r.status === "acknowledged" || r.status === "snoozed"))
          .map((r) => [r.key, r]),
      );
      const at = now.toISOString();
      const current = new Set<string>();
      const inserts: FindingTable[] = [];
      const reopens: Record<string, unknown>[] = [];
      const updates: Record<string, unknown>[] = [];
      const resolves: string[] = [];
      const events: HistoryDraft[] = [];
      let severityChanged = false;
      for (const f of found) {
        if (scope && !findingInScope(f, scope))
          throw new Error(`A re-check of some findings found ${f.key}, outside its scope.`);
        current.add(f.key);
        const row = existing.get(f.key);
        const fields = {
          rule: f.rule,
          severity: f.severity,
          account_id: f.accountId,
          asset_id: f.assetId,
          subject: f.subject ? JSON.stringify(f.subject) : null,
          message: f.message,
          guide: f.guide,
        };
        if (!row) {
          const was = legacy.get(legacyKey(f.key) ?? "");
          inserts.push({
            workspace_id: workspaceId,
            key: f.key,
            ...fields,
            status: was?.status ?? "open",
            reason: was?.reason ?? null,
            decided_by: was?.decided_by ?? null,
            decided_at: was?.decided_at ?? null,
            snoozed_until: was?.snoozed_until ?? null,
            first_seen: was?.first_seen ?? at,
            resolved_at: null,
          });
          events.push({
            entityType: "finding",
            entityId: f.key,
            action: "open",
            after: { rule: f.rule, message: f.message },
            refs: [findingsRef(f.accountId)],
          });
        } else if (row.status === "resolved") {
          reopens.push({
            workspace_id: workspaceId,
            key: f.key,
            ...fields,
            status: "open",
            resolved_at: null,
            reason: null,
            snoozed_until: null,
          });
          events.push({
            entityType: "finding",
            entityId: f.key,
            action: "reopen",
            after: { rule: f.rule, message: f.message },
            refs: [findingsRef(f.accountId)],
          });
        } else if (differs(row, f)) {
          updates.push({ workspace_id: workspaceId, key: f.key, ...fields });
          if (row.severity !== f.severity) severityChanged = true;
        }
      }
      for (const [key, row] of existing) {
        if (current.has(key) || row.status === "resolved") continue;
        resolves.push(key);
        events.push({
          entityType: "finding",
          entityId: key,
          action: "resolve",
          before: { rule: row.rule, message: row.message },
          refs: [findingsRef(row.account_id)],
        });
      }
      const pgTypes = { subject: "jsonb", resolved_at: "timestamptz" };
      await bulkInsert(root ?? trx, trx, "finding", inserts as unknown as Record<string, unknown>[]);
      await bulkUpdate(root ?? trx, trx, "finding", ["workspace_id", "key"], reopens, pgTypes);
      await bulkUpdate(root ?? trx, trx, "finding", ["workspace_id", "key"], updates, pgTypes);
      for (const part of chunks(resolves))
        await trx
          .updateTable("finding")
          .set({ status: "resolved", resolved_at: at })
          .where("workspace_id", "=", workspaceId)
          .where("key", "in", part)
          .execute();
      await appendHistoryBatch(trx, workspaceId, actor, now, events, root);

      let head = await historyHead(trx, workspaceId);
      if (options.basedOn !== undefined && head > options.basedOn) {
        const later = await trx
          .selectFrom("history")
          .select("seq")
          .where("workspace_id", "=", workspaceId)
          .where("seq", ">", options.basedOn)
          .where("entity_type", "not in", NOT_RECORD)
          .limit(1)
          .executeTakeFirst();
        if (later) head = options.basedOn;
      }
      // The scan mark, and the counts of scans that changed finding rows and what their counts
      // read (`findingsVersion`).
      const counted = inserts.length + reopens.length + resolves.length > 0 || severityChanged ? 1 : 0;
      const changed = counted || updates.length > 0 ? 1 : 0;
      await trx
        .insertInto("finding_scan")
        .values({
          workspace_id: workspaceId,
          history_head: head,
          as_of: asOf,
          rows_version: changed,
          counts_version: counted,
        })
        .onConflict((oc) =>
          oc.column("workspace_id").doUpdateSet({
            history_head: head,
            as_of: asOf,
            rows_version: sql<number>`finding_scan.rows_version + ${changed}`,
            counts_version: sql<number>`finding_scan.counts_version + ${counted}`,
          }),
        )
        .execute();
      return {
        opened: inserts.length,
        reopened: reopens.length,
        updated: updates.length,
        resolved: resolves.length,
      };
    },
    { sync: options.sync },
  );
  if (root) await refreshPlannerStatistics(root, result.opened + result.resolved, ["finding", "history"]);
  return result;
}

/** Every stored finding of a workspace, in no particular order (tests and exports; the API pages). */
export async function listStoredFindings(
  db: Kysely<DB>,
  workspaceId: string,
  today: string,
): Promise<StoredFinding[]> {
  const rows = await db.selectFrom("finding").selectAll().where("workspace_id", "=", workspaceId).execute();
  return rows.map((r) => toStored(r, today));
}

/** The states a list can ask for; an expired snooze counts as open. */
export const FINDING_STATUSES = ["open", "acknowledged", "snoozed", "resolved"] as const;

/** Findings whose state (as `toStored` shows it on `today`) is one of `statuses`. */
function statusFilter(statuses: readonly FindingStatus[], today: string) {
  const parts = statuses.map((s) =>
    s === "open"
      ? sql<boolean>`(status = 'open' or (status = 'snoozed' and snoozed_until is not null and snoozed_until <= ${today}))`
      : s === "snoozed"
        ? sql<boolean>`(status = 'snoozed' and (snoozed_until is null or snoozed_until > ${today}))`
        : sql<boolean>`status = ${s}`,
  );
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` or `)})` : sql<boolean>`1 = 0`;
}

export interface FindingsPage {
  findings: StoredFinding[];
  /** Give it back as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** A list position: the last finding shown (its severity and key; the rule starts the key). */
export function encodeCursor(f: { severity: string; key: string }): string {
  return Buffer.from(`${f.severity}\n${f.key}`).toString("base64url");
}
export function decodeCursor(
  cursor: string,
): { severity: Finding["severity"]; rule: string; key: string } | null {
  const [severity, key, extra] = Buffer.from(cursor, "base64url").toString().split("\n");
  if (extra !== undefined || !key || !(SEVERITIES as readonly string[]).includes(severity ?? "")) return null;
  return { severity: severity as Finding["severity"], rule: key.split(":")[0]!, key };
}

/**
 * One page of a workspace's stored findings, worst first: by severity, then rule, then key (its
 * subject and account). `cursor` is the previous page's `nextCursor`. Read through the index on
 * (severity, rule, key): at most one short query per severity, whatever the workspace's size.
 */
export async function listFindingsPage(
  db: Kysely<DB>,
  workspaceId: string,
  today: string,
  options: {
    statuses: readonly FindingStatus[];
    organizationId?: string;
    limit: number;
    cursor?: { severity: Finding["severity"]; rule: string; key: string };
  },
): Promise<FindingsPage> {
  const { cursor, limit } = options;
  const rows: FindingTable[] = [];
  const from = cursor ? SEVERITIES.indexOf(cursor.severity) : 0;
  for (const severity of SEVERITIES.slice(from)) {
    if (rows.length > limit) break;
    const after = cursor && severity === cursor.severity ? cursor : null;
    rows.push(
      ...(await db
        .selectFrom("finding")
        .selectAll()
        .where("workspace_id", "=", workspaceId)
        .where("severity", "=", severity)
        .where(statusFilter(options.statuses, today))
        .$if(after !== null, (q) =>
          q.where((eb) =>
            eb.or([
              eb("rule", ">", after!.rule),
              eb.and([eb("rule", "=", after!.rule), eb("key", ">", after!.key)]),
            ]),
          ),
        )
        .$if(options.organizationId !== undefined, (q) =>
          q.where(
            "account_id",
            "in",
            db
              .selectFrom("platform_account")
              .select("id")
              .where("workspace_id", "=", workspaceId)
              .where("organization_id", "=", options.organizationId!),
          ),
        )
        .orderBy("rule")
        .orderBy("key")
        .limit(limit + 1 - rows.length)
        .execute()),
    );
  }
  const page = rows.slice(0, limit).map((r) => toStored(r, today));
  return { findings: page, nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null };
}

export interface FindingCounts {
  /** Open findings (expired snoozes included) by severity. */
  bySeverity: Record<Finding["severity"], number>;
  /** Every finding by the state `toStored` shows. */
  byStatus: Record<FindingStatus, number>;
}

/**
 * Versions of the workspace's stored findings, in one round trip. Every decision on a finding, and
 * every finding a scan opens, reopens or resolves, appends a history event of entity type
 * "finding" in the same transaction: the newest one's sequence number (one entry of the partial
 * index of finding events; the literal condition lets the planner use it). A scan that changes
 * rows without an event (re-words a finding, as when a person is renamed, or changes its
 * severity) counts itself on the scan mark: `rows_version` for any row it changed,
 * `counts_version` when it also changed which findings exist or a severity. While the event, a
 * count and the scan's day stand, the rows (`rows`) or what the counts by state and severity read
 * (`counts`) are unchanged; a re-check that found what was stored moves neither.
 */
export async function findingsVersion(
  db: Kysely<DB>,
  workspaceId: string,
): Promise<{ rows: string; counts: string }> {
  const r = await sql<{
    event: number | string | null;
    rows: number | string | null;
    counts: number | string | null;
    day: string | null;
  }>`
    select
      (select seq from history where workspace_id = ${workspaceId} and entity_type = 'finding'
        order by seq desc limit 1) as event,
      s.rows_version as rows, s.counts_version as counts, s.as_of as day
    from (select 1) as one
    left join finding_scan s on s.workspace_id = ${workspaceId}`.execute(db);
  const v = r.rows[0];
  const tail = `:${v?.day ?? ""}`;
  return {
    rows: `${v?.event ?? 0}:${v?.rows ?? 0}${tail}`,
    counts: `${v?.event ?? 0}:${v?.counts ?? 0}${tail}`,
  };
}

/**
 * Counts of a workspace's findings by severity (open ones) and by state: one read of the status
 * index (no finding row is visited), then the few snoozed findings whose snooze has ended, which
 * count as open.
 */
export async function countFindings(
  db: Kysely<DB>,
  workspaceId: string,
  today: string,
): Promise<FindingCounts> {
  const [rows, woken] = await Promise.all([
    db
      .selectFrom("finding")
      .select((eb) => ["status", "severity", eb.fn.countAll<number>().as("n")])
      .where("workspace_id", "=", workspaceId)
      .groupBy(["status", "severity"])
      .execute(),
    db
      .selectFrom("finding")
      .select((eb) => ["severity", eb.fn.countAll<number>().as("n")])
      .where("workspace_id", "=", workspaceId)
      .where("status", "=", "snoozed")
      .where("snoozed_until", "is not", null)
      .where("snoozed_until", "<=", today)
      .groupBy("severity")
      .execute(),
  ]);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as FindingCounts["bySeverity"];
  const byStatus = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as FindingCounts["byStatus"];
  for (const r of rows) {
    byStatus[r.status as FindingStatus] = (byStatus[r.status as FindingStatus] ?? 0) + Number(r.n);
    if (r.status === "open") bySeverity[r.severity as Finding["severity"]] += Number(r.n);
  }
  for (const r of woken) {
    byStatus.snoozed -= Number(r.n);
    byStatus.open += Number(r.n);
    bySeverity[r.severity as Finding["severity"]] += Number(r.n);
  }
  return { bySeverity, byStatus };
}

/** How many findings of these states are on accounts of one organization. */
export async function countFindingsOf(
  db: Kysely<DB>,
  workspaceId: string,
  today: string,
  statuses: readonly FindingStatus[],
  organizationId: string,
): Promise<number> {
  const r = await db
    .selectFrom("finding")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("workspace_id", "=", workspaceId)
    .where(statusFilter(statuses, today))
    .where(
      "account_id",
      "in",
      db
        .selectFrom("platform_account")
        .select("id")
        .where("workspace_id", "=", workspaceId)
        .where("organization_id", "=", organizationId),
    )
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Open findings per organization (of their accounts) and severity. */
export async function countOpenByOrganization(
  db: Kysely<DB>,
  workspaceId: string,
  today: string,
): Promise<{ organizationId: string; counts: Record<Finding["severity"], number> }[]> {
  const rows = await db
    .selectFrom("finding as f")
    .innerJoin("platform_account as a", (j) =>
      j.onRef("a.workspace_id", "=", "f.workspace_id").onRef("a.id", "=", "f.account_id"),
    )
    .select((eb) => ["a.organization_id as org", "f.severity", eb.fn.countAll<number>().as("n")])
    .where("f.workspace_id", "=", workspaceId)
    .where(
      sql<boolean>`(f.status = 'open' or (f.status = 'snoozed' and f.snoozed_until is not null and f.snoozed_until <= ${today}))`,
    )
    .groupBy(["a.organization_id", "f.severity"])
    .execute();
  const out = new Map<string, Record<Finding["severity"], number>>();
  for (const r of rows) {
    const counts =
      out.get(r.org) ??
      (Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Finding["severity"], number>);
    counts[r.severity as Finding["severity"]] += Number(r.n);
    out.set(r.org, counts);
  }
  return [...out].map(([organizationId, counts]) => ({ organizationId, counts }));
}

/** One stored finding by key, or null. */
export async function getStoredFinding(
  db: Kysely<DB>,
  workspaceId: string,
  key: string,
  today: string,
): Promise<StoredFinding | null> {
  const r = await db
    .selectFrom("finding")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("key", "=", key)
    .executeTakeFirst();
  return r ? toStored(r, today) : null;
}

export async function decideFinding(
  db: Kysely<DB>,
  ctx: { workspaceId: string; actor: Actor; now: Date },
  key: string,
  decision:
    | { status: "acknowledged"; reason: string }
    | { status: "snoozed"; until: string; reason: string | null }
    | { status: "open" },
): Promise<StoredFinding> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("finding")
      .selectAll()
      .where("workspace_id", "=", ctx.workspaceId)
      .where("key", "=", key)
      .executeTakeFirst();
    if (!row || row.status === "resolved") throw notFound("Open finding");
    const set =
      decision.status === "acknowledged"
        ? { status: "acknowledged", reason: decision.reason, snoozed_until: null }
        : decision.status === "snoozed"
          ? { status: "snoozed", reason: decision.reason, snoozed_until: decision.until }
          : { status: "open", reason: null, snoozed_until: null };
    await trx
      .updateTable("finding")
      .set({ ...set, decided_by: ctx.actor.label, decided_at: ctx.now.toISOString() })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("key", "=", key)
      .execute();
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "finding",
      entityId: key,
      action:
        decision.status === "open" ? "reopen" : decision.status === "acknowledged" ? "acknowledge" : "snooze",
      after: set,
      refs: [findingsRef(row.account_id)],
    });
    const after = await trx
      .selectFrom("finding")
      .selectAll()
      .where("workspace_id", "=", ctx.workspaceId)
      .where("key", "=", key)
      .executeTakeFirstOrThrow();
    return toStored(after, ctx.now.toISOString().slice(0, 10));
  });
}
