/**
 * Incremental re-check: after a few record changes, only what those changes can affect is
 * re-checked. Every rule is per account, and within an account a finding is either about one
 * grant subject (a person, shared login, partner account or system user), about one outside
 * organization's individuals, or about the account as a whole (its admins, owner and review).
 * A change maps to the (account, subject) pairs and (account, organization) pairs it touches plus
 * the account-level rules of those accounts; the account-level rules read `AccountFacts`, which
 * the store answers with small queries instead of reading every grant of a large account.
 */
import {
  type AccountFacts,
  type AccountScope,
  type Finding,
  type FindingsCatalog,
  type FindingsInput,
  grantSubjectId,
  nameKey,
  personNameKeys,
  scanScope,
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

export type RecheckScope = Map<string, AccountScope>;

/** Where a grant pointed in one image of its history event (a field left out did not change). */
export interface GrantPlace {
  accountId: string | null;
  subjectId: string | null;
  /** The subject's person, when the image names a person subject. */
  personId: string | null;
}

/** One history event, reduced to what decides which findings it can change. */
export type RecordChange =
  | { type: "grant"; id: string; places: GrantPlace[] }
  | {
      type: "person";
      id: string;
      /** Created, renamed or moved to another organization: outsider findings name them. */
      outsiders: boolean;
      /** The organizations its images name (where it was, where it went). */
      organizations: string[];
      /** The names and emails its images hold: a text elsewhere may name them (see `nameKey`). */
      names: string[];
    }
  | {
      type: "account";
      id: string;
      /** Created, or its name or platform changed: every message on it names it. */
      whole: boolean;
      /** Its name changed: findings on the accounts where it is a partner name it. */
      renamed: boolean;
      /** Its organization changed: which people count as outsiders changes. */
      reorganized: boolean;
    }
  | { type: "shared_login"; id: string };

/**
 * Fields the rules never read. A history event that changes only these (a note, a grant's last
 * verification, an account's change rule) cannot change a finding.
 */
const UNREAD: Record<"grant" | "person" | "shared_login", ReadonlySet<string>> = {
  grant: new Set([
    "id",
    "notes",
    "reason",
    "source",
    "grantedOn",
    "granted_on",
    "revokedOn",
    "revoked_on",
    "lastVerifiedOn",
    "last_verified_on",
    "createdAt",
    "created_at",
    "updatedAt",
    "updated_at",
  ]),
  person: new Set(["id", "notes", "createdAt", "updatedAt"]),
  shared_login: new Set(["id", "notes", "createdAt", "updatedAt"]),
};
/** The account fields the rules read; any other change of an account (notes, its change rule) affects nothing. */
const ACCOUNT_WHOLE = ["name", "platform"];
const ACCOUNT_LEVEL = [
  "ownerPersonId",
  "backupOwnerPersonId",
  "recoveryEmailHolder",
  "twoFactorHolder",
  "reviewCadenceDays",
  "lastReviewedOn",
  "createdAt",
  "createdOn",
];

type Image = Record<string, unknown> | null;
const same = (x: unknown, y: unknown) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
/** Fields present in either image whose values differ (both images present). */
const changed = (before: Record<string, unknown>, after: Record<string, unknown>) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !same(before[k], after[k]));
const str = (v: unknown) => (typeof v === "string" ? v : null);

function placeOf(image: Record<string, unknown>, grantId: string): GrantPlace {
  const target = image.target as { accountId?: unknown } | undefined;
  const accountId = str(target?.accountId) ?? str(image.target_account_id);
  const s = image.subject as Record<string, unknown> | undefined;
  const type = str(s?.type) ?? str(image.subject_type);
  if (!type) return { accountId, subjectId: null, personId: null };
  const personId = s ? str(s.personId) : str(image.subject_person_id);
  const subjectId =
    type === "person"
      ? personId
      : type === "shared_login"
        ? s
          ? str(s.sharedLoginId)
          : str(image.subject_shared_login_id)
        : type === "partner"
          ? s
            ? str(s.accountId)
            : str(image.subject_account_id)
          : grantId;
  return { accountId, subjectId, personId: type === "person" ? personId : null };
}

/**
 * What a history event (its entity and before/after images, either of which may hold only the
 * fields it changed) can change for the findings; null when nothing the rules read changed.
 */
