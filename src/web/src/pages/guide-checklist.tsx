import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { api } from "../api.ts";
import { AppShell } from "../components/shell.tsx";
import { Alert, Card, Loading, PageTitle } from "../components/ui.tsx";
import { useWorkspace } from "./workspace-pages.tsx";

interface GuideJson {
  ref: string;
  kind: string;
  title: string;
  summary: string;
  actions: string[];
  steps?: {
    title: string;
    where: string;
    body: string;
    confirm?: string;
    no_confirm_reason?: string;
    if_fails?: string;
  }[];
  causes?: { cause: string; fix: string }[];
}

/** A guide followed as a checklist inside the app: ticks are saved per person and per item. */
export function GuideChecklistPage() {
  const { workspace, element } = useWorkspace();
  const { platform, guideSlug } = useParams({ strict: false }) as { platform: string; guideSlug: string };
  const { context = "" } = useSearch({ strict: false }) as { context?: string };
  const guide = useQuery({
    queryKey: ["guide", platform, guideSlug],
    queryFn: () => api<GuideJson>(`/guides/${platform}/${guideSlug}`),
  });
  const key = ["guide-progress", workspace?.id, platform, guideSlug, context];
  const progress = useQuery({
    queryKey: key,
    enabled: !!workspace,
    queryFn: () =>
      api<{ doneSteps: number[] }>(
        `/workspaces/${workspace!.id}/guide-progress/${platform}/${guideSlug}?context=${encodeURIComponent(context)}`,
      ),
  });
  // Ticks show at once; the saved copy follows in the background.
  const [local, setLocal] = useState<Set<number> | null>(null);
  if (!workspace) return element!;
  const g = guide.data;
  const items =
    g?.steps?.map((s) => ({
      title: s.title,
      detail: `${s.where}. ${s.body}`,
      check: s.confirm ? `Done when ${s.confirm}` : null,
    })) ??
    g?.causes?.map((c) => ({ title: c.cause, detail: c.fix, check: null })) ??
    [];
  const done = local ?? new Set(progress.data?.doneSteps ?? []);
  const toggle = async (i: number) => {
    const next = new Set(done);
    if (next.has(i)) next.delete(i);
    else next.add(i);
    setLocal(next);
    await api(
      `/workspaces/${workspace.id}/guide-progress/${platform}/${guideSlug}?context=${encodeURIComponent(context)}`,
      { method: "PUT", body: { doneSteps: [...next] } },
    );
  };
  return (
    <AppShell workspace={workspace}>
      {guide.isPending || progress.isPending ? (
        <Loading />
      ) : guide.error || !g ? (
        <Alert>{guide.error?.message ?? "This guide does not exist."}</Alert>
      ) : (
        <>
          <PageTitle sub={g.summary}>{g.title}</PageTitle>
          <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
            {done.size} of {items.length} done ·{" "}
            <a
              href={`/guides/${g.ref}`}
              className="font-semibold text-brand-700 underline dark:text-brand-100"
            >
              Read the full guide
            </a>
          </p>
          <ol className="flex flex-col gap-3" aria-label="Checklist">
            {items.map((it, i) => (
              <li key={it.title}>
                <Card>
                  <label className="flex cursor-pointer gap-3">
                    <input
                      type="checkbox"
                      className="mt-1 h-6 w-6 shrink-0 accent-teal-700"
                      checked={done.has(i)}
                      onChange={() => void toggle(i)}
                    />
                    <span className="flex flex-col gap-1">
                      <span className={`font-semibold ${done.has(i) ? "line-through opacity-70" : ""}`}>
                        {i + 1}. {it.title}
                      </span>
                      <span className="text-sm text-slate-700 dark:text-slate-300">{it.detail}</span>
                      {it.check && (
                        <span className="text-sm text-emerald-800 dark:text-emerald-300">{it.check}</span>
                      )}
                    </span>
                  </label>
                </Card>
              </li>
            ))}
          </ol>
          {items.length > 0 && done.size === items.length && g.actions.length > 0 && (
            <div className="mt-4">
              <Alert tone="success">
                All steps done. Now record the change so your access record stays true:{" "}
                <Link
                  to="/w/$slug/record-this"
                  params={{ slug: workspace.slug }}
                  search={{ guide: g.ref, context }}
                  className="font-semibold underline"
                >
                  Record this
                </Link>
              </Alert>
            </div>
          )}
        </>
      )}
    </AppShell>
  );
}
