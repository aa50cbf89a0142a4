/**
 * Incremental re-check: after a few record changes, only the accounts those changes can affect
 * are re-scanned. Every rule is per account (see `scanAccounts`), so the findings of the other
 * accounts are exactly what they were.
 */
import {
  type Finding,
  type FindingsCatalog,
  type FindingsInput,
  nameKey,
  personNameKeys,
  scanAccounts,
} from "./rules.ts";

/** Record entities as history names them. */
export const RECORD_ENTITY_TYPES = [
  "grant",
  "asset",
  "account",
  "person",
  "shared_login",
  "organization",
] as const;
export type RecordEntityType = (typeof RECORD_ENTITY_TYPES)[number];
export interface ChangedEntity {
  type: RecordEntityType;
  id: string;
}

/**
 * The findings of exactly the accounts in `affectedAccountIds`, as a full scan would give them.
 * `input` must hold those accounts, every grant that targets them, and the people, shared logins
 * (with their knowers) and partner accounts those grants and accounts name; anything else in it
 * is ignored, so the whole workspace also works.
 */
export function recheckFindings(
  input: FindingsInput,
  catalog: FindingsCatalog,
  affectedAccountIds: Iterable<string>,
): Finding[] {
  return scanAccounts(input, catalog, new Set(affectedAccountIds));
}

/**
 * The accounts whose findings can differ because of `changes`, read in the state `state`.
 *
 * - a grant: its target account (a partner grant too: the partner is only a subject there);
 * - an asset: its account (no rule reads assets today; kept so one that does stays correct);
 * - an account: itself, and the accounts where it is a partner (findings there name it);
 * - a person: every account where they hold a grant, own or back up, or know a shared login that
 *   has grants there, and every account whose recovery or two-step holder, or one of whose system
 *   users' "granted by", names them (by name or email, see `nameKey`);
 * - a shared login: the accounts of its grants;
 * - an organization: its accounts, and the accounts where its people hold grants (no rule reads
 *   an organization's own fields today, so this is a safe superset).
 *
 * A change that moves a relation (a grant to another account, an asset to another account, a
 * person's name or emails away from a text that named them) must also be read in the state before
 * it: call this on both states and join the sets. The relations
 * a person, shared login, account or organization change cannot move are held by other entities
 * (grants, accounts, shared logins) whose own changes are recorded.
 */
export function affectedAccountIds(state: FindingsInput, changes: Iterable<ChangedEntity>): Set<string> {
  const out = new Set<string>();
  const ids = {
    grant: new Set<string>(),
    asset: new Set<string>(),
    account: new Set<string>(),
    person: new Set<string>(),
    shared_login: new Set<string>(),
    organization: new Set<string>(),
  } satisfies Record<RecordEntityType, Set<string>>;
  for (const c of changes) ids[c.type].add(c.id);
  for (const id of ids.account) out.add(id);

  if (ids.organization.size) {
    for (const a of state.accounts) if (ids.organization.has(a.organizationId)) out.add(a.id);
    for (const p of state.people)
      if (p.organizationId && ids.organization.has(p.organizationId)) ids.person.add(p.id);
  }
  if (ids.person.size) {
    for (const a of state.accounts)
      if (
        (a.ownerPersonId && ids.person.has(a.ownerPersonId)) ||
        (a.backupOwnerPersonId && ids.person.has(a.backupOwnerPersonId))
      )
        out.add(a.id);
    for (const l of state.sharedLogins)
      if (l.knownByPersonIds.some((p) => ids.person.has(p))) ids.shared_login.add(l.id);
    const keys = new Set(state.people.filter((p) => ids.person.has(p.id)).flatMap(personNameKeys));
    const names = (text: string | null | undefined) => !!text && keys.has(nameKey(text));
    for (const a of state.accounts)
      if (names(a.recoveryEmailHolder) || names(a.twoFactorHolder)) out.add(a.id);
    for (const g of state.grants)
      if (g.subject.type === "system_user" && names(g.grantedBy)) out.add(g.target.accountId);
  }
  for (const a of state.assets) if (ids.asset.has(a.id)) out.add(a.accountId);
  for (const g of state.grants) {
    const s = g.subject;
    if (
      ids.grant.has(g.id) ||
      (s.type === "person" && ids.person.has(s.personId)) ||
      (s.type === "shared_login" && ids.shared_login.has(s.sharedLoginId)) ||
      (s.type === "partner" && ids.account.has(s.accountId))
    )
      out.add(g.target.accountId);
  }
  return out;
}

/**
 * The part of a workspace `recheckFindings` needs for `accountIds`: those accounts, the grants
 * that target them, their assets, and the people, shared logins and partner accounts named by
 * those grants and accounts (owners, knowers of the logins, the people their recovery and two-step
 * holders and their system users' "granted by" name). The store loads the same slice.
 */
export function sliceFindingsInput(input: FindingsInput, accountIds: Iterable<string>): FindingsInput {
  const only = new Set(accountIds);
  const grants = input.grants.filter((g) => only.has(g.target.accountId));
  const accountSet = new Set(only);
  const people = new Set<string>();
  const logins = new Set<string>();
  for (const g of grants) {
    const s = g.subject;
    if (s.type === "person") people.add(s.personId);
    else if (s.type === "partner") accountSet.add(s.accountId);
    else if (s.type === "shared_login") logins.add(s.sharedLoginId);
  }
  const accounts = input.accounts.filter((a) => accountSet.has(a.id));
  for (const a of accounts) {
    if (!only.has(a.id)) continue;
    if (a.ownerPersonId) people.add(a.ownerPersonId);
    if (a.backupOwnerPersonId) people.add(a.backupOwnerPersonId);
  }
  const sharedLogins = input.sharedLogins.filter((l) => logins.has(l.id));
  for (const l of sharedLogins) for (const p of l.knownByPersonIds) people.add(p);
  const texts = new Set(
    [
      ...accounts.flatMap((a) => (only.has(a.id) ? [a.recoveryEmailHolder, a.twoFactorHolder] : [])),
      ...grants.map((g) => (g.subject.type === "system_user" ? g.grantedBy : null)),
    ].flatMap((t) => (t ? [nameKey(t)] : [])),
  );
  if (texts.size)
    for (const p of input.people) if (personNameKeys(p).some((k) => texts.has(k))) people.add(p.id);
  return {
    asOf: input.asOf,
    people: input.people.filter((p) => people.has(p.id)),
    accounts,
    assets: input.assets.filter((a) => only.has(a.accountId)),
    sharedLogins,
    grants,
  };
}
