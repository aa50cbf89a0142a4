import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api } from "../api.ts";
import { AppShell } from "../components/shell.tsx";
import { Badge, Card, Loading, PageTitle } from "../components/ui.tsx";
import { useWorkspace } from "./workspace-pages.tsx";

interface Hit {
  type: "organization" | "person" | "account" | "asset" | "shared_login";
  id: string;
  name: string;
  detail: string;
  accountId: string | null;
}

const LABEL: Record<Hit["type"], string> = {
  organization: "organization",
  person: "person",
  account: "account",
  asset: "asset",
  shared_login: "shared login",
};

/** Search everything in the record: accounts, assets, people, organizations, shared logins. */
export function SearchPage() {
  const { workspace, element } = useWorkspace();
  const [q, setQ] = useState("");
  const term = q.trim();
  const results = useQuery({
    queryKey: ["search", workspace?.id, term],
    enabled: !!workspace && term.length > 0,
    queryFn: () => api<{ hits: Hit[] }>(`/workspaces/${workspace!.id}/search?q=${encodeURIComponent(term)}`),
  });
  if (!workspace) return element!;
  return (
    <AppShell workspace={workspace}>
      <PageTitle sub="Names, emails, platform IDs and labels.">Search</PageTitle>
      <label htmlFor="record-search" className="sr-only">
        Search the record
      </label>
      <input
        id="record-search"
        type="search"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        placeholder="e.g. a Business Center ID, a name, an email"
        className="mb-4 min-h-11 w-full rounded-lg border border-slate-300 bg-white px-3 text-base dark:border-slate-600 dark:bg-slate-900"
      />
      {term && results.isPending && <Loading />}
      {term && results.data && (
        <Card>
          {results.data.hits.length === 0 ? (
            <p className="text-slate-600 dark:text-slate-400">Nothing in the record matches “{term}”.</p>
          ) : (
            <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Results">
              {results.data.hits.map((h) => (
                <li key={`${h.type}-${h.id}`} className="flex items-center justify-between gap-2 py-3">
                  <div className="min-w-0">
                    {h.type === "person" ? (
                      <Link
                        to="/w/$slug/people/$personId"
                        params={{ slug: workspace.slug, personId: h.id }}
                        className="font-semibold text-brand-700 dark:text-brand-100"
                      >
                        {h.name}
                      </Link>
                    ) : h.accountId ? (
                      <Link
                        to="/w/$slug/accounts/$accountId"
                        params={{ slug: workspace.slug, accountId: h.accountId }}
                        className="font-semibold text-brand-700 dark:text-brand-100"
                      >
                        {h.name}
                      </Link>
                    ) : (
                      <span className="font-semibold">{h.name}</span>
                    )}
                    <p className="truncate text-sm text-slate-600 dark:text-slate-400">{h.detail}</p>
                  </div>
                  <Badge>{LABEL[h.type]}</Badge>
                </li>
              ))}
            </ul>
          )}
        </Card>
      )}
    </AppShell>
  );
}