export function describeChange(
  type: RecordEntityType,
  id: string,
  before: Image,
  after: Image,
): RecordChange | null {
  const both = before !== null && after !== null;
  switch (type) {
    case "asset":
    case "organization":
      // No rule reads an asset or an organization's own fields (only their IDs, held by grants,
      // people and accounts, whose changes are events of their own).
      return null;
    case "grant": {
      if (both && changed(before, after).every((k) => UNREAD.grant.has(k))) return null;
      return {
        type,
        id,
        places: [before, after].flatMap((image) => (image ? [placeOf(image, id)] : [])),
      };
    }
    case "person": {
      const diff = both ? changed(before, after) : null;
      if (diff?.every((k) => UNREAD.person.has(k))) return null;
      const organizations = [before, after].flatMap((image) => {
        const org = image ? str(image.organizationId) : null;
        return org ? [org] : [];
      });
      const outsiders = !diff || diff.includes("name") || diff.includes("organizationId");
      const names = [before, after].flatMap((image) =>
        image
          ? [image.name, ...(Array.isArray(image.emails) ? image.emails : [])].flatMap((v) =>
              typeof v === "string" ? [v] : [],
            )
          : [],
      );
      return { type, id, outsiders, organizations, names };
    }
    case "shared_login":
      if (both && changed(before, after).every((k) => UNREAD.shared_login.has(k))) return null;
      return { type, id };
    case "account": {
      if (!both) return { type, id, whole: true, renamed: true, reorganized: true };
      const diff = changed(before, after);
      const whole = diff.some((k) => ACCOUNT_WHOLE.includes(k));
      const reorganized = diff.includes("organizationId");
      if (!whole && !reorganized && !diff.some((k) => ACCOUNT_LEVEL.includes(k))) return null;
      return { type, id, whole, renamed: diff.includes("name"), reorganized };
    }
  }
}

/** The relations a scope is computed from, read in the record as it is now. */
export interface ScopeReader {
  /** Each grant that still exists: its target account, subject and the subject's person. */
  grants(
    ids: string[],
  ): Promise<{ id: string; accountId: string; subjectId: string; personId: string | null }[]>;
  /** The distinct (account, subject) of the grants held by these subjects (people, shared logins or partner accounts). */
  grantsOfSubjects(subjectIds: string[]): Promise<{ accountId: string; subjectId: string }[]>;
  /** Accounts whose accountable owner or backup owner is one of these people. */
  accountsOwnedBy(personIds: string[]): Promise<string[]>;
  /** The names and emails of these people now (those that exist). */
  namesOf(personIds: string[]): Promise<string[]>;
  /**
   * What a text names by one of `keys` (see `nameKey`): the accounts whose recovery or two-step
   * holder does, and the system-user grants (their account and ID) whose "granted by" does.
   */
  textsNaming(keys: ReadonlySet<string>): Promise<{
    accounts: string[];
    systemUsers: { accountId: string; grantId: string }[];
  }>;
  /** Shared logins these people know. */
  loginsKnownBy(personIds: string[]): Promise<string[]>;
  /** Each person's organization now. */
  organizationsOf(personIds: string[]): Promise<Map<string, string | null>>;
}

/**
 * The findings `changes` can affect, read in the record as it is after them:
 *
 * - a grant: its subject on its account, in each image and now (a grant moved or re-assigned
 *   affects both places), and the account-level rules there;
 * - a person: their own findings on every account where they hold a grant, the account-level
 *   rules there and on the accounts they own or back up, their shared logins' findings, and (when
 *   their name or organization changed) their organizations' outsider findings on those accounts;
 *   also, by any name or email they have now or their event's images hold, the account-level
 *   rules of the accounts whose recovery or two-step holder names them and the system users whose
 *   "granted by" names them (on their accounts);
 * - a shared login: its findings on every account it has a grant on;
 * - an account: the account-level rules; everything on it when created or renamed (and, when
 *   renamed, its findings as a partner elsewhere); every organization's outsider finding when its
 *   organization changed;
 * - an asset or an organization: nothing.
 *
 * A grant's person is a subject of its account's scope, and their organizations (now, and any
 * this batch of changes moved them from) are in it too: the grant may make or unmake them an
 * outsider there.
 */
