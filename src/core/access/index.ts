import type {
  IndexChange,
  IndexGrant,
  IndexSnapshot,
  NodeRef,
  PathEdge,
  ReachAnswer,
  RolePolicy,
  StreamedSnapshot,
} from "./types.ts";

export type * from "./types.ts";

const SUBJECT = { person: 0, partner: 1, system_user: 2, shared_login: 3 } as const;
const STATUS = { pending: 0, active: 1, revoked: 2 } as const;
const REMOVED = 255;
const NO_EXPIRY = 0x7fffffff;
/** Two hex digits for every byte value: formatting a grant ID is then 16 lookups. */
const HEX = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, "0"));

/** `YYYY-MM-DD` → days since 1970-01-01, so expiry checks compare integers. */
export function dayNumber(day: string): number {
  return Math.floor(
    Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000,
  );
}

/** Hex digit value by char code (0 for anything else). */
const NIBBLE = new Uint8Array(128);
for (let d = 0; d < 16; d++) {
  NIBBLE[d.toString(16).charCodeAt(0)] = d;
  NIBBLE[d.toString(16).toUpperCase().charCodeAt(0)] = d;
}

function uuidBytes(id: string, out: Uint8Array, at: number): void {
  let b = 0;
  for (let i = 0; i < id.length && b < 16; i++) {
    const c = id.charCodeAt(i);
    if (c === 45) continue; // "-"
    const lo = id.charCodeAt(++i);
    out[at + b++] = ((NIBBLE[c & 127]! << 4) | NIBBLE[lo & 127]!) & 255;
  }
  while (b < 16) out[at + b++] = 0;
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
 * Adjacency lists: packed Int32Arrays after a bulk load (4 bytes an entry), turned back into
 * plain arrays only for the lists a later change touches.
 */
type List = number[] | Int32Array;

function writable(lists: List[], at: number): number[] {
  while (lists.length <= at) lists.push([]);
  const list = lists[at]!;
  if (Array.isArray(list)) return list;
  const copy = Array.from(list);
  lists[at] = copy;
  return copy;
}

function push(lists: List[], at: number, value: number): void {
  writable(lists, at).push(value);
}

function drop(lists: List[], at: number, value: number): void {
  if (!lists[at]) return;
  const list = writable(lists, at);
  const i = list.indexOf(value);
  if (i >= 0) {
    list[i] = list[list.length - 1]!;
    list.pop();
  }
}

/**
 * The effective-access index of one workspace: who can reach what, and through which path.
 * Grants are stored column-wise in typed arrays (about 40 bytes each), entities are interned
 * to integers, and adjacency lists link accounts, assets, people, partners and shared logins,
 * so a query walks only the neighbourhood of its target.
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
  readonly #accountPlatform: string[] = [];
  readonly #assetAccount: number[] = [];

  #n = 0;
  /**
   * Slots [0, #sorted) hold grant IDs in ascending byte order (the store streams grants by ID,
   * and new UUIDv7s sort after older ones), so a grant is found by binary search there; the
   * slots after it (updates re-inserted, IDs out of order) are searched one by one.
   */
  #sorted = 0;
  #cap = 0;
  #ids = new Uint8Array(0);
  #subjType = new Uint8Array(0);
  #subj = new Int32Array(0);
  #acc = new Int32Array(0);
  #asset = new Int32Array(0);
  #role = new Uint16Array(0); // interned role names: a workspace has far fewer than 65,536
  #status = new Uint8Array(0);
  #expires = new Int32Array(0);
  #allAssets = new Uint8Array(0);

  readonly #byAccount: List[] = []; // account-level grants on an account
  readonly #byAsset: List[] = []; // grants on an asset (held here or assigned inside a partner)
  readonly #byPerson: List[] = [];
  readonly #byPartner: List[] = []; // grants held by an account as a partner
  readonly #byLogin: List[] = [];
  readonly #assetsOf: List[] = [];
  readonly #knowers: List[] = [];
  readonly #loginsOf: List[] = [];

  constructor(policy: RolePolicy) {
    this.#policy = policy;
  }

  get grantCount(): number {
    return this.#n;
  }

  /** Rebuild from a full snapshot (at start, or after an import). */
  load(s: IndexSnapshot | StreamedSnapshot): void {
    this.#grow("grantCount" in s ? s.grantCount : s.grants.length);
    for (const p of s.people) this.apply({ kind: "person", value: p });
    for (const a of s.accounts) this.apply({ kind: "account", value: a });
    for (const a of s.assets) this.apply({ kind: "asset", value: a });
    for (const l of s.sharedLogins) this.apply({ kind: "shared_login", value: l });
    for (const g of s.grants) this.#insert(g);
    // Lists grown by push keep spare capacity and 8-byte slots; packed copies take half or less.
    for (const lists of [
      this.#byAccount,
      this.#byAsset,
      this.#byPerson,
      this.#byPartner,
      this.#byLogin,
      this.#assetsOf,
    ]) {
      for (let i = 0; i < lists.length; i++) lists[i] = Int32Array.from(lists[i]!);
    }
  }

  /** Apply one change; the next query sees it (read-your-writes). */
  apply(change: IndexChange): void {
    switch (change.kind) {
      case "person": {
        const i = this.people.put(change.value.id, change.value.name);
        if (i >= this.#personDeparted.length) {
          const d = new Uint8Array(Math.max(16, i * 2));
          d.set(this.#personDeparted);
          this.#personDeparted = d;
          const l = new Int32Array(Math.max(16, i * 2));
          l.set(this.#personLeftOn);
          this.#personLeftOn = l;
        }
        this.#personDeparted[i] = change.value.status === "departed" ? 1 : 0;
        this.#personLeftOn[i] = change.value.leftOn ? dayNumber(change.value.leftOn) : NO_EXPIRY;
        return;
      }
      case "account": {
        const i = this.accounts.put(change.value.id, change.value.name);
        this.#accountPlatform[i] = change.value.platform;
        return;
      }
      case "asset": {
        const i = this.assets.put(change.value.id, change.value.name);
        const account = this.accounts.get(change.value.accountId);
        const before = this.#assetAccount[i];
        if (before !== undefined && before !== account) drop(this.#assetsOf, before, i);
        if (before !== account) push(this.#assetsOf, account, i);
        this.#assetAccount[i] = account;
        return;
      }
      case "shared_login": {
        const i = this.logins.put(change.value.id, change.value.label);
        for (const p of this.#knowers[i] ?? []) drop(this.#loginsOf, p, i);
        while (this.#knowers.length <= i) this.#knowers.push([]);
        this.#knowers[i] = [];
        for (const pid of change.value.knownByPersonIds) {
          const p = this.people.get(pid);
          if (p < 0) continue;
          this.#knowers[i]!.push(p);
          push(this.#loginsOf, p, i);
        }
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

  #grow(extra: number): void {
    const need = this.#n + extra;
    if (need <= this.#cap) return;
    const cap = Math.max(need, this.#cap * 2, 1024);
    const grow = <T extends Uint8Array | Uint16Array | Int32Array>(a: T, per = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * per);
      b.set(a);
      return b;
    };
    this.#ids = grow(this.#ids, 16);
    this.#subjType = grow(this.#subjType);
    this.#subj = grow(this.#subj);
    this.#acc = grow(this.#acc);
    this.#asset = grow(this.#asset);
    this.#role = grow(this.#role);
    this.#status = grow(this.#status);
    this.#expires = grow(this.#expires);
    this.#allAssets = grow(this.#allAssets);
    this.#cap = cap;
  }

  #insert(g: IndexGrant): void {
    const acc = this.accounts.get(g.target.accountId);
    if (acc < 0) return;
    this.#grow(1);
    const i = this.#n++;
    uuidBytes(g.id, this.#ids, i * 16);
    if (this.#sorted === i && (i === 0 || this.#compareSlots(i - 1, i) < 0)) this.#sorted = i + 1;
    const s = g.subject;
    const type = SUBJECT[s.type];
    const subj =
      s.type === "person"
        ? this.people.get(s.personId)
        : s.type === "partner"
          ? this.accounts.get(s.accountId)
          : s.type === "shared_login"
            ? this.logins.get(s.sharedLoginId)
            : this.#systemUsers.put(`${g.id}`, s.name);
    this.#subjType[i] = subj < 0 ? REMOVED : type;
    this.#subj[i] = subj;
    this.#acc[i] = acc;
    const asset = g.target.assetId ? this.assets.get(g.target.assetId) : -1;
    this.#asset[i] = asset;
    this.#role[i] = this.#roles.put(g.role, g.role);
    this.#status[i] = STATUS[g.status];
    this.#expires[i] = g.expiresOn ? dayNumber(g.expiresOn) : NO_EXPIRY;
    this.#allAssets[i] =
      asset < 0 && this.#policy.reachesAllAssets(this.#accountPlatform[acc] ?? "", g.role) ? 1 : 0;
    if (subj < 0) return;
    if (asset >= 0) push(this.#byAsset, asset, i);
    else push(this.#byAccount, acc, i);
    if (type === SUBJECT.person) push(this.#byPerson, subj, i);
    else if (type === SUBJECT.partner) push(this.#byPartner, subj, i);
    else if (type === SUBJECT.shared_login) push(this.#byLogin, subj, i);
  }

  /** Byte order of two slots' IDs: negative, zero or positive. */
  #compareSlots(a: number, b: number): number {
    const ids = this.#ids;
    for (let k = 0; k < 16; k++) {
      const d = ids[a * 16 + k]! - ids[b * 16 + k]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /** The live slot holding this grant ID, or -1. */
  #find(bytes: Uint8Array): number {
    const ids = this.#ids;
    const compare = (i: number) => {
      for (let k = 0; k < 16; k++) {
        const d = ids[i * 16 + k]! - bytes[k]!;
        if (d !== 0) return d;
      }
      return 0;
    };
    let lo = 0;
    let hi = this.#sorted - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const d = compare(mid);
      if (d === 0) {
        if (this.#subjType[mid] !== REMOVED) return mid;
        break;
      }
      if (d < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    // UUIDv7s share their leading time bytes: compare the random tail first.
    const matches = (i: number) => {
      for (let k = 15; k >= 0; k--) if (ids[i * 16 + k] !== bytes[k]) return false;
      return true;
    };
    for (let i = this.#sorted; i < this.#n; i++) if (this.#subjType[i] !== REMOVED && matches(i)) return i;
    return -1;
  }

  /** Find a grant by ID, and unlink it from its adjacency lists. */
  #remove(id: string): void {
    const bytes = new Uint8Array(16);
    uuidBytes(id, bytes, 0);
    const i = this.#find(bytes);
    if (i < 0) return;
    const asset = this.#asset[i]!;
    if (asset >= 0) drop(this.#byAsset, asset, i);
    else drop(this.#byAccount, this.#acc[i]!, i);
    const t = this.#subjType[i];
    if (t === SUBJECT.person) drop(this.#byPerson, this.#subj[i]!, i);
    else if (t === SUBJECT.partner) drop(this.#byPartner, this.#subj[i]!, i);
    else if (t === SUBJECT.shared_login) drop(this.#byLogin, this.#subj[i]!, i);
    this.#subjType[i] = REMOVED;
  }

  #live(i: number, day: number): boolean {
    return this.#subjType[i] !== REMOVED && this.#status[i] === STATUS.active && this.#expires[i]! >= day;
  }

  #node(kind: "person" | "account" | "asset" | "shared_login", i: number, day = 0): NodeRef {
    if (kind === "person")
      return {
        type: "person",
        id: this.people.ids[i]!,
        name: this.people.names[i]!,
        departed: this.#isDeparted(i, day),
      };
    if (kind === "account")
      return { type: "account", id: this.accounts.ids[i]!, name: this.accounts.names[i]! };
    if (kind === "asset") return { type: "asset", id: this.assets.ids[i]!, name: this.assets.names[i]! };
    return { type: "shared_login", id: this.logins.ids[i]!, name: this.logins.names[i]! };
  }

  #isDeparted(person: number, day: number): boolean {
    return this.#personDeparted[person] === 1 || this.#personLeftOn[person]! <= day;
  }

  #grantId(i: number): string {
    const b = this.#ids;
    const o = i * 16;
    const h = (k: number) => HEX[b[o + k]!]!;
    return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
  }

  #edge(i: number, from: NodeRef, to: NodeRef): PathEdge {
    return { kind: "grant", from, to, role: this.#roles.ids[this.#role[i]!]!, grantId: this.#grantId(i) };
  }

  #subjectNode(i: number, day: number): NodeRef {
    const t = this.#subjType[i];
    const s = this.#subj[i]!;
    if (t === SUBJECT.person) return this.#node("person", s, day);
    if (t === SUBJECT.partner) return this.#node("account", s);
    if (t === SUBJECT.shared_login) return this.#node("shared_login", s);
    return { type: "system_user", id: this.#systemUsers.ids[s]!, name: this.#systemUsers.names[s]! };
  }

  /**
   * Everyone who can reach an account or an asset on `asOf`, each with the role that applies
   * and the path. Partner chains are followed (an agency of an agency) and never loop.
   */
  whoCanReach(target: { accountId: string } | { assetId: string }, asOf: string): ReachAnswer[] {
    const day = dayNumber(asOf);
    const out: ReachAnswer[] = [];
    if ("assetId" in target) {
      const x = this.assets.get(target.assetId);
      if (x < 0) return out;
      const holder = this.#assetAccount[x]!;
      const xNode = this.#node("asset", x);
      // Which grant shares the asset with each partner account: looked up once per partner per
      // query (a partner's account may hold hundreds of assignments to the same asset).
      const sharedVia = new Map<number, number>();
      for (const i of this.#byAsset[x] ?? []) {
        if (!this.#live(i, day)) continue;
        const acc = this.#acc[i]!;
        if (acc === holder) {
          this.#expandSubject(
            i,
            [this.#edge(i, this.#subjectNode(i, day), xNode)],
            day,
            out,
            new Set([holder]),
          );
          continue;
        }
        let viaPartner = sharedVia.get(acc);
        if (viaPartner === undefined) {
          viaPartner = this.#partnerGrantTo(acc, x, holder, day);
          sharedVia.set(acc, viaPartner);
        }
        if (viaPartner >= 0) {
          // An assignment inside a partner's account: person → partner account → asset.
          const pNode = this.#node("account", acc);
          const path = [
            this.#edge(i, this.#subjectNode(i, day), pNode),
            this.#edge(viaPartner, pNode, xNode),
          ];
          this.#expandSubject(i, path, day, out, new Set([holder, acc]));
        }
      }
      const hNode = this.#node("account", holder);
      for (const i of this.#byAccount[holder] ?? []) {
        if (!this.#live(i, day) || this.#allAssets[i] !== 1) continue;
        const path: PathEdge[] = [
          this.#edge(i, this.#subjectNode(i, day), hNode),
          { kind: "includes", from: hNode, to: xNode, role: null, grantId: null },
        ];
        this.#expandSubject(i, path, day, out, new Set([holder]));
      }
      return out;
    }
    const a = this.accounts.get(target.accountId);
    if (a < 0) return out;
    const aNode = this.#node("account", a);
    for (const i of this.#byAccount[a] ?? []) {
      if (!this.#live(i, day)) continue;
      this.#expandSubject(i, [this.#edge(i, this.#subjectNode(i, day), aNode)], day, out, new Set([a]));
    }
    return out;
  }

  #partnerGrantTo(partner: number, asset: number, holder: number, day: number): number {
    for (const g of this.#byPartner[partner] ?? []) {
      if (!this.#live(g, day)) continue;
      // Shared with the partner: the asset itself, or the whole account that holds it with a
      // role that reaches every asset (a narrower account role shares no assets).
      if (
        this.#asset[g] === asset ||
        (this.#asset[g] === -1 && this.#acc[g] === holder && this.#allAssets[g] === 1)
      )
        return g;
    }
    return -1;
  }

  /**
   * Turn a grant's subject into answers: a person answers directly; a shared login answers with
   * each person who knows it; a partner account answers with whoever reaches all of it.
   */
  #expandSubject(i: number, path: PathEdge[], day: number, out: ReachAnswer[], seen: Set<number>): void {
    const t = this.#subjType[i];
    const role = path[path.length - 1]?.role ?? path.findLast((e) => e.role)?.role ?? "";
    const effective = path.findLast((e) => e.role !== null)?.role ?? role;
    if (t === SUBJECT.person || t === SUBJECT.system_user) {
      const node = path[0]!.from;
      out.push({ node, role: effective, path, departed: node.type === "person" && node.departed });
      return;
    }
    if (t === SUBJECT.shared_login) {
      const login = this.#subj[i]!;
      const lNode = path[0]!.from;
      out.push({ node: lNode, role: effective, path, departed: false });
      for (const p of this.#knowers[login] ?? []) {
        const pNode = this.#node("person", p, day);
        out.push({
          node: pNode,
          role: effective,
          path: [{ kind: "knows", from: pNode, to: lNode, role: null, grantId: null }, ...path],
          departed: pNode.type === "person" && pNode.departed,
        });
      }
      return;
    }
    // A partner account: whoever reaches all of it reaches what it was given.
    const partner = this.#subj[i]!;
    if (seen.has(partner)) return;
    seen.add(partner);
    const pNode = path[0]!.from;
    out.push({ node: pNode, role: effective, path, departed: false });
    for (const g of this.#byAccount[partner] ?? []) {
      if (!this.#live(g, day) || this.#allAssets[g] !== 1) continue;
      this.#expandSubject(g, [this.#edge(g, this.#subjectNode(g, day), pNode), ...path], day, out, seen);
    }
    seen.delete(partner);
  }

  /** Everything a person can reach on `asOf`, each with the role that applies and the path. */
  reach(personId: string, asOf: string): ReachAnswer[] {
    const day = dayNumber(asOf);
    const p = this.people.get(personId);
    const out: ReachAnswer[] = [];
    if (p < 0) return out;
    const me = this.#node("person", p, day);
    const departed = me.type === "person" && me.departed;
    for (const i of this.#byPerson[p] ?? []) {
      if (this.#live(i, day)) this.#expandTarget(i, [], me, day, out, new Set(), departed);
    }
    for (const l of this.#loginsOf[p] ?? []) {
      const lNode = this.#node("shared_login", l);
      const knows: PathEdge = { kind: "knows", from: me, to: lNode, role: null, grantId: null };
      for (const i of this.#byLogin[l] ?? [])
        if (this.#live(i, day)) this.#expandTarget(i, [knows], lNode, day, out, new Set(), departed);
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
    seen: Set<number>,
    departed: boolean,
  ): void {
    const acc = this.#acc[i]!;
    const asset = this.#asset[i]!;
    if (asset >= 0) {
      const holder = this.#assetAccount[asset]!;
      const xNode = this.#node("asset", asset);
      if (holder === acc) {
        out.push({
          node: xNode,
          role: this.#roles.ids[this.#role[i]!]!,
          path: [...prefix, this.#edge(i, from, xNode)],
          departed,
        });
      } else {
        const via = this.#partnerGrantTo(acc, asset, holder, day);
        if (via < 0) return;
        const pNode = this.#node("account", acc);
        out.push({
          node: xNode,
          role: this.#roles.ids[this.#role[via]!]!,
          path: [...prefix, this.#edge(i, from, pNode), this.#edge(via, pNode, xNode)],
          departed,
        });
      }
      return;
    }
    const aNode = this.#node("account", acc);
    const path = [...prefix, this.#edge(i, from, aNode)];
    out.push({ node: aNode, role: this.#roles.ids[this.#role[i]!]!, path, departed });
    if (this.#allAssets[i] !== 1 || seen.has(acc)) return;
    seen.add(acc);
    for (const x of this.#assetsOf[acc] ?? []) {
      const xNode = this.#node("asset", x);
      out.push({
        node: xNode,
        role: this.#roles.ids[this.#role[i]!]!,
        path: [...path, { kind: "includes", from: aNode, to: xNode, role: null, grantId: null }],
        departed,
      });
    }
    // What this account was given as a partner, it passes on to those who reach all of it.
    for (const g of this.#byPartner[acc] ?? [])
      if (this.#live(g, day)) this.#expandTarget(g, path, aNode, day, out, seen, departed);
    seen.delete(acc);
  }
}
