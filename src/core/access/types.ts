/** What the access engine knows of the Record: just enough to follow paths. */
export interface IndexPerson {
  id: string;
  name: string;
  status: "active" | "departed";
  leftOn: string | null;
  /** Their organization, for the findings' count of outside people on an account (none: left out). */
  organizationId?: string | null;
}
export interface IndexAccount {
  id: string;
  name: string;
  platform: string;
}
export interface IndexAsset {
  id: string;
  name: string;
  accountId: string;
}
export interface IndexSharedLogin {
  id: string;
  label: string;
  knownByPersonIds: string[];
}
export type IndexSubject =
  | { type: "person"; personId: string }
  | { type: "partner"; accountId: string }
  | { type: "system_user"; name: string }
  | { type: "shared_login"; sharedLoginId: string };
export interface IndexGrant {
  id: string;
  subject: IndexSubject;
  target: { accountId: string; assetId: string | null };
  role: string;
  status: "pending" | "active" | "revoked";
  expiresOn: string | null;
}

/** A node on an access path. */
export type NodeRef =
  | { type: "person"; id: string; name: string; departed: boolean }
  | { type: "account"; id: string; name: string }
  | { type: "asset"; id: string; name: string }
  | { type: "shared_login"; id: string; name: string }
  | { type: "system_user"; id: string; name: string };

/**
 * One hop: `grant` — from holds role on to; `includes` — an account role that reaches every
 * asset of the account; `knows` — a person knows a shared login.
 */
export interface PathEdge {
  kind: "grant" | "includes" | "knows";
  from: NodeRef;
  to: NodeRef;
  role: string | null;
  grantId: string | null;
}

export interface ReachAnswer {
  /** Who (for who-can-reach) or what (for reach). */
  node: NodeRef;
  /** The role that applies at the end of the path. */
  role: string;
  path: PathEdge[];
  /** The person at the start of the path is departed: access that should not exist. */
  departed: boolean;
}

/** How the engine asks the catalog about roles. */
export interface RolePolicy {
  /** An account-level role that reaches every asset held in (or shared with) the account. */
  reachesAllAssets(platform: string, role: string): boolean;
}

export type IndexChange =
  | { kind: "person"; value: IndexPerson }
  | { kind: "account"; value: IndexAccount }
  | { kind: "asset"; value: IndexAsset }
  | { kind: "shared_login"; value: IndexSharedLogin }
  | { kind: "grant"; value: IndexGrant }
  | { kind: "remove-grant"; id: string };

export interface IndexSnapshotEntities {
  people: IndexPerson[];
  accounts: IndexAccount[];
  assets: IndexAsset[];
  sharedLogins: IndexSharedLogin[];
}

export interface IndexSnapshot extends IndexSnapshotEntities {
  grants: IndexGrant[];
}

/**
 * A batch of grants encoded as numbers, so a bulk load makes no object per grant (a store can
 * read and encode them on other threads). Entities are named by their position in the
 * dictionaries of the batch's stream; each batch lists only the entries new since the previous
 * batch of the same stream.
 */
export interface EncodedGrants {
  stream: number;
  count: number;
  /** 16 bytes per grant: its ID's UUID bytes. */
  ids: Uint8Array;
  /**
   * 7 int32 per grant: subject type (SUBJECT), subject (position in the dictionary of its type),
   * target account, target asset (-1: the account itself), role, status (STATUS), expiry as
   * `expiryValue` gives it.
   */
  fields: Int32Array;
  people: string[];
  accounts: string[];
  assets: string[];
  logins: string[];
  roles: string[];
  /** Grant ID and name, in turn, of each system user (one per grant). */
  systemUsers: string[];
}

/** A snapshot whose grants are consumed once, as they are read from the store. */
export interface StreamedSnapshot extends Omit<IndexSnapshot, "grants"> {
  grants: Iterable<IndexGrant>;
  grantCount: number;
}

/** Grants counted by status. */
export interface StatusCounts {
  pending: number;
  active: number;
  revoked: number;
}

/** How many grants hold one role (in one part of an account), by status. */
export interface RoleCount extends StatusCounts {
  role: string;
}

/** One partner connection: a grant whose subject is an account. */
export interface PartnerLink {
  grantId: string;
  /** The partner (the grant's subject). */
  partner: { id: string; name: string };
  /** What it was given: an account, or an asset and the account holding it. */
  account: { id: string; name: string };
  asset: { id: string; name: string } | null;
  role: string;
  status: "pending" | "active" | "revoked";
}

/**
 * The shape of one account's access, counted in the index: what the account page shows beside
 * the grants themselves. Lists are cut at the limit asked for; their totals are not.
 */
export interface AccountOverview {
  /** Grants recorded in the account: on it, or on an asset (held here or shared with it). */
  grants: StatusCounts;
  /** People holding a grant recorded in the account that is not revoked. */
  people: number;
  /** Account-level grants, by role. */
  accountRoles: RoleCount[];
  /** Grants recorded in the account on assets another account holds (shared with it), by role. */
  sharedRoles: RoleCount[];
  /** Assets held in the account, with the grants on each (recorded here or in a partner). */
  assets: { total: number; items: { id: string; name: string; grants: StatusCounts; roles: RoleCount[] }[] };
  /**
   * Assets another account holds that were shared with this one or have grants recorded here,
   * with those grants (the assignments made inside this account).
   */
  sharedAssets: {
    total: number;
    items: { id: string; name: string; holder: { id: string; name: string }; grants: StatusCounts }[];
  };
  /** Partner accounts connected to this account or its assets. */
  partners: { total: number; items: PartnerLink[] };
  /** Accounts (or their assets) this account is a partner of. */
  partnerOf: { total: number; items: PartnerLink[] };
}
