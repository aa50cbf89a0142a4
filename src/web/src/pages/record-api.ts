import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { GRANT_BATCH_ENTITY } from "../../../core/history/refs.ts";
import type {
  AccountView,
  AssetView,
  GrantView,
  OrganizationView,
  PersonView,
  SharedLoginView,
} from "../../../core/record/schemas.ts";
import { api } from "../api.ts";

export type { AccountView, AssetView, GrantView, OrganizationView, PersonView, SharedLoginView };

export interface HistoryEvent {
  seq: number;
  id: string;
  at: string;
  actorLabel: string;
  entityType: string;
  entityId: string;
  action: string;
  /** What changed, in a few words (the account and person pages' timelines). */
  summary?: string | null;
}

/**
 * What an event did, in words ("change role grant"), and the few words of detail shown after it
 * (its summary). A batch of grants created by one import reads "imported 240 grants on Client BC",
 * its summary being part of the words.
 */
export function eventWords(e: Pick<HistoryEvent, "action" | "entityType" | "summary">): {
  words: string;
  detail: string | null;
} {
  if (e.entityType === GRANT_BATCH_ENTITY)
    return { words: `imported ${e.summary ?? "grants"}`, detail: null };
  return {
    words: `${e.action.replaceAll("-", " ")} ${e.entityType.replace("_", " ")}`,
    detail: e.summary ?? null,
  };
}

/** The workspace's record, fetched once per screen and shared through the query cache. */
export function useRecord(workspaceId: string | undefined) {
  const enabled = !!workspaceId;
  const base = `/workspaces/${workspaceId}`;
  const organizations = useQuery({
    queryKey: ["organizations", workspaceId],
    queryFn: () => api<{ organizations: OrganizationView[] }>(`${base}/organizations`),
    enabled,
  });
  const people = useQuery({
    queryKey: ["people", workspaceId],
    queryFn: () => api<{ people: PersonView[] }>(`${base}/people`),
    enabled,
  });
  const accounts = useQuery({
    queryKey: ["accounts", workspaceId],
    queryFn: () => api<{ accounts: AccountView[] }>(`${base}/accounts`),
    enabled,
  });
  const assets = useQuery({
    queryKey: ["assets", workspaceId],
    queryFn: () => api<{ assets: AssetView[] }>(`${base}/assets`),
    enabled,
  });
  const grants = useQuery({
    queryKey: ["grants", workspaceId],
    queryFn: () => api<{ grants: GrantView[] }>(`${base}/grants`),
    enabled,
  });
  const sharedLogins = useQuery({
    queryKey: ["shared-logins", workspaceId],
    queryFn: () => api<{ sharedLogins: SharedLoginView[] }>(`${base}/shared-logins`),
    enabled,
  });
  const all = [organizations, people, accounts, assets, grants, sharedLogins];
  return {
    pending: all.some((q) => q.isPending),
    error: all.find((q) => q.error)?.error ?? null,
    organizations: organizations.data?.organizations ?? [],
    people: people.data?.people ?? [],
    accounts: accounts.data?.accounts ?? [],
    assets: assets.data?.assets ?? [],
    grants: grants.data?.grants ?? [],
    sharedLogins: sharedLogins.data?.sharedLogins ?? [],
  };
}

export type RecordData = ReturnType<typeof useRecord>;

export function useHistory(workspaceId: string, ids: string[]) {
  return useQuery({
    queryKey: ["history", workspaceId, ids.join(",")],
    queryFn: () =>
      api<{ events: HistoryEvent[] }>(
        `/workspaces/${workspaceId}/history?entityId=${encodeURIComponent(ids.join(","))}`,
      ),
    enabled: ids.length > 0,
  });
}

// ── the account and person pages: one bounded request each, long lists a page at a time ─────

export interface StatusCounts {
  pending: number;
  active: number;
  revoked: number;
}
interface Ref {
  id: string;
  name: string;
}

/** A grant with its subject and target in words, resolved by the server. */
export interface PageGrant extends GrantView {
  subjectLabel: string;
  subjectEmail: string | null;
  subjectDeparted: boolean;
  accountName: string;
  asset: (Ref & { type: string; holder: Ref }) | null;
}

export interface GrantGroup {
  role: string;
  admin: boolean;
  total: number;
  counts: StatusCounts;
  grants: PageGrant[];
  nextCursor: string | null;
}

export interface PartnerLink {
  grantId: string;
  partner: Ref;
  account: Ref;
  asset: Ref | null;
  role: string;
  status: GrantView["status"];
}

export interface TimelinePage {
  events: HistoryEvent[];
  nextBefore: number | null;
}