export async function recheckScope(
  changes: Iterable<RecordChange>,
  reader: ScopeReader,
): Promise<RecheckScope> {
  const scope = new Map<string, { subjects: Set<string> | "all"; organizations: Set<string> | "all" }>();
  const entry = (accountId: string) => {
    let e = scope.get(accountId);
    if (!e) {
      e = { subjects: new Set(), organizations: new Set() };
      scope.set(accountId, e);
    }
    return e;
  };
  const addSubject = (accountId: string, subjectId: string) => {
    const e = entry(accountId);
    if (e.subjects !== "all") e.subjects.add(subjectId);
  };
  /** Each grant's places, event by event in history order (before, then after, per event). */
  const grantEvents = new Map<string, GrantPlace[][]>();
  const people = new Set<string>();
  /** People whose name or organization changed: their organizations' outsider findings, wherever they have access. */
  const outsiders = new Set<string>();
  const peopleOrgs = new Map<string, Set<string>>();
  const nameKeys = new Set<string>();
  const logins = new Set<string>();
  const renamed = new Set<string>();
  for (const c of changes) {
    if (c.type === "grant") {
      const list = grantEvents.get(c.id) ?? [];
      list.push(c.places);
      grantEvents.set(c.id, list);
    } else if (c.type === "person") {
      people.add(c.id);
      if (c.outsiders) outsiders.add(c.id);
      const orgs = peopleOrgs.get(c.id) ?? new Set();
      for (const o of c.organizations) orgs.add(o);
      peopleOrgs.set(c.id, orgs);
      for (const n of c.names) nameKeys.add(nameKey(n));
    } else if (c.type === "shared_login") logins.add(c.id);
    else {
      const e = entry(c.id);
      if (c.whole) {
        e.subjects = "all";
        e.organizations = "all";
      }
      if (c.reorganized) e.organizations = "all";
      if (c.renamed) renamed.add(c.id);
    }
  }

  // Grants: where each points now, and where its images say it pointed. A field an image leaves
  // out did not change in that event, so it is what the next event's before image (or, after the
  // last event, the record now) says: fill the images from the newest back.
  const personSubjects: { accountId: string; personId: string }[] = [];
  const now = new Map((await reader.grants([...grantEvents.keys()])).map((g) => [g.id, g]));
  for (const [id, events] of grantEvents) {
    const current = now.get(id);
    let known: GrantPlace = current
      ? { accountId: current.accountId, subjectId: current.subjectId, personId: current.personId }
      : { accountId: null, subjectId: null, personId: null };
    const add = (p: GrantPlace) => {
      if (!p.accountId || !p.subjectId) return;
      addSubject(p.accountId, p.subjectId);
      if (p.personId) personSubjects.push({ accountId: p.accountId, personId: p.personId });
    };
    add(known);
    for (const places of events.toReversed())
      for (const p of places.toReversed()) {
        known = {
          accountId: p.accountId ?? known.accountId,
          subjectId: p.subjectId ?? known.subjectId,
          personId: p.subjectId ? p.personId : known.personId,
        };
        add(known);
      }
  }

  if (people.size) {
    const list = [...people];
    for (const g of await reader.grantsOfSubjects(list)) {
      addSubject(g.accountId, g.subjectId);
      if (outsiders.has(g.subjectId)) personSubjects.push({ accountId: g.accountId, personId: g.subjectId });
    }
    for (const a of await reader.accountsOwnedBy(list)) entry(a);
    for (const l of await reader.loginsKnownBy(list)) logins.add(l);
    for (const n of await reader.namesOf(list)) nameKeys.add(nameKey(n));
    const named = await reader.textsNaming(nameKeys);
    for (const a of named.accounts) entry(a);
    for (const g of named.systemUsers) addSubject(g.accountId, g.grantId);
  }
  if (logins.size)
    for (const g of await reader.grantsOfSubjects([...logins])) addSubject(g.accountId, g.subjectId);
  if (renamed.size)
    for (const g of await reader.grantsOfSubjects([...renamed])) addSubject(g.accountId, g.subjectId);

  if (personSubjects.length) {
    const orgs = await reader.organizationsOf([...new Set(personSubjects.map((p) => p.personId))]);
    for (const { accountId, personId } of personSubjects) {
      const e = entry(accountId);
      if (e.organizations === "all") continue;
      const org = orgs.get(personId);
      if (org) e.organizations.add(org);
      for (const o of peopleOrgs.get(personId) ?? []) e.organizations.add(o);
    }
  }
  return scope;
}

