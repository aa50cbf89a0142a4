import { useQuery } from "@tanstack/react-query";
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

/** Who a grant is held by, in words. */
export function subjectLabel(r: RecordData, g: GrantView): string {
  const s = g.subject;
  if (s.type === "person") return r.people.find((p) => p.id === s.personId)?.name ?? "Unknown person";
  if (s.type === "partner")
    return `${r.accounts.find((a) => a.id === s.accountId)?.name ?? "Unknown account"} (partner)`;
  if (s.type === "shared_login")
    return `${r.sharedLogins.find((l) => l.id === s.sharedLoginId)?.label ?? "Shared login"} (shared login)`;
  return `${s.name} (system user)`;
}