export interface AccountPageData {
  asOf: string;
  account: AccountView;
  organization: Ref & { kind: string };
  owner: (Ref & { status: "active" | "departed" }) | null;
  backupOwner: (Ref & { status: "active" | "departed" }) | null;
  review: {
    cadenceDays: number | null;
    lastReviewedOn: string | null;
    dueOn: string | null;
    overdue: boolean;
    openReviewId: string | null;
  };
  counts: {
    grants: StatusCounts;
    people: number;
    partners: number;
    partnerOf: number;
    assets: number;
    sharedAssets: number;
  };
  grants: GrantGroup[];
  shared: GrantGroup[];
  assets: {
    total: number;
    items: (Ref & {
      type: string;
      platformId: string | null;
      grants: StatusCounts;
      roles: { role: string; total: number }[];
    })[];
  };
  sharedAssets: { total: number; items: (Ref & { type: string; holder: Ref; grants: StatusCounts })[] };
  partners: { total: number; items: PartnerLink[] };
  partnerOf: { total: number; items: PartnerLink[] };
  findings: {
    total: number;
    counts: Record<string, number>;
    items: {
      key: string;
      rule: string;
      severity: string;
      assetId: string | null;
      subject: { type: string; id: string; name: string; email: string | null } | null;
      message: string;
      guide: string | null;
    }[];
  };
  timeline: TimelinePage;
}

export interface PersonPageData {
  asOf: string;
  person: PersonView;
  organization: (Ref & { kind: string }) | null;
  counts: { grants: StatusCounts };
  grants: { total: number; grants: PageGrant[]; nextCursor: string | null };
  sharedLogins: { id: string; label: string }[];
  owns: (Ref & { platform: string; as: "owner" | "backup owner" })[];
  timeline: TimelinePage;
}

/** Everything the account page shows, computed on the server (grants bounded per role). */
export function useAccountPage(workspaceId: string | undefined, accountId: string) {
  return useQuery({
    queryKey: ["account-page", workspaceId, accountId],
    queryFn: () => api<AccountPageData>(`/workspaces/${workspaceId}/accounts/${accountId}/page`),
    enabled: !!workspaceId,
  });
}

export function usePersonPage(workspaceId: string | undefined, personId: string) {
  return useQuery({
    queryKey: ["person-page", workspaceId, personId],
    queryFn: () => api<PersonPageData>(`/workspaces/${workspaceId}/people/${personId}/page`),
    enabled: !!workspaceId,
  });
}

/** Where a list of grants comes from: a role group of an account, one asset's grants, a person's. */
export type GrantSource =
  | { on: "account" | "shared"; accountId: string; role: string }
  | { on: "asset"; accountId: string; assetId: string; role: string }
  | { on: "person"; personId: string };

function grantsPath(workspaceId: string, s: GrantSource, cursor: string | null): string {
  const q = new URLSearchParams({ limit: "50" });
  if (cursor) q.set("cursor", cursor);
  if (s.on === "person") return `/workspaces/${workspaceId}/people/${s.personId}/grants?${q}`;
  q.set("on", s.on);
  q.set("role", s.role);
  if (s.on === "asset") q.set("assetId", s.assetId);
  return `/workspaces/${workspaceId}/accounts/${s.accountId}/grants?${q}`;
}

/**
 * The pages of a grant list after the first: from `start` (the first page's nextCursor) on, fetched
 * only once `enabled` (the person asked for more). With no first page (`start` undefined), from the top.
 */
export function useMoreGrants(
  workspaceId: string,
  source: GrantSource,
  start: string | null | undefined,
  enabled: boolean,
) {
  return useInfiniteQuery({
    queryKey: ["grant-pages", workspaceId, source, start ?? ""],
    queryFn: ({ pageParam }) =>
      api<{ grants: PageGrant[]; nextCursor: string | null }>(grantsPath(workspaceId, source, pageParam)),
    initialPageParam: start ?? null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: enabled && start !== null,
  });
}

/** Older events of an account's or a person's timeline, from `before` on. */
export function useOlderEvents(
  workspaceId: string,
  of: { accountId: string } | { personId: string },
  before: number | null,
  enabled: boolean,
) {
  const path = "accountId" in of ? `accounts/${of.accountId}` : `people/${of.personId}`;
  return useInfiniteQuery({
    queryKey: ["history-pages", workspaceId, path, before ?? 0],
    queryFn: ({ pageParam }) =>
      api<TimelinePage>(`/workspaces/${workspaceId}/${path}/history?limit=20&before=${pageParam}`),
    initialPageParam: before ?? 0,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    enabled: enabled && before !== null,
  });
}

/** Lists the forms on a page choose from: bounded by people and accounts, never by grants. */
export function useList<K extends "people" | "organizations" | "accounts" | "sharedLogins">(
  workspaceId: string,
  kind: K,
  enabled = true,
) {
  const path = kind === "sharedLogins" ? "shared-logins" : kind;
  const key = kind === "sharedLogins" ? "shared-logins" : kind;
  return useQuery({
    queryKey: [key, workspaceId],
    queryFn: () => api<Record<K, ListItem[K][]>>(`/workspaces/${workspaceId}/${path}`),
    enabled,
    select: (d) => d[kind],
  });
}
interface ListItem {
  people: PersonView;
  organizations: OrganizationView;
  accounts: AccountView;
  sharedLogins: SharedLoginView;
}