/** `ScopeReader` over a record held in memory (the reference the store's queries follow). */
export function memoryScopeReader(state: FindingsInput): ScopeReader {
  return {
    grants: async (ids) => {
      const wanted = new Set(ids);
      return state.grants
        .filter((g) => wanted.has(g.id))
        .map((g) => ({
          id: g.id,
          accountId: g.target.accountId,
          subjectId: grantSubjectId(g),
          personId: g.subject.type === "person" ? g.subject.personId : null,
        }));
    },
    grantsOfSubjects: async (ids) => {
      const wanted = new Set(ids);
      const out = new Map<string, { accountId: string; subjectId: string }>();
      for (const g of state.grants) {
        if (g.subject.type === "system_user") continue;
        const subjectId = grantSubjectId(g);
        if (wanted.has(subjectId))
          out.set(`${g.target.accountId}:${subjectId}`, { accountId: g.target.accountId, subjectId });
      }
      return [...out.values()];
    },
    accountsOwnedBy: async (ids) => {
      const wanted = new Set(ids);
      return state.accounts
        .filter(
          (a) =>
            (a.ownerPersonId && wanted.has(a.ownerPersonId)) ||
            (a.backupOwnerPersonId && wanted.has(a.backupOwnerPersonId)),
        )
        .map((a) => a.id);
    },
    namesOf: async (ids) => {
      const wanted = new Set(ids);
      return state.people.filter((p) => wanted.has(p.id)).flatMap((p) => [p.name, ...p.emails]);
    },
    textsNaming: async (keys) => {
      const names = (text: string | null | undefined) => !!text && keys.has(nameKey(text));
      return {
        accounts: state.accounts
          .filter((a) => names(a.recoveryEmailHolder) || names(a.twoFactorHolder))
          .map((a) => a.id),
        systemUsers: state.grants
          .filter((g) => g.subject.type === "system_user" && names(g.grantedBy))
          .map((g) => ({ accountId: g.target.accountId, grantId: g.id })),
      };
    },
    loginsKnownBy: async (ids) => {
      const wanted = new Set(ids);
      return state.sharedLogins.filter((l) => l.knownByPersonIds.some((p) => wanted.has(p))).map((l) => l.id);
    },
    organizationsOf: async (ids) => {
      const wanted = new Set(ids);
      return new Map(state.people.filter((p) => wanted.has(p.id)).map((p) => [p.id, p.organizationId]));
    },
  };
}

/**
 * The findings of exactly `scope`, as a full scan would give them: `input` is the slice
 * `sliceForScope` describes, `facts` each scoped account's `AccountFacts`.
 */
export function recheckFindings(
  input: FindingsInput,
  catalog: FindingsCatalog,
  scope: RecheckScope,
  facts: ReadonlyMap<string, AccountFacts>,
): Finding[] {
  return scanScope(input, catalog, scope, facts);
}

/**
 * The part of a workspace `recheckFindings` needs for `scope`, taken from the whole record (the
 * store loads the same by account and subject): the scoped accounts; the grants of their scoped
 * subjects (all grants of an account whose subjects are "all"); the people, shared logins (and
 * their knowers) and partner accounts those grants name; the scoped accounts' owners and backup
 * owners; and the people the scoped accounts' recovery and two-step holders and those grants'
 * "granted by" name (see `nameKey`).
 */
export function sliceForScope(input: FindingsInput, scope: RecheckScope): FindingsInput {
  const grants = input.grants.filter((g) => {
    const s = scope.get(g.target.accountId);
    return !!s && (s.subjects === "all" || s.subjects.has(grantSubjectId(g)));
  });
  const accountSet = new Set(scope.keys());
  const people = new Set<string>();
  const logins = new Set<string>();
  for (const g of grants) {
    const s = g.subject;
    if (s.type === "person") people.add(s.personId);
    else if (s.type === "partner") accountSet.add(s.accountId);
    else if (s.type === "shared_login") logins.add(s.sharedLoginId);
  }
  const accounts = input.accounts.filter((a) => accountSet.has(a.id));
  for (const a of accounts)
    if (scope.has(a.id)) {
      if (a.ownerPersonId) people.add(a.ownerPersonId);
      if (a.backupOwnerPersonId) people.add(a.backupOwnerPersonId);
    }
  const sharedLogins = input.sharedLogins.filter((l) => logins.has(l.id));
  for (const l of sharedLogins) for (const p of l.knownByPersonIds) people.add(p);
  const texts = new Set(
    [
      ...accounts.flatMap((a) => (scope.has(a.id) ? [a.recoveryEmailHolder, a.twoFactorHolder] : [])),
      ...grants.map((g) => (g.subject.type === "system_user" ? g.grantedBy : null)),
    ].flatMap((t) => (t ? [nameKey(t)] : [])),
  );
  if (texts.size)
    for (const p of input.people) if (personNameKeys(p).some((k) => texts.has(k))) people.add(p.id);
  return {
    asOf: input.asOf,
    people: input.people.filter((p) => people.has(p.id)),
    accounts,
    assets: [],
    sharedLogins,
    grants,
  };
}
