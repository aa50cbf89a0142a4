import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { ApiError, api, atLeast, type Workspace } from "../api.ts";
import { AppShell } from "../components/shell.tsx";
import { Alert, Button, Card, Loading, PageTitle } from "../components/ui.tsx";
import { useWorkspace } from "./workspace-pages.tsx";

interface Notice {
  id: string;
  topic: "requests" | "plans" | "reviews" | "access";
  title: string;
  body: string;
  link: string;
  createdAt: string;
  readAt: string | null;
}
interface Settings {
  email: boolean;
  mutedTopics: Notice["topic"][];
}
interface Feed {
  active: boolean;
  createdAt: string | null;
  lastUsedAt: string | null;
  url?: string;
}

const TOPICS: Record<Notice["topic"], string> = {
  requests: "Access requests: reminders, expiring invitations",
  plans: "Change plans: tasks due, re-checks",
  reviews: "Access reviews coming due",
  access: "Access that runs out",
};

export const useInbox = (workspaceId: string) =>
  useQuery({
    queryKey: ["notifications", workspaceId],
    queryFn: () =>
      api<{ unread: number; notifications: Notice[] }>(`/workspaces/${workspaceId}/notifications`),
    refetchInterval: 60_000,
  });

export function InboxPage() {
  const { workspace, element } = useWorkspace();
  if (!workspace) return element!;
  return (
    <AppShell workspace={workspace}>
      <PageTitle sub="Reminders and due dates from your requests and plans.">Notifications</PageTitle>
      <div className="flex flex-col gap-4">
        <Inbox ws={workspace} />
        <SettingsCard ws={workspace} />
        <FeedCard ws={workspace} />
      </div>
    </AppShell>
  );
}

