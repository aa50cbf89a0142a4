import type {
  AccountOverview,
  EncodedGrants,
  IndexChange,
  IndexGrant,
  IndexSnapshot,
  IndexSnapshotEntities,
  NodeRef,
  PartnerLink,
  PathEdge,
  ReachAnswer,
  RoleCount,
  RolePolicy,
  StatusCounts,
  StreamedSnapshot,
} from "./types.ts";

export type * from "./types.ts";

/** Subject types and grant statuses as numbers (in rows and in EncodedGrants). */
export const SUBJECT = { person: 0, partner: 1, system_user: 2, shared_login: 3 } as const;
export const STATUS = { pending: 0, active: 1, revoked: 2 } as const;
/** Int32 fields per grant in EncodedGrants.fields. */
export const ENCODED_FIELDS = 7;
const STATUS_NAMES = ["pending", "active", "revoked"] as const;
const counts = (): StatusCounts => ({ pending: 0, active: 0, revoked: 0 });
const collator = new Intl.Collator();
/**
 * A grant's flags, one byte: bits 0–1 the subject type, bit 2 removed, bits 3–4 the status,
 * bit 5 an account-level role that reaches every asset.
 */
const SUBJECT_MASK = 0b11;
const REMOVED = 0b100;
const STATUS_SHIFT = 3;
const ALL_ASSETS = 0b100000;
const LIVE_MASK = REMOVED | (0b11 << STATUS_SHIFT);
const LIVE = STATUS.active << STATUS_SHIFT;
/**
 * A grant's row, 36 bytes: its ID (bytes 0–15); subject, target account and target asset as
 * int32 (16, 20, 24; the asset -1 for an account-level grant); role and expiry day as uint16
 * (28, 30); flags (32); the next row in its ID-hash chain, plus one, in 24 bits (33–35). A query
 * reads a grant from one or two cache lines.
 */
const ROW = 36;
const I32 = ROW / 4;
const U16 = ROW / 2;
/** Rows a 24-bit chain link can name; beyond, finding a grant by ID falls back to a scan. */
const MAX_CHAINED = 0xffffff;
/** Expiry days are stored in 16 bits (until 2149); this one means never. */
const NO_EXPIRY = 0xffff;
/** A person's leaving day, when there is none. */
const NEVER = 0x7fffffff;
/** Character codes of a formatted grant ID; the dashes stay where they are. */
const ID_CHARS: number[] = Array.from("00000000-0000-0000-0000-000000000000", (c) => c.charCodeAt(0));
const HEX_CODES = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** `YYYY-MM-DD` → days since 1970-01-01, so expiry checks compare integers. */
export function dayNumber(day: string): number {
  return Math.floor(
    Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000,
  );
}

/** The day a query asks about, within the range expiry days are stored in. */
function queryDay(asOf: string): number {
  return Math.min(Math.max(dayNumber(asOf), 0), NO_EXPIRY);
}

/** One hex digit's value (0 for anything else). */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : 0;
}

/** A grant's expiry as the index stores it: a day number, or NO_EXPIRY for none. */
export function expiryValue(expiresOn: string | null): number {
  return expiresOn ? Math.min(Math.max(dayNumber(expiresOn), 0), NO_EXPIRY - 1) : NO_EXPIRY;
}

/** A UUID's 16 bytes, read from its hex digits (dashes skipped). */
export function uuidBytes(id: string, out: Uint8Array, at: number): void {
  out.fill(0, at, at + 16);
  let k = 0;
  for (let j = 0; j < id.length && k < 32; j++) {
    const c = id.charCodeAt(j);
    if (c === 45) continue;
    const b = at + (k >> 1);
    out[b] = out[b]! | (nibble(c) << (k & 1 ? 0 : 4));
    k++;
  }
}

/** Interns string IDs to dense integers. */
class Interner {
  readonly ids: string[] = [];
  readonly names: string[] = [];
  readonly #map = new Map<string, number>();
  get(id: string): number {
    return this.#map.get(id) ?? -1;
  }
  put(id: string, name: string): number {
    let i = this.#map.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.#map.set(id, i);
      this.ids.push(id);
      this.names.push(name);
    } else this.names[i] = name;
    return i;
  }
  get size(): number {
    return this.ids.length;
  }
}

/**
 * Adjacency lists keyed by dense numbers. After a bulk load all lists are packed into one
 * Int32Array with offsets (4 bytes an entry and no object per list); a list a later change
 * touches is copied out to a plain array (8 bytes an entry and more, while its packed copy stays).
 * Once the copied-out lists hold an eighth as many entries as the packed ones, they are packed
 * again (`loose`): a server that applies writes one by one for days keeps its index near the size
 * of a fresh load (30,000 single grants into an index of 1,000,000 added 22 MB of heap before).
 */
/** Copied-out entries a set of lists may hold beyond an eighth of its packed ones (see `Lists`). */
const LOOSE_FLOOR = 1024;
/** How many changes applied one by one between two looks at whether lists need packing again. */
const PACK_CHECK_EVERY = 1024;

class Lists {
  #offsets = new Int32Array(1);
  #entries = new Int32Array(0);
  #arrays: (number[] | undefined)[] = [];
  /** Entries in plain arrays since the last pack: copied out, or added since. */
  #loose = 0;

  /** Whether the lists copied out since the last pack are worth packing again (see the class). */
  get loose(): boolean {
    return this.#loose > LOOSE_FLOOR + (this.#entries.length >> 3);
  }

