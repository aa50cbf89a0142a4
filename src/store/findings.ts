import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import { notFound } from "../core/errors.ts";
import { RECORD_ENTITY_TYPES, type RecordEntityType } from "../core/findings/recheck.ts";
import {
  type FAccount,
  type Finding,
  type FindingsInput,
  type FSharedLogin,
  nameKey,
  personNameKeys,
} from "../core/findings/rules.ts";
import { historyHead } from "./access-snapshot.ts";
import { type Actor, appendHistory } from "./history.ts";
import { accountView, grantView, personView } from "./record/shared.ts";
import * as record from "./record.ts";
import type { DB, FindingTable, PlatformAccountTable } from "./schema.ts";
import { toIso } from "./schema.ts";
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

/** The record as the finding rules read it. */
export async function loadFindingsInput(
  db: Kysely<DB>,
  workspaceId: string,
  asOf: string,
): Promise<FindingsInput> {
  const [people, accounts, assets, sharedLogins, grants] = await Promise.all([
    record.listPeople(db, workspaceId),
    record.listAccounts(db, workspaceId),
    record.listAssets(db, workspaceId),
    record.listSharedLogins(db, workspaceId),
    record.listGrants(db, workspaceId),
  ]);
  return {
    asOf,
    people,
    accounts: accounts.map((a) => ({ ...a, createdOn: a.createdAt.slice(0, 10) })),
    assets,
    sharedLogins,
    grants,
  };
}