function Inbox({ ws }: { ws: Workspace }) {
  const qc = useQueryClient();
  const q = useInbox(ws.id);
  if (q.isPending) return <Loading />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const readAll = async () => {
    await api(`/workspaces/${ws.id}/notifications/read`, { body: { all: true } });
    await qc.invalidateQueries({ queryKey: ["notifications", ws.id] });
  };
  const open = async (n: Notice) => {
    if (!n.readAt) await api(`/workspaces/${ws.id}/notifications/read`, { body: { ids: [n.id] } });
    await qc.invalidateQueries({ queryKey: ["notifications", ws.id] });
  };
  const { notifications, unread } = q.data;
  return (
    <Card title={unread ? `Inbox (${unread} unread)` : "Inbox"}>
      {notifications.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">
          Nothing yet. Reminders for your requests and plans arrive here.
        </p>
      ) : (
        <>
          {unread > 0 && (
            <Button variant="secondary" className="mb-3" onClick={() => void readAll()}>
              Mark all read
            </Button>
          )}
          <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Notifications">
            {notifications.map((n) => (
              <li key={n.id} className="py-3">
                <a
                  href={n.link}
                  onClick={() => void open(n)}
                  className="flex flex-col gap-1 rounded-lg hover:bg-slate-100 dark:hover:bg-slate-800"
                >
                  <span className="flex items-center gap-2 font-semibold">
                    {!n.readAt && (
                      <span
                        className="h-2.5 w-2.5 rounded-full bg-brand-700"
                        aria-label="unread"
                        role="img"
                      />
                    )}
                    {n.title}
                  </span>
                  <span className="text-sm whitespace-pre-line text-slate-700 dark:text-slate-300">
                    {n.body}
                  </span>
                  <time dateTime={n.createdAt} className="text-xs text-slate-600 dark:text-slate-400">
                    {new Date(n.createdAt).toLocaleString()}
                  </time>
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

function SettingsCard({ ws }: { ws: Workspace }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["notification-settings", ws.id],
    queryFn: () => api<Settings>(`/workspaces/${ws.id}/notification-settings`),
  });
  const [saved, setSaved] = useState(false);
  if (q.isPending) return <Loading />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const s = q.data;
  const save = async (next: Settings) => {
    await api(`/workspaces/${ws.id}/notification-settings`, { method: "PUT", body: next });
    await qc.invalidateQueries({ queryKey: ["notification-settings", ws.id] });
    setSaved(true);
  };
  return (
    <Card title="What you receive">
      <fieldset className="flex flex-col gap-2">
        <legend className="sr-only">Topics</legend>
        {(Object.keys(TOPICS) as Notice["topic"][]).map((t) => (
          <label key={t} className="flex min-h-11 items-center gap-3">
            <input
              type="checkbox"
              className="h-5 w-5"
              checked={!s.mutedTopics.includes(t)}
              onChange={(e) =>
                void save({
                  ...s,
                  mutedTopics: e.target.checked
                    ? s.mutedTopics.filter((x) => x !== t)
                    : [...s.mutedTopics, t],
                })
              }
            />
            {TOPICS[t]}
          </label>
        ))}
        <label className="mt-2 flex min-h-11 items-center gap-3 font-medium">
          <input
            type="checkbox"
            className="h-5 w-5"
            checked={s.email}
            onChange={(e) => void save({ ...s, email: e.target.checked })}
          />
          Also send them to me by email
        </label>
      </fieldset>
      <p role="status" className="text-sm text-slate-600 dark:text-slate-400">
        {saved ? "Saved." : ""}
      </p>
    </Card>
  );
}

function FeedCard({ ws }: { ws: Workspace }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["calendar-feed", ws.id],
    queryFn: () => api<Feed>(`/workspaces/${ws.id}/calendar-feed`),
  });
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (q.isPending) return <Loading />;
  const make = async () => {
    try {
      const f = await api<Feed>(`/workspaces/${ws.id}/calendar-feed`, { method: "POST" });
      setUrl(f.url ?? null);
      await qc.invalidateQueries({ queryKey: ["calendar-feed", ws.id] });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const revoke = async () => {
    await api(`/workspaces/${ws.id}/calendar-feed`, { method: "DELETE" });
    setUrl(null);
    await qc.invalidateQueries({ queryKey: ["calendar-feed", ws.id] });
  };
  return (
    <Card title="Your calendar">
      <p className="text-slate-700 dark:text-slate-300">
        Due dates of requests, plans and tasks, access reviews and access that runs out, in your own calendar
        app. The address is secret: anyone who has it can read these dates.
      </p>
      {error && <Alert>{error}</Alert>}
      {url && (
        <div className="mt-3 flex flex-col gap-2">
          <label className="text-sm font-medium" htmlFor="feed-url">
            Subscribe to this address (shown once)
          </label>
          <input
            id="feed-url"
            readOnly
            value={url}
            onFocus={(e) => e.currentTarget.select()}
            className="min-h-11 rounded-lg border border-slate-300 bg-slate-50 px-3 font-mono text-sm dark:border-slate-600 dark:bg-slate-800"
          />
          <Button variant="secondary" onClick={() => void navigator.clipboard.writeText(url)}>
            Copy the address
          </Button>
        </div>
      )}
      <div className="mt-3 flex flex-wrap gap-2">
        <Button onClick={() => void make()}>
          {q.data?.active ? "Make a new address" : "Make my calendar address"}
        </Button>
        {q.data?.active && (
          <Button variant="danger" onClick={() => void revoke()}>
            Stop the calendar
          </Button>
        )}
      </div>
      {q.data?.active && !url && (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          Active since {new Date(q.data.createdAt!).toLocaleDateString()}
          {q.data.lastUsedAt
            ? `, last read ${new Date(q.data.lastUsedAt).toLocaleString()}`
            : ", not read yet"}
          . A new address stops the old one.
        </p>
      )}
    </Card>
  );
}

/** On phones, the sections that do not fit the tab bar. */
export function MorePage() {
  const { workspace, element } = useWorkspace();
  if (!workspace) return element!;
  const items: { to: string; label: string; sub: string; show: boolean }[] = [
    { to: "/w/$slug/people", label: "People", sub: "Staff, contractors and contacts", show: true },
    { to: "/w/$slug/inbox", label: "Notifications", sub: "Inbox, email and your calendar", show: true },
    { to: "/w/$slug/map", label: "Access map", sub: "Who reaches what, drawn", show: true },
    {
      to: "/w/$slug/import",
      label: "Import",
      sub: "Your access spreadsheet",
      show: atLeast(workspace.role, "editor"),
    },
    { to: "/w/$slug/members", label: "Team", sub: "Who uses Delvia here", show: true },
    {
      to: "/w/$slug/settings",
      label: "Settings",
      sub: "Workspace name, export, delete",
      show: workspace.role === "owner",
    },
  ];
  return (
    <AppShell workspace={workspace}>
      <PageTitle>More</PageTitle>
      <ul className="flex flex-col gap-2">
        {items
          .filter((i) => i.show)
          .map((i) => (
            <li key={i.to}>
              <Link
                to={i.to}
                params={{ slug: workspace.slug }}
                className="flex min-h-14 flex-col justify-center rounded-xl bg-white px-4 py-2 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
              >
                <span className="font-semibold">{i.label}</span>
                <span className="text-sm text-slate-600 dark:text-slate-400">{i.sub}</span>
              </Link>
            </li>
          ))}
        <li>
          <a
            href="/guides"
            className="flex min-h-14 flex-col justify-center rounded-xl bg-white px-4 py-2 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
          >
            <span className="font-semibold">Guides</span>
            <span className="text-sm text-slate-600 dark:text-slate-400">How to do each access task</span>
          </a>
        </li>
      </ul>
    </AppShell>
  );
}