  get(at: number): number[] | Int32Array | undefined {
    const list = this.#arrays[at];
    if (list) return list;
    if (at + 1 >= this.#offsets.length) return undefined;
    const from = this.#offsets[at]!;
    const to = this.#offsets[at + 1]!;
    return from === to ? undefined : this.#entries.subarray(from, to);
  }

  push(at: number, value: number): void {
    this.#writable(at).push(value);
    this.#loose++;
  }

  drop(at: number, value: number): void {
    const list = this.#writable(at);
    const i = list.indexOf(value);
    if (i >= 0) {
      list[i] = list[list.length - 1]!;
      list.pop();
    }
  }

  #writable(at: number): number[] {
    let list = this.#arrays[at];
    if (list) return list;
    while (this.#arrays.length <= at) this.#arrays.push(undefined);
    list = Array.from(this.get(at) ?? []);
    this.#arrays[at] = list;
    this.#loose += list.length;
    return list;
  }

  /** Pack every list into the one array. */
  pack(): void {
    const keys = Math.max(this.#arrays.length, this.#offsets.length - 1);
    const lengths = new Int32Array(keys);
    let total = 0;
    for (let k = 0; k < keys; k++) {
      lengths[k] = this.get(k)?.length ?? 0;
      total += lengths[k]!;
    }
    const offsets = new Int32Array(keys + 1);
    const entries = new Int32Array(total);
    let at = 0;
    for (let k = 0; k < keys; k++) {
      offsets[k] = at;
      const list = this.get(k);
      if (list) entries.set(list, at);
      at += lengths[k]!;
    }
    offsets[keys] = at;
    this.#offsets = offsets;
    this.#entries = entries;
    this.#arrays = [];
    this.#loose = 0;
  }
}

/** Add to / remove from a small list kept under a key (partner shares: a handful per key). */
function mapPush(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function mapDrop(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  const i = list ? list.indexOf(value) : -1;
  if (i < 0) return;
  list!.splice(i, 1);
  if (list!.length === 0) map.delete(key);
}

/**
 * The effective-access index of one workspace: who can reach what, and through which path.
 * Grants are stored as rows of one typed array (36 bytes each), entities are interned
 * to integers, and adjacency lists link accounts, assets, people, partners and shared logins,
 * so a query walks only the neighbourhood of its target and its work grows with its answer.
 *
 * A change may name an entity the index has not seen yet (a grant applied before its asset,
 * person or account): the entity is then held as a placeholder — an asset in no account yet,
 * which nobody reaches — and filled in when its own change arrives.
 */
export class AccessIndex {
  readonly #policy: RolePolicy;
  readonly people = new Interner();
  readonly accounts = new Interner();
  readonly assets = new Interner();
  readonly logins = new Interner();
  readonly #systemUsers = new Interner();
  readonly #roles = new Interner();
  #personDeparted: Uint8Array = new Uint8Array(16);
  #personLeftOn: Int32Array = new Int32Array(16);
  /** Each person's organization, interned in `#organizations`; -1 for none. */
  #personOrg: Int32Array = new Int32Array(16).fill(-1);
  readonly #organizations = new Interner();
  readonly #accountPlatform: string[] = [];
  /** The account holding each asset; -1 for an asset known only from a grant that names it. */
  readonly #assetAccount: number[] = [];
  /** Accounts on the partner chain being followed (a query marks and unmarks them). */
  #onPath: Uint8Array = new Uint8Array(16);

  #n = 0;
  #cap = 0;
  /** The grants, one 36-byte row each (see ROW), read through three views of one buffer. */
  #r8 = new Uint8Array(0);
  #r16 = new Uint16Array(0);
  #r32 = new Int32Array(0);
  /** Rows by a hash of their grant ID: the first row of each chain, plus one (0: none). */
  #heads: Int32Array | null = new Int32Array(1024);
  #hashBits = 10;

  readonly #byAccount = new Lists(); // account-level grants on an account
  readonly #byAsset = new Lists(); // grants on an asset (held here or assigned inside a partner)
  /**
   * Asset-level grants recorded in an account on an asset it does not hold (shared with it, or
   * whose holder changed or is not known yet). Those on its own assets are found through
   * `#assetsOf` and `#byAsset`, which saves 4 bytes for most grants.
   */
  readonly #assignedIn = new Lists();
  readonly #byPerson = new Lists();
  readonly #byPartner = new Lists(); // grants held by an account as a partner
  readonly #byLogin = new Lists();
  readonly #assetsOf = new Lists();
  readonly #knowers: number[][] = [];
  readonly #loginsOf = new Lists();
  /** Partner grants by the asset they share, and account-level partner grants by account. */
  readonly #sharesOfAsset = new Map<number, number[]>();
  readonly #sharesOfAccount = new Map<number, number[]>();
  /** Account-level grants whose role reaches every asset, by account: a few among many members. */
  readonly #fullOn = new Map<number, number[]>();

  constructor(policy: RolePolicy) {
    this.#policy = policy;
  }

  get grantCount(): number {
    return this.#n;
  }

  /** Rebuild from a full snapshot (at start, or after an import). */
  load(s: IndexSnapshot | StreamedSnapshot): void {
    this.beginLoad({ ...s, grantCount: "grantCount" in s ? s.grantCount : s.grants.length });
    if (!Array.isArray(s.grants)) {
      // Streamed from the store, already grouped by target account: insert as they come, so no
      // million objects are held at once.
      for (const g of s.grants) this.#insert(g);
      this.#pack();
      return;
    }
    // Grants on the same asset (or account-level grants on the same account) get neighbouring
    // rows, so who-can-reach reads them in order: a stable counting sort by target.
    const grants = s.grants;
    const keys = new Int32Array(grants.length);
    let buckets = 0;
    for (let j = 0; j < grants.length; j++) {
      const t = grants[j]!.target;
      const key = t.assetId ? this.#assetRef(t.assetId) * 2 : this.#accountRef(t.accountId) * 2 + 1;
      keys[j] = key;
      if (key >= buckets) buckets = key + 1;
    }
    const starts = new Int32Array(buckets + 1);
    for (let j = 0; j < keys.length; j++) starts[keys[j]! + 1]!++;
    for (let k = 0; k < buckets; k++) starts[k + 1]! += starts[k]!;
    const order = new Int32Array(grants.length);
    for (let j = 0; j < keys.length; j++) order[starts[keys[j]!]!++] = j;
    for (let j = 0; j < order.length; j++) this.#insert(grants[order[j]!]!);
    this.#pack();
  }

  /**
   * A bulk load in parts: the entities first (with room for `grantCount` grants), then grants in
   * encoded batches as they arrive (`addEncoded`) or in pages (`addGrants`), then `endLoad`.
   * Queries wait until it ends.
   */
  beginLoad(s: IndexSnapshotEntities & { grantCount: number }): void {
    this.#grow(s.grantCount);
    this.#rehash(this.#n + s.grantCount);
    for (const p of s.people) this.#apply({ kind: "person", value: p });
    for (const a of s.accounts) this.#apply({ kind: "account", value: a });
    for (const a of s.assets) this.#apply({ kind: "asset", value: a });
    for (const l of s.sharedLogins) this.#apply({ kind: "shared_login", value: l });
  }

  /** Per stream of encoded batches: its dictionary positions → this index's numbers. */
  readonly #streams = new Map<
    number,
    {
      people: number[];
      accounts: number[];
      assets: number[];
      logins: number[];
      roles: number[];
      systemUsers: number[];
    }
  >();

  /** Add a batch of encoded grants (see EncodedGrants): no object is made per grant. */
  addEncoded(b: EncodedGrants): void {
    let m = this.#streams.get(b.stream);
    if (!m) {
      m = { people: [], accounts: [], assets: [], logins: [], roles: [], systemUsers: [] };
      this.#streams.set(b.stream, m);
    }
    for (const id of b.people) m.people.push(this.#personRef(id));
    for (const id of b.accounts) m.accounts.push(this.#accountRef(id));
    for (const id of b.assets) m.assets.push(this.#assetRef(id));
    for (const id of b.logins) m.logins.push(this.#loginRef(id));
    for (const role of b.roles) m.roles.push(this.#roles.put(role, role));
    for (let k = 0; k < b.systemUsers.length; k += 2)
      m.systemUsers.push(this.#systemUsers.put(b.systemUsers[k]!, b.systemUsers[k + 1]!));
    const f = b.fields;
    this.#grow(b.count);
    for (let j = 0; j < b.count; j++) {
      const o = j * ENCODED_FIELDS;
      const type = f[o]!;
      const ref = f[o + 1]!;
      const subj =
        type === SUBJECT.person
          ? m.people[ref]!
          : type === SUBJECT.partner
            ? m.accounts[ref]!
            : type === SUBJECT.shared_login
              ? m.logins[ref]!
              : m.systemUsers[ref]!;
      const i = this.#n++;
      this.#r8.set(b.ids.subarray(j * 16, j * 16 + 16), i * ROW);
      this.#fill(
        i,
        type,
        subj,
        m.accounts[f[o + 2]!]!,
        f[o + 3]! < 0 ? -1 : m.assets[f[o + 3]!]!,
        m.roles[f[o + 4]!]!,
        f[o + 5]!,
        f[o + 6]!,
      );
    }
  }

  /** Add grants during a bulk load begun with `beginLoad` (a page of them at a time, in any order). */
  addGrants(grants: Iterable<IndexGrant>): void {
    for (const g of grants) this.#insert(g);
  }

  /** End a bulk load begun with `beginLoad`. */
  endLoad(): void {
    this.#streams.clear();
    this.#pack();
  }

  readonly #lists = [
    this.#byAccount,
    this.#byAsset,
    this.#assignedIn,
    this.#byPerson,
    this.#byPartner,
    this.#byLogin,
    this.#assetsOf,
    this.#loginsOf,
  ];

  #pack(): void {
    for (const lists of this.#lists) lists.pack();
  }

  /** Sets of lists packed again after changes applied one by one (see `Lists`). */
  repacks = 0;

  #applied = 0;

  /** Apply one change; the next query sees it (read-your-writes). */
  apply(change: IndexChange): void {
    this.#apply(change);
    // Looked at every so many changes, not after each: a change that copies out a long list (an
    // agency account's 79,000 members) would otherwise pack its whole set again every time.
    if (++this.#applied % PACK_CHECK_EVERY !== 0) return;
    for (const lists of this.#lists)
      if (lists.loose) {
        lists.pack();
        this.repacks++;
      }
  }

  #apply(change: IndexChange): void {
    switch (change.kind) {
      case "person": {
        const { id, name, status, leftOn, organizationId } = change.value;
        const org = organizationId ? this.#organizations.put(organizationId, organizationId) : -1;
        this.#putPerson(id, name, status === "departed", leftOn ? dayNumber(leftOn) : NEVER, org);
        return;
      }
      case "account": {
        const i = this.#putAccount(change.value.id, change.value.name);
        const before = this.#accountPlatform[i];
        this.#accountPlatform[i] = change.value.platform;
        // Whether a role reaches every asset depends on the platform (unknown for a placeholder).
        if (before !== change.value.platform) {
          for (const g of this.#byAccount.get(i) ?? []) this.#setAllAssets(g);
        }
        return;
      }
      case "asset": {
        const i = this.assets.put(change.value.id, change.value.name);
        const account = this.#accountRef(change.value.accountId);
        const before = this.#assetAccount[i] ?? -1;
        if (before === account) return;
        if (before >= 0) this.#assetsOf.drop(before, i);
        this.#assetsOf.push(account, i);
        this.#assetAccount[i] = account;
        // Grants recorded in the old holder are now on an asset it does not hold; those recorded
        // in the new one are on its own asset (see #assignedIn).
        for (const g of Array.from(this.#byAsset.get(i) ?? [])) {
          const acc = this.#acc(g);
          if (acc === before) this.#assignedIn.push(acc, g);
          else if (acc === account) this.#assignedIn.drop(acc, g);
        }
        return;
      }
      case "shared_login": {
        const i = this.#loginRef(change.value.id);
        this.logins.put(change.value.id, change.value.label);
        for (const p of this.#knowers[i]!) this.#loginsOf.drop(p, i);
        const knowers: number[] = [];
        for (const pid of change.value.knownByPersonIds) {
          const p = this.#personRef(pid);
          knowers.push(p);
          this.#loginsOf.push(p, i);
        }
        this.#knowers[i] = knowers;
        return;
      }
      case "grant": {
        this.#remove(change.value.id);
        this.#insert(change.value);
        return;
      }
      case "remove-grant":
        this.#remove(change.id);
        return;
    }
  }

  #putPerson(id: string, name: string, departed: boolean, leftOn: number, org = -1): number {
    const i = this.people.put(id, name);
    if (i >= this.#personDeparted.length) {
      const d = new Uint8Array(Math.max(16, i * 2));
      d.set(this.#personDeparted);
      this.#personDeparted = d;
      const l = new Int32Array(Math.max(16, i * 2));
      l.set(this.#personLeftOn);
      this.#personLeftOn = l;
      const o = new Int32Array(Math.max(16, i * 2)).fill(-1);
      o.set(this.#personOrg);
      this.#personOrg = o;
    }
    this.#personDeparted[i] = departed ? 1 : 0;
    this.#personLeftOn[i] = leftOn;
    this.#personOrg[i] = org;
    return i;
  }

  #putAccount(id: string, name: string): number {
    const i = this.accounts.put(id, name);
    if (i >= this.#onPath.length) {
      const marks = new Uint8Array(Math.max(16, i * 2));
      marks.set(this.#onPath);
      this.#onPath = marks;
    }
    this.#accountPlatform[i] ??= "";
    return i;
  }

  /** The entity's number; a placeholder when no change has named it yet. */
  #personRef(id: string): number {
    const i = this.people.get(id);
    return i >= 0 ? i : this.#putPerson(id, "", false, NEVER);
  }

  #accountRef(id: string): number {
    const i = this.accounts.get(id);
    return i >= 0 ? i : this.#putAccount(id, "");
  }

  #assetRef(id: string): number {
    let i = this.assets.get(id);
    if (i < 0) {
      i = this.assets.put(id, "");
      this.#assetAccount[i] = -1;
    }
    return i;
  }

  #loginRef(id: string): number {
    let i = this.logins.get(id);
    if (i < 0) {
      i = this.logins.put(id, "");
      while (this.#knowers.length <= i) this.#knowers.push([]);
    }
    return i;
  }

  #grow(extra: number): void {
    const need = this.#n + extra;
    if (need <= this.#cap) return;
    // A quarter more at a time: the first change after loading a million grants adds 9 MB, not 36.
    const cap = Math.max(need, this.#cap + (this.#cap >> 2), 1024);
    const rows = new Uint8Array(cap * ROW);
    rows.set(this.#r8);
    this.#r8 = rows;
    this.#r16 = new Uint16Array(rows.buffer);
    this.#r32 = new Int32Array(rows.buffer);
    this.#cap = cap;
  }

  #subj(i: number): number {
    return this.#r32[i * I32 + 4]!;
  }

  #acc(i: number): number {
    return this.#r32[i * I32 + 5]!;
  }

  #asset(i: number): number {
    return this.#r32[i * I32 + 6]!;
  }

  #flags(i: number): number {
    return this.#r8[i * ROW + 32]!;
  }

  #setFlags(i: number, flags: number): void {
    this.#r8[i * ROW + 32] = flags;
  }

  /** An account-level grant whose role reaches every asset of the account. */
  #setAllAssets(i: number): void {
    const platform = this.#accountPlatform[this.#acc(i)] ?? "";
    const all = this.#asset(i) < 0 && this.#policy.reachesAllAssets(platform, this.#roleOf(i));
    if (all === this.#allAssets(i)) return;
    this.#setFlags(i, this.#flags(i) ^ ALL_ASSETS);
    if (all) mapPush(this.#fullOn, this.#acc(i), i);
    else mapDrop(this.#fullOn, this.#acc(i), i);
  }

  #allAssets(i: number): boolean {
    return (this.#flags(i) & ALL_ASSETS) !== 0;
  }

  #insert(g: IndexGrant): void {
    const acc = this.#accountRef(g.target.accountId);
    this.#grow(1);
    const i = this.#n++;
    uuidBytes(g.id, this.#r8, i * ROW);
    const s = g.subject;
    const type = SUBJECT[s.type];
    const subj =
      s.type === "person"
        ? this.#personRef(s.personId)
        : s.type === "partner"
          ? this.#accountRef(s.accountId)
          : s.type === "shared_login"
            ? this.#loginRef(s.sharedLoginId)
            : this.#systemUsers.put(`${g.id}`, s.name);
    const asset = g.target.assetId ? this.#assetRef(g.target.assetId) : -1;
    this.#fill(
      i,
      type,
      subj,
      acc,
      asset,
      this.#roles.put(g.role, g.role),
      STATUS[g.status],
      expiryValue(g.expiresOn),
    );
  }

  /** Fill in row i (its ID bytes written already) and link it into the lists. */
  #fill(
    i: number,
    type: number,
    subj: number,
    acc: number,
    asset: number,
    role: number,
    status: number,
    expiry: number,
  ): void {
    this.#setFlags(i, type | (status << STATUS_SHIFT));
    this.#r32[i * I32 + 4] = subj;
    this.#r32[i * I32 + 5] = acc;
    this.#r32[i * I32 + 6] = asset;
    this.#r16[i * U16 + 14] = role;
    this.#r16[i * U16 + 15] = expiry;
    this.#setAllAssets(i);
    this.#link(i);
    if (asset >= 0) {
      this.#byAsset.push(asset, i);
      if (this.#assetAccount[asset] !== acc) this.#assignedIn.push(acc, i);
    } else this.#byAccount.push(acc, i);
    if (type === SUBJECT.person) this.#byPerson.push(subj, i);
    else if (type === SUBJECT.partner) {
      this.#byPartner.push(subj, i);
      if (asset >= 0) mapPush(this.#sharesOfAsset, asset, i);
      else mapPush(this.#sharesOfAccount, acc, i);
    } else if (type === SUBJECT.shared_login) this.#byLogin.push(subj, i);
  }

  #hash(k0: number, k1: number, k2: number, k3: number): number {
    return Math.imul(k0 ^ k1 ^ k2 ^ k3, 0x9e3779b1) >>> (32 - this.#hashBits);
  }

  /** Put row i at the head of its ID's chain (the table grows to keep chains 4 to 8 long). */
  #link(i: number): void {
    if (!this.#heads) return;
    if (i >= MAX_CHAINED) {
      this.#heads = null;
      return;
    }
    if (i >= this.#heads.length * 8) {
      this.#rehash(i * 2); // links every row, this one included
      return;
    }
    const o = i * I32;
    const r = this.#r32;
    const h = this.#hash(r[o]!, r[o + 1]!, r[o + 2]!, r[o + 3]!);
    const next = this.#heads![h]!;
    const b = i * ROW;
    this.#r8[b + 33] = next & 0xff;
    this.#r8[b + 34] = (next >> 8) & 0xff;
    this.#r8[b + 35] = next >> 16;
    this.#heads![h] = i + 1;
  }

  /** A table for about `rows` rows, with every live row linked in again. */
  #rehash(rows: number): void {
    if (!this.#heads) return;
    let bits = 10;
    while (1 << (bits + 3) < rows) bits++;
    this.#hashBits = bits;
    this.#heads = new Int32Array(1 << bits);
    for (let i = 0; i < this.#n; i++) if ((this.#flags(i) & REMOVED) === 0) this.#link(i);
  }

  /** The live row of a grant ID, or -1. */
  #find(id: string): number {
    const key = new Int32Array(4);
    uuidBytes(id, new Uint8Array(key.buffer), 0);
    const [k0, k1, k2, k3] = key as unknown as [number, number, number, number];
    const r = this.#r32;
    const matches = (i: number) =>
      r[i * I32 + 3] === k3 &&
      r[i * I32 + 2] === k2 &&
      r[i * I32 + 1] === k1 &&
      r[i * I32] === k0 &&
      (this.#flags(i) & REMOVED) === 0;
    if (!this.#heads) {
      for (let i = 0; i < this.#n; i++) if (matches(i)) return i;
      return -1;
    }
    for (let at = this.#heads[this.#hash(k0, k1, k2, k3)]! - 1; at >= 0; ) {
      if (matches(at)) return at;
      const b = at * ROW;
      at = (this.#r8[b + 33]! | (this.#r8[b + 34]! << 8) | (this.#r8[b + 35]! << 16)) - 1;
    }
    return -1;
  }

  /** Unlink a grant, found by its ID. */
  #remove(id: string): void {
    const i = this.#find(id);
    if (i < 0) return;
    const asset = this.#asset(i);
    const acc = this.#acc(i);
    if (asset >= 0) {
      this.#byAsset.drop(asset, i);
      if (this.#assetAccount[asset] !== acc) this.#assignedIn.drop(acc, i);
    } else this.#byAccount.drop(acc, i);
    const t = this.#flags(i) & SUBJECT_MASK;
    if (t === SUBJECT.person) this.#byPerson.drop(this.#subj(i), i);
    else if (t === SUBJECT.partner) {
      this.#byPartner.drop(this.#subj(i), i);
      if (asset >= 0) mapDrop(this.#sharesOfAsset, asset, i);
      else mapDrop(this.#sharesOfAccount, acc, i);
    } else if (t === SUBJECT.shared_login) this.#byLogin.drop(this.#subj(i), i);
    if (this.#allAssets(i)) mapDrop(this.#fullOn, acc, i);
    this.#setFlags(i, this.#flags(i) | REMOVED);
  }

  #live(i: number, day: number): boolean {
    return (this.#flags(i) & LIVE_MASK) === LIVE && this.#r16[i * U16 + 15]! >= day;
  }

  #personNode(i: number, day: number): NodeRef {
    return {
      type: "person",
      id: this.people.ids[i]!,
      name: this.people.names[i]!,
      departed: this.#personDeparted[i] === 1 || this.#personLeftOn[i]! <= day,
    };
  }

  #accountNode(i: number): NodeRef {
    return { type: "account", id: this.accounts.ids[i]!, name: this.accounts.names[i]! };
  }

  #assetNode(i: number): NodeRef {
    return { type: "asset", id: this.assets.ids[i]!, name: this.assets.names[i]! };
  }

  #loginNode(i: number): NodeRef {
    return { type: "shared_login", id: this.logins.ids[i]!, name: this.logins.names[i]! };
  }

  #subjectNode(i: number, day: number): NodeRef {
    const t = this.#flags(i) & SUBJECT_MASK;
    const s = this.#subj(i);
    if (t === SUBJECT.person) return this.#personNode(s, day);
    if (t === SUBJECT.partner) return this.#accountNode(s);
    if (t === SUBJECT.shared_login) return this.#loginNode(s);
    return { type: "system_user", id: this.#systemUsers.ids[s]!, name: this.#systemUsers.names[s]! };
  }

  #status(i: number): number {
    return (this.#flags(i) >> STATUS_SHIFT) & 0b11;
  }

  #roleOf(i: number): string {
    return this.#roles.ids[this.#r16[i * U16 + 14]!]!;
  }

  #grantId(i: number): string {
    const b = this.#r8;
    const o = i * ROW;
    let at = 0;
    for (let k = 0; k < 16; k++) {
      if (k === 4 || k === 6 || k === 8 || k === 10) at++; // a dash
      const v = b[o + k]!;
      ID_CHARS[at++] = HEX_CODES[v >> 4]!;
      ID_CHARS[at++] = HEX_CODES[v & 15]!;
    }
    return String.fromCharCode(...ID_CHARS);
  }

  #edge(i: number, from: NodeRef, to: NodeRef): PathEdge {
    return { kind: "grant", from, to, role: this.#roleOf(i), grantId: this.#grantId(i) };
  }

  /**
   * The people of other organizations than `ownOrganizationId` who hold live grants recorded in
   * an account (on the account or on an asset), by organization, each list in the order of its
   * people's first live grant there (by grant ID): what the external-individual-access rule counts,
   * from the account's own lists. `only`: just these organizations. Empty for an unknown account.
   */
  outsiders(
    accountId: string,
    ownOrganizationId: string | null,
    only: Iterable<string> | null,
    asOf: string,
  ): Map<string, { id: string; name: string }[]> {
    const out = new Map<string, { id: string; name: string }[]>();
    const a = this.accounts.get(accountId);
    if (a < 0) return out;
    const day = dayNumber(asOf);
    const own = ownOrganizationId === null ? -1 : this.#organizations.get(ownOrganizationId);
    let wanted: Set<number> | null = null;
    if (only) {
      wanted = new Set();
      for (const o of only) {
        const k = this.#organizations.get(o);
        if (k >= 0) wanted.add(k);
      }
      if (wanted.size === 0) return out;
    }
    const first = new Map<number, number>(); // person → row of their first live grant here
    const visit = (i: number) => {
      if ((this.#flags(i) & SUBJECT_MASK) !== SUBJECT.person || !this.#live(i, day)) return;
      const p = this.#subj(i);
      const o = this.#personOrg[p]!;
      if (o < 0 || o === own || (wanted && !wanted.has(o))) return;
      const f = first.get(p);
      if (f === undefined || this.#compareIds(i, f) < 0) first.set(p, i);
    };
    for (const i of this.#byAccount.get(a) ?? []) visit(i);
    for (const x of this.#assetsOf.get(a) ?? [])
      for (const i of this.#byAsset.get(x) ?? []) if (this.#acc(i) === a) visit(i);
    for (const i of this.#assignedIn.get(a) ?? []) visit(i);
    const people = [...first.keys()].sort((x, y) => this.#compareIds(first.get(x)!, first.get(y)!));
    for (const p of people) {
      const org = this.#organizations.ids[this.#personOrg[p]!]!;
      const list = out.get(org);
      const entry = { id: this.people.ids[p]!, name: this.people.names[p]! };
      if (list) list.push(entry);
      else out.set(org, [entry]);
    }
    return out;
  }

  /** Rows i and j by their grant IDs' bytes: the order of the IDs' (lower-case) text. */
  #compareIds(i: number, j: number): number {
    const b = this.#r8;
    const x = i * ROW;
    const y = j * ROW;
    for (let k = 0; k < 16; k++) {
      const d = b[x + k]! - b[y + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /**
   * The shape of one account's access for its page: grants by status and role, people, held and
   * shared assets with their grants, partner connections both ways. Walks only the account's own
   * lists (its grants, the grants on its assets, the grants it holds as a partner), so it costs
   * microseconds per thousand grants. Lists are cut at `limit`, in name order. Null if unknown.
   */
  accountOverview(accountId: string, limit: number): AccountOverview | null {
    const a = this.accounts.get(accountId);
    if (a < 0) return null;
    const status = counts();
    const people = new Set<number>();
    const count = (i: number, into: StatusCounts) => {
      into[STATUS_NAMES[this.#status(i)]!]++;
    };
    const byRole = (map: Map<number, StatusCounts>, i: number) => {
      const r = this.#r16[i * U16 + 14]!;
      const c = map.get(r) ?? counts();
      map.set(r, c);
      count(i, c);
    };
    const subjectType = (i: number) => this.#flags(i) & SUBJECT_MASK;
    const recorded = (i: number) => {
      count(i, status);
      if (subjectType(i) === SUBJECT.person && this.#status(i) !== STATUS.revoked) people.add(this.#subj(i));
    };
    const accountRoles = new Map<number, StatusCounts>();
    const sharedRoles = new Map<number, StatusCounts>();
    const shared = new Map<number, StatusCounts>();
    const partners: number[] = [];
    for (const i of this.#byAccount.get(a) ?? []) {
      recorded(i);
      byRole(accountRoles, i);
      if (subjectType(i) === SUBJECT.partner) partners.push(i);
    }
    const held = Array.from(this.#assetsOf.get(a) ?? []);
    for (const x of held)
      for (const i of this.#byAsset.get(x) ?? []) {
        if (this.#acc(i) !== a) continue; // assigned inside a partner's account
        recorded(i);
        if (subjectType(i) === SUBJECT.partner) partners.push(i);
      }
    for (const i of this.#assignedIn.get(a) ?? []) {
      recorded(i);
      if (subjectType(i) === SUBJECT.partner) partners.push(i);
      const x = this.#asset(i);
      byRole(sharedRoles, i);
      const c = shared.get(x) ?? counts();
      shared.set(x, c);
      count(i, c);
    }
    // What other accounts gave this one as their partner: an asset, or every asset of an account
    // through a role that reaches them all (a narrower account role shares none).
    const partnerOf = Array.from(this.#byPartner.get(a) ?? []);
    for (const g of partnerOf) {
      if (this.#status(g) === STATUS.revoked) continue;
      const x = this.#asset(g);
      const given = x >= 0 ? [x] : this.#allAssets(g) ? (this.#assetsOf.get(this.#acc(g)) ?? []) : [];
      for (const y of given) if (!shared.has(y)) shared.set(y, counts());
    }
    const byName = (names: string[]) => (x: number, y: number) => collator.compare(names[x]!, names[y]!);
    const sharedIds = [...shared.keys()].sort(
      (x, y) =>
        collator.compare(
          this.accounts.names[this.#assetAccount[x]!]!,
          this.accounts.names[this.#assetAccount[y]!]!,
        ) || collator.compare(this.assets.names[x]!, this.assets.names[y]!),
    );
    const link = (g: number): PartnerLink => {
      const x = this.#asset(g);
      const acc = this.#acc(g);
      const holder = x >= 0 ? this.#assetAccount[x]! : acc;
      const partner = this.#subj(g);
      return {
        grantId: this.#grantId(g),
        partner: { id: this.accounts.ids[partner]!, name: this.accounts.names[partner]! },
        account: { id: this.accounts.ids[holder]!, name: this.accounts.names[holder]! },
        asset: x >= 0 ? { id: this.assets.ids[x]!, name: this.assets.names[x]! } : null,
        role: this.#roleOf(g),
        status: STATUS_NAMES[this.#status(g)]!,
      };
    };
    const links = (list: number[], key: (l: PartnerLink) => string) => ({
      total: list.length,
      items: list
        .map(link)
        .sort(
          (x, y) =>
            collator.compare(key(x), key(y)) ||
            collator.compare(x.asset?.name ?? "", y.asset?.name ?? "") ||
            (x.grantId < y.grantId ? -1 : x.grantId > y.grantId ? 1 : 0),
        )
        .slice(0, limit),
    });
    const roleCounts = (map: Map<number, StatusCounts>): RoleCount[] =>
      [...map].map(([r, c]) => ({ role: this.#roles.ids[r]!, ...c }));
    return {
      grants: status,
      people: people.size,
      accountRoles: roleCounts(accountRoles),
      sharedRoles: roleCounts(sharedRoles),
      assets: {
        total: held.length,
        items: held
          .sort(byName(this.assets.names))
          .slice(0, limit)
          .map((x) => {
            const c = counts();
            const roles = new Map<number, StatusCounts>();
            for (const i of this.#byAsset.get(x) ?? []) {
              count(i, c);
              byRole(roles, i);
            }
            return {
              id: this.assets.ids[x]!,
              name: this.assets.names[x]!,
              grants: c,
              roles: roleCounts(roles),
            };
          }),
      },
      sharedAssets: {
        total: sharedIds.length,
        items: sharedIds.slice(0, limit).map((x) => {
          const h = this.#assetAccount[x]!;
          return {
            id: this.assets.ids[x]!,
            name: this.assets.names[x]!,
            holder: { id: this.accounts.ids[h]!, name: this.accounts.names[h]! },
            grants: shared.get(x)!,
          };
        }),
      },
      partners: links(partners, (l) => l.partner.name),
      partnerOf: links(partnerOf, (l) => l.account.name),
    };
  }

  /**
   * Everyone who can reach an account or an asset on `asOf`, each with the role that applies
   * and the path. Partner chains are followed (an agency of an agency) and never loop.
   */
  whoCanReach(target: { accountId: string } | { assetId: string }, asOf: string): ReachAnswer[] {
    const day = queryDay(asOf);
    const out: ReachAnswer[] = [];
    if ("assetId" in target) {
      const x = this.assets.get(target.assetId);
      const holder = x < 0 ? -1 : this.#assetAccount[x]!;
      if (holder < 0) return out;
      this.#onPath[holder] = 1;
      try {
        this.#whoAsset(x, holder, day, out);
      } finally {
        this.#onPath[holder] = 0;
      }
      return out;
    }
    const a = this.accounts.get(target.accountId);
    if (a < 0) return out;
    const aNode = this.#accountNode(a);
    const list = this.#byAccount.get(a);
    if (!list) return out;
    this.#onPath[a] = 1;
    try {
      for (let k = 0; k < list.length; k++) {
        const i = list[k]!;
        if (!this.#live(i, day)) continue;
        this.#expandSubject(i, [this.#edge(i, this.#subjectNode(i, day), aNode)], this.#roleOf(i), day, out);
      }
    } finally {
      this.#onPath[a] = 0;
    }
    return out;
  }

  #whoAsset(x: number, holder: number, day: number, out: ReachAnswer[]): void {
    const xNode = this.#assetNode(x);
    // The edge by which each partner account holds the asset (null: it does not), found once per
    // partner per query: a partner's account may hold hundreds of assignments to the same asset.
    let shares: Map<number, PathEdge | null> | null = null;
    const onAsset = this.#byAsset.get(x);
    if (onAsset)
      for (let k = 0; k < onAsset.length; k++) {
        const i = onAsset[k]!;
        if (!this.#live(i, day)) continue;
        const acc = this.#acc(i);
        if (acc === holder) {
          this.#expandSubject(
            i,
            [this.#edge(i, this.#subjectNode(i, day), xNode)],
            this.#roleOf(i),
            day,
            out,
          );
          continue;
        }
        shares ??= new Map();
        let share = shares.get(acc);
        if (share === undefined) {
          const via = this.#shareOf(acc, x, holder, day);
          share = via < 0 ? null : this.#edge(via, this.#accountNode(acc), xNode);
          shares.set(acc, share);
        }
        if (share === null) continue;
        // An assignment inside a partner's account: subject → partner account → asset, with the
        // role the partner holds (every answer through this partner shares its last edge).
        const path = [this.#edge(i, this.#subjectNode(i, day), share.from), share];
        this.#onPath[acc] = 1;
        try {
          this.#expandSubject(i, path, share.role!, day, out);
        } finally {
          this.#onPath[acc] = 0;
        }
      }
    const full = this.#fullOn.get(holder);
    if (!full) return;
    const hNode = this.#accountNode(holder);
    const includes: PathEdge = { kind: "includes", from: hNode, to: xNode, role: null, grantId: null };
    for (const i of full) {
      if (!this.#live(i, day)) continue;
      const path = [this.#edge(i, this.#subjectNode(i, day), hNode), includes];
      this.#expandSubject(i, path, this.#roleOf(i), day, out);
    }
  }

  /**
   * The live grant by which a partner account holds an asset: a share of the asset itself, else
   * the whole account that holds it with a role that reaches every asset (a narrower account
   * role shares no assets). -1 if none. Looks only at the grants sharing this asset or account.
   */
  #shareOf(partner: number, asset: number, holder: number, day: number): number {
    const onAsset = this.#sharesOfAsset.get(asset);
    if (onAsset) for (const g of onAsset) if (this.#subj(g) === partner && this.#live(g, day)) return g;
    const onAccount = holder < 0 ? undefined : this.#sharesOfAccount.get(holder);
    if (onAccount)
      for (const g of onAccount)
        if (this.#subj(g) === partner && this.#allAssets(g) && this.#live(g, day)) return g;
    return -1;
  }

  /**
   * Turn a grant's subject (the `from` of the path's first edge) into answers: a person answers
   * directly; a shared login answers with each person who knows it; a partner account answers
   * with whoever reaches all of it.
   */
  #expandSubject(i: number, path: PathEdge[], role: string, day: number, out: ReachAnswer[]): void {
    const t = this.#flags(i) & SUBJECT_MASK;
    const from = path[0]!.from;
    if (t === SUBJECT.shared_login) {
      out.push({ node: from, role, path, departed: false });
      for (const p of this.#knowers[this.#subj(i)]!) {
        const pNode = this.#personNode(p, day);
        const knows: PathEdge = { kind: "knows", from: pNode, to: from, role: null, grantId: null };
        out.push({
          node: pNode,
          role,
          path: [knows, ...path],
          departed: pNode.type === "person" && pNode.departed,
        });
      }
      return;
    }
    if (t === SUBJECT.partner) {
      // Whoever reaches all of a partner account reaches what it was given.
      const partner = this.#subj(i);
      if (this.#onPath[partner] === 1) return;
      out.push({ node: from, role, path, departed: false });
      const full = this.#fullOn.get(partner);
      if (!full) return;
      this.#onPath[partner] = 1;
      try {
        for (const g of full) {
          if (!this.#live(g, day)) continue;
          this.#expandSubject(g, [this.#edge(g, this.#subjectNode(g, day), from), ...path], role, day, out);
        }
      } finally {
        this.#onPath[partner] = 0;
      }
      return;
    }
    out.push({ node: from, role, path, departed: from.type === "person" && from.departed });
  }

  /** Everything a person can reach on `asOf`, each with the role that applies and the path. */
  reach(personId: string, asOf: string): ReachAnswer[] {
    const day = queryDay(asOf);
    const p = this.people.get(personId);
    const out: ReachAnswer[] = [];
    if (p < 0) return out;
    const me = this.#personNode(p, day);
    const departed = me.type === "person" && me.departed;
    const own = this.#byPerson.get(p);
    if (own)
      for (let k = 0; k < own.length; k++) {
        const i = own[k]!;
        if (this.#live(i, day)) this.#expandTarget(i, [], me, day, out, departed);
      }
    for (const l of this.#loginsOf.get(p) ?? []) {
      const viaLogin = this.#byLogin.get(l);
      if (!viaLogin) continue;
      const lNode = this.#loginNode(l);
      const knows: PathEdge[] = [{ kind: "knows", from: me, to: lNode, role: null, grantId: null }];
      for (let k = 0; k < viaLogin.length; k++) {
        const i = viaLogin[k]!;
        if (this.#live(i, day)) this.#expandTarget(i, knows, lNode, day, out, departed);
      }
    }
    return out;
  }

  /** Follow a grant to its target, then to what that target opens: assets, partner shares. */
  #expandTarget(
    i: number,
    prefix: PathEdge[],
    from: NodeRef,
    day: number,
    out: ReachAnswer[],
    departed: boolean,
  ): void {
    const acc = this.#acc(i);
    const asset = this.#asset(i);
    if (asset >= 0) {
      const holder = this.#assetAccount[asset]!;
      if (holder === acc) {
        const xNode = this.#assetNode(asset);
        out.push({
          node: xNode,
          role: this.#roleOf(i),
          path: [...prefix, this.#edge(i, from, xNode)],
          departed,
        });
        return;
      }
      // Assigned inside a partner's account: it counts while the partner holds the asset.
      const via = this.#shareOf(acc, asset, holder, day);
      if (via < 0) return;
      const xNode = this.#assetNode(asset);
      const pNode = this.#accountNode(acc);
      out.push({
        node: xNode,
        role: this.#roleOf(via),
        path: [...prefix, this.#edge(i, from, pNode), this.#edge(via, pNode, xNode)],
        departed,
      });
      return;
    }
    const aNode = this.#accountNode(acc);
    const role = this.#roleOf(i);
    const path = [...prefix, this.#edge(i, from, aNode)];
    out.push({ node: aNode, role, path, departed });
    if (!this.#allAssets(i) || this.#onPath[acc] === 1) return;
    this.#onPath[acc] = 1;
    try {
      const held = this.#assetsOf.get(acc);
      if (held)
        for (let k = 0; k < held.length; k++) {
          const xNode = this.#assetNode(held[k]!);
          const includes: PathEdge = { kind: "includes", from: aNode, to: xNode, role: null, grantId: null };
          out.push({ node: xNode, role, path: [...path, includes], departed });
        }
      // What this account was given as a partner, it passes on to those who reach all of it.
      const given = this.#byPartner.get(acc);
      if (given)
        for (let k = 0; k < given.length; k++) {
          const g = given[k]!;
          if (this.#live(g, day)) this.#expandTarget(g, path, aNode, day, out, departed);
        }
    } finally {
      this.#onPath[acc] = 0;
    }
  }
}
