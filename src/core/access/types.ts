/** What the access engine knows of the Record: just enough to follow paths. */
export interface IndexPerson {
  id: string;
  name: string;
  status: "active" | "departed";
  leftOn: string | null;
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

export interface IndexSnapshot {
  people: IndexPerson[];
  accounts: IndexAccount[];
  assets: IndexAsset[];
  sharedLogins: IndexSharedLogin[];
  grants: IndexGrant[];
}

/** A snapshot whose grants are consumed once, as they are read from the store. */
export interface StreamedSnapshot extends Omit<IndexSnapshot, "grants"> {
  grants: Iterable<IndexGrant>;
  grantCount: number;
}