function toStored(r: FindingTable, today: string): StoredFinding {
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
): Promise<{ stale: boolean; head: number; last: { head: number; asOf: string } | null }> {
  const head = await historyHead(db, workspaceId);
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
const chunks = <T>(list: T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
};
const json = (v: unknown): Record<string, unknown> | null => {
  const o = typeof v === "string" ? JSON.parse(v) : v;
  return o && typeof o === "object" ? (o as Record<string, unknown>) : null;
};

export interface RecordChange {
  type: RecordEntityType;
  id: string;
  /** Accounts the event's before and after images name (a grant's target, an asset's account). */
  named: string[];
  /**
   * For an account: whether its name may have changed (the only thing findings on other accounts
   * read of it, as the partner named in their subject). A created account is no partner yet.
   */
  renamed: boolean;
  /** For a person: the names and emails the event's images hold (a text elsewhere may name them). */
  names: string[];
}

/**
 * The record changes in history after `fromSeq` up to `toSeq` (findings' own events and other
 * events that change nothing the rules read left out), or null when there are more than `limit`
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
    if (!(RECORD_ENTITY_TYPES as readonly string[]).includes(r.entity_type)) return null;
    const type = r.entity_type as RecordEntityType;
    const named: string[] = [];
    const names: string[] = [];
    const before = json(r.before);
    const after = json(r.after);
    for (const image of [before, after]) {
      if (!image) continue;
      const target = image.target as { accountId?: unknown } | undefined;
      if (type === "grant" && typeof target?.accountId === "string") named.push(target.accountId);
      if (type === "asset" && typeof image.accountId === "string") named.push(image.accountId);
      if (type === "person")
        for (const v of [image.name, ...(Array.isArray(image.emails) ? image.emails : [])])
          if (typeof v === "string") names.push(v);
    }
    // Events record the fields they change (an import's only the changed ones), or whole views.
    const renamed =
      after === null ||
      (before !== null && ("name" in before || "name" in after) && before.name !== after.name);
    out.push({ type, id: r.entity_id, named, renamed, names });
  }
  return out;
}

/**
 * The accounts whose findings `changes` can affect, read from the database: the same mapping as
 * `affectedAccountIds` in core/findings/recheck.ts, plus the accounts the events' before and after
 * images name (a grant moved from one account to another affects both). An account counts for
 * the accounts where it is a partner only when its name changed: that is all they read of it.
 */
export async function affectedAccounts(
  db: Kysely<DB>,
  workspaceId: string,
  changes: RecordChange[],
): Promise<Set<string>> {
  const ws = workspaceId;
  const out = new Set<string>();
  const ids = Object.fromEntries(RECORD_ENTITY_TYPES.map((t) => [t, new Set<string>()])) as Record<
    RecordEntityType,
    Set<string>
  >;
  const renamed = new Set<string>();
  for (const c of changes) {
    ids[c.type].add(c.id);
    for (const a of c.named) out.add(a);
    if (c.type === "account" && c.renamed) renamed.add(c.id);
  }
  for (const id of ids.account) out.add(id);
  const targetsOf = async (
    column: "id" | "subject_person_id" | "subject_shared_login_id" | "subject_account_id",
    of: Set<string>,
  ) => {
    for (const part of chunks([...of])) {
      const rows = await db
        .selectFrom("access_grant")
        .select("target_account_id")
        .distinct()
        .where("workspace_id", "=", ws)
        .where(column, "in", part)
        .execute();
      for (const r of rows) out.add(r.target_account_id);
    }
  };
  for (const part of chunks([...ids.organization])) {
    const accounts = await db
      .selectFrom("platform_account")
      .select("id")
      .where("workspace_id", "=", ws)
      .where("organization_id", "in", part)
      .execute();
    for (const a of accounts) out.add(a.id);
    const people = await db
      .selectFrom("person")
      .select("id")
      .where("workspace_id", "=", ws)
      .where("organization_id", "in", part)
      .execute();
    for (const p of people) ids.person.add(p.id);
  }
  for (const part of chunks([...ids.person])) {
    const owned = await db
      .selectFrom("platform_account")
      .select("id")
      .where("workspace_id", "=", ws)
      .where((eb) => eb.or([eb("owner_person_id", "in", part), eb("backup_owner_person_id", "in", part)]))
      .execute();
    for (const a of owned) out.add(a.id);
    const known = await db
      .selectFrom("shared_login_knower")
      .select("shared_login_id")
      .where("workspace_id", "=", ws)
      .where("person_id", "in", part)
      .execute();
    for (const k of known) ids.shared_login.add(k.shared_login_id);
  }
  if (ids.person.size) {
    const keys = new Set(changes.flatMap((c) => c.names.map(nameKey)));
    for (const p of await peopleByIds(db, ws, ids.person)) for (const k of personNameKeys(p)) keys.add(k);
    for (const id of await accountsNaming(db, ws, keys)) out.add(id);
  }
  for (const part of chunks([...ids.asset])) {
    const assets = await db
      .selectFrom("platform_asset")
      .select("account_id")
      .where("workspace_id", "=", ws)
      .where("id", "in", part)
      .execute();
    for (const a of assets) out.add(a.account_id);
  }
  await targetsOf("id", ids.grant);
  await targetsOf("subject_person_id", ids.person);
  await targetsOf("subject_shared_login_id", ids.shared_login);
  await targetsOf("subject_account_id", renamed);
  return out;
}

/** The names and emails of some people (those that exist). */
async function peopleByIds(db: Kysely<DB>, ws: string, ids: Iterable<string>) {
  const out = new Map<string, { name: string; emails: string[] }>();
  for (const part of chunks([...ids])) {
    for (const r of await db
      .selectFrom("person")
      .select(["id", "name"])
      .where("workspace_id", "=", ws)
      .where("id", "in", part)
      .execute())
      out.set(r.id, { name: r.name, emails: [] });
    for (const e of await db
      .selectFrom("person_email")
      .select(["person_id", "email"])
      .where("workspace_id", "=", ws)
      .where("person_id", "in", part)
      .execute())
      out.get(e.person_id)?.emails.push(e.email);
  }
  return [...out.values()];
}

/**
 * The accounts where a text names one of `keys` (see `nameKey`): their recovery or two-step
 * holder, or the "granted by" of one of their system users (read through a partial index).
 */
async function accountsNaming(db: Kysely<DB>, ws: string, keys: Set<string>): Promise<string[]> {
  if (!keys.size) return [];
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
      .select(["target_account_id", "granted_by"])
      .where("workspace_id", "=", ws)
      .where(sql<boolean>`subject_type = 'system_user'`)
      .where("granted_by", "is not", null)
      .execute(),
  ]);
  return [
    ...accounts.filter((a) => names(a.recovery_email_holder) || names(a.two_factor_holder)).map((a) => a.id),
    ...systemUsers.filter((g) => names(g.granted_by)).map((g) => g.target_account_id),
  ];
}

/**
 * The part of the record the rules need to re-check `accountIds` (see `sliceFindingsInput`):
 * those accounts, the grants that target them, their assets, and the people, shared logins and
 * partner accounts those name. Read by account and by ID, never the whole workspace.
 */
export async function loadFindingsInputFor(
  db: Kysely<DB>,
  workspaceId: string,
  asOf: string,
  accountIds: Iterable<string>,
): Promise<FindingsInput> {
  const ws = workspaceId;
  const only = [...new Set(accountIds)];
  const grantRows: DB["access_grant"][] = [];
  const assets: FindingsInput["assets"] = [];
  for (const part of chunks(only)) {
    grantRows.push(
      ...(await db
        .selectFrom("access_grant")
        .selectAll()
        .where("workspace_id", "=", ws)
        .where("target_account_id", "in", part)
        .execute()),
    );
    for (const r of await db
      .selectFrom("platform_asset")
      .selectAll()
      .where("workspace_id", "=", ws)
      .where("account_id", "in", part)
      .execute())
      assets.push({
        id: r.id,
        name: r.name,
        type: r.type,
        platformId: r.platform_id,
        accountId: r.account_id,
      });
  }
  // The order a full load reads them in (by ID): the first of several grants names a finding.
  grantRows.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const grants = grantRows.map(grantView);
  const accountSet = new Set(only);
  const personSet = new Set<string>();
  const loginSet = new Set<string>();
  for (const g of grants) {
    const s = g.subject;
    if (s.type === "person") personSet.add(s.personId);
    else if (s.type === "partner") accountSet.add(s.accountId);
    else if (s.type === "shared_login") loginSet.add(s.sharedLoginId);
  }
  const accountRows: PlatformAccountTable[] = [];
  for (const part of chunks([...accountSet]))
    accountRows.push(
      ...(await db
        .selectFrom("platform_account")
        .selectAll()
        .where("workspace_id", "=", ws)
        .where("id", "in", part)
        .execute()),
    );
  const accounts: FAccount[] = accountRows.map((r) => {
    const a = accountView(r);
    return { ...a, createdOn: a.createdAt.slice(0, 10) };
  });
  for (const a of accounts) {
    if (a.ownerPersonId) personSet.add(a.ownerPersonId);
    if (a.backupOwnerPersonId) personSet.add(a.backupOwnerPersonId);
  }
  // The people who left that the accounts' recovery and two-step holders, and their system users'
  // "granted by", name (the rules read only those who left).
  const rechecked = new Set(only);
  const texts = new Set(
    [
      ...accounts.flatMap((a) => (rechecked.has(a.id) ? [a.recoveryEmailHolder, a.twoFactorHolder] : [])),
      ...grants.map((g) => (g.subject.type === "system_user" ? g.grantedBy : null)),
    ].flatMap((t) => (t ? [nameKey(t)] : [])),
  );
  if (texts.size) for (const id of await departedNamed(db, ws, texts)) personSet.add(id);
  const sharedLogins: FSharedLogin[] = [];
  for (const part of chunks([...loginSet])) {
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
  const people: FindingsInput["people"] = [];
  for (const part of chunks([...personSet])) {
    const [rows, emails] = await Promise.all([
      db.selectFrom("person").selectAll().where("workspace_id", "=", ws).where("id", "in", part).execute(),
      db
        .selectFrom("person_email")
        .select(["person_id", "email"])
        .where("workspace_id", "=", ws)
        .where("person_id", "in", part)
        // By email as record.listPeople reads them (a person's first email is the one findings
        // name), through an expression so SQLite does not walk the whole workspace's emails in
        // primary-key order to avoid a sort.
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
  return { asOf, people, accounts, assets, sharedLogins, grants };
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

/**
 * Store a scan's result: new findings open, findings that cleared resolve themselves, and a
 * finding that comes back reopens. Each opening and closing is a history event; decisions
 * (acknowledged, snoozed) are kept across scans through the stable key.
 *
 * With `accountIds`, `found` is a re-check of those accounts only: just the stored findings of
 * those accounts are compared with it, the others are left as they are.
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
  options: { accountIds?: Iterable<string>; basedOn?: number } = {},
): Promise<void> {
  await inTransaction(db, async (trx) => {
    // Serialise scans of one workspace (SQLite has one writer; PostgreSQL needs the row lock).
    if (trx.getExecutor().adapter.constructor.name === "PostgresAdapter") {
      await sql`select id from organization where id = ${workspaceId} for no key update`.execute(trx);
    }
    const actor: Actor = { userId: null, label: "findings scan" };
    const only = options.accountIds ? new Set(options.accountIds) : null;
    const rows: FindingTable[] = [];
    if (only)
      for (const part of chunks([...only]))
        rows.push(
          ...(await trx
            .selectFrom("finding")
            .selectAll()
            .where("workspace_id", "=", workspaceId)
            .where("account_id", "in", part)
            .execute()),
        );
    else
      rows.push(
        ...(await trx.selectFrom("finding").selectAll().where("workspace_id", "=", workspaceId).execute()),
      );
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
    for (const f of found) {
      if (only && (f.accountId === null || !only.has(f.accountId)))
        throw new Error(`A re-check of some accounts found ${f.key}, on another account.`);
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
        await trx
          .insertInto("finding")
          .values({
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
          })
          .execute();
        await appendHistory(trx, {
          workspaceId,
          actor,
          at: now,
          entityType: "finding",
          entityId: f.key,
          action: "open",
          after: { rule: f.rule, message: f.message },
        });
      } else if (row.status === "resolved") {
        await trx
          .updateTable("finding")
          .set({ ...fields, status: "open", resolved_at: null, reason: null, snoozed_until: null })
          .where("workspace_id", "=", workspaceId)
          .where("key", "=", f.key)
          .execute();
        await appendHistory(trx, {
          workspaceId,
          actor,
          at: now,
          entityType: "finding",
          entityId: f.key,
          action: "reopen",
          after: { rule: f.rule, message: f.message },
        });
      } else if (
        row.message !== f.message ||
        row.severity !== f.severity ||
        row.asset_id !== f.assetId ||
        row.guide !== f.guide ||
        !sameSubject(row.subject, f.subject)
      ) {
        await trx
          .updateTable("finding")
          .set(fields)
          .where("workspace_id", "=", workspaceId)
          .where("key", "=", f.key)
          .execute();
      }
    }
    for (const [key, row] of existing) {
      if (current.has(key) || row.status === "resolved") continue;
      await trx
        .updateTable("finding")
        .set({ status: "resolved", resolved_at: at })
        .where("workspace_id", "=", workspaceId)
        .where("key", "=", key)
        .execute();
      await appendHistory(trx, {
        workspaceId,
        actor,
        at: now,
        entityType: "finding",
        entityId: key,
        action: "resolve",
        before: { rule: row.rule, message: row.message },
      });
    }
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
    await trx.deleteFrom("finding_scan").where("workspace_id", "=", workspaceId).execute();
    await trx
      .insertInto("finding_scan")
      .values({ workspace_id: workspaceId, history_head: head, as_of: asOf })
      .execute();
  });
}

export async function listStoredFindings(
  db: Kysely<DB>,
  workspaceId: string,
  today: string,
): Promise<StoredFinding[]> {
  const rows = await db.selectFrom("finding").selectAll().where("workspace_id", "=", workspaceId).execute();
  return rows.map((r) => toStored(r, today));
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
