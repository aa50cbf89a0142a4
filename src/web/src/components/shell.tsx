import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { api, atLeast, type Role, type Workspace } from "../api.ts";
import { useMe } from "../queries.ts";
import { ThemeToggle } from "./theme.tsx";

/** The app's sections, in one place: the phone tab bar and the desktop side bar both read it. */
export const NAV: {
  to: string;
  label: string;
  icon: string;
  needs: Role;
  phone: boolean;
  desktop: boolean;
}[] = [
  { to: "/w/$slug", label: "Home", icon: "⌂", needs: "viewer", phone: true, desktop: true },
  { to: "/w/$slug/accounts", label: "Accounts", icon: "▦", needs: "viewer", phone: true, desktop: true },
  { to: "/w/$slug/people", label: "People", icon: "◉", needs: "viewer", phone: false, desktop: true },
  { to: "/w/$slug/requests", label: "Requests", icon: "⇄", needs: "viewer", phone: true, desktop: true },
  { to: "/w/$slug/plans", label: "Plans", icon: "☑", needs: "viewer", phone: true, desktop: true },
  { to: "/w/$slug/members", label: "Team", icon: "⚑", needs: "viewer", phone: false, desktop: true },
  { to: "/w/$slug/settings", label: "Settings", icon: "⚙", needs: "owner", phone: false, desktop: true },
  { to: "/w/$slug/more", label: "More", icon: "≡", needs: "viewer", phone: true, desktop: false },
];

function WorkspaceSwitcher({ current, all }: { current: Workspace; all: Workspace[] }) {
  const navigate = useNavigate();
  return (
    <label className="flex min-w-0 items-center gap-2">
      <span className="sr-only">Workspace</span>
      <select
        value={current.slug}
        onChange={(e) => {
          if (e.target.value === "__new") void navigate({ to: "/new-workspace" });
          else void navigate({ to: "/w/$slug", params: { slug: e.target.value } });
        }}
        className="min-h-11 max-w-[12rem] truncate rounded-lg border border-slate-300 bg-white px-2 text-sm font-semibold sm:max-w-xs dark:border-slate-600 dark:bg-slate-900"
      >
        {all.map((w) => (
          <option key={w.id} value={w.slug}>
            {w.name}
          </option>
        ))}
        <option value="__new">+ New workspace</option>
      </select>
    </label>
  );
}

/** Header, navigation (bottom bar on phones, side bar from 1024px) and the page. */
export function AppShell({ workspace, children }: { workspace: Workspace; children: ReactNode }) {
  const me = useMe();
  const allowed = NAV.filter((n) => atLeast(workspace.role, n.needs));
  const items = allowed.filter((n) => n.desktop);
  const phoneItems = allowed.filter((n) => n.phone);
  const inbox = useQuery({
    queryKey: ["notifications", workspace.id],
    queryFn: () => api<{ unread: number }>(`/workspaces/${workspace.id}/notifications`),
    refetchInterval: 60_000,
  });
  const unread = inbox.data?.unread ?? 0;
  const link =
    "flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-200 dark:text-slate-200 dark:hover:bg-slate-800";
  const active =
    "bg-brand-100 font-semibold text-brand-800 shadow-[inset_3px_0_0_currentColor] dark:bg-slate-800 dark:text-brand-100";
  return (
    <div className="min-h-dvh lg:grid lg:grid-cols-[15rem_1fr]">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:p-2"
      >
        Skip to content
      </a>
      <aside className="hidden border-r border-slate-200 bg-white p-4 lg:block dark:border-slate-800 dark:bg-slate-900">
        <Link
          to="/"
          className="mb-6 flex items-center gap-2 px-3 font-bold text-brand-700 dark:text-brand-100"
        >
          <img src="/app/icon.svg" alt="" className="h-7 w-7" /> Delvia
        </Link>
        <nav aria-label="Sections">
          <ul className="flex flex-col gap-1">
            {items.map((n) => (
              <li key={n.to}>
                <Link
                  to={n.to}
                  params={{ slug: workspace.slug }}
                  className={link}
                  activeProps={{ className: active, "aria-current": "page" }}
                  activeOptions={{ exact: n.to === "/w/$slug" }}
                >
                  <span aria-hidden="true">{n.icon}</span> {n.label}
                </Link>
              </li>
            ))}
            <li>
              <a href="/guides" className={link}>
                <span aria-hidden="true">?</span> Guides
              </a>
            </li>
          </ul>
        </nav>
      </aside>
      <div className="flex min-h-dvh flex-col">
        <header className="sticky top-0 z-10 flex items-center justify-between gap-2 border-b border-slate-200 bg-white/95 px-3 py-2 backdrop-blur dark:border-slate-800 dark:bg-slate-900/95">
          <div className="flex min-w-0 items-center gap-2">
            <img src="/app/icon.svg" alt="Delvia" className="h-8 w-8 lg:hidden" />
            <WorkspaceSwitcher current={workspace} all={me.data?.workspaces ?? [workspace]} />
          </div>
          <div className="flex items-center gap-1">
            <Link
              to="/w/$slug/search"
              params={{ slug: workspace.slug }}
              className="inline-flex min-h-11 min-w-11 items-center justify-center rounded-lg text-lg hover:bg-slate-200 dark:hover:bg-slate-800"
              aria-label="Search the record"
            >
              <span aria-hidden="true">⌕</span>
            </Link>
            <Link
              to="/w/$slug/inbox"
              params={{ slug: workspace.slug }}
              className="relative inline-flex min-h-11 min-w-11 items-center justify-center rounded-lg text-lg hover:bg-slate-200 dark:hover:bg-slate-800"
              aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}
            >
              <svg
                aria-hidden="true"
                viewBox="0 0 24 24"
                className="h-5 w-5"
                fill="none"
                stroke="currentColor"
                strokeWidth="2"
                strokeLinecap="round"
                strokeLinejoin="round"
              >
                <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
                <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
              </svg>
              {unread > 0 && (
                <span
                  aria-hidden="true"
                  className="absolute top-1 right-0.5 min-w-5 rounded-full bg-red-700 px-1 text-center text-xs font-bold text-white"
                >
                  {unread > 99 ? "99+" : unread}
                </span>
              )}
            </Link>
            <ThemeToggle />
            <Link
              to="/account"
              className="inline-flex min-h-11 items-center rounded-lg px-3 text-sm font-medium hover:bg-slate-200 dark:hover:bg-slate-800"
              aria-label="Your account"
            >
              <span
                aria-hidden="true"
                className="flex h-8 w-8 items-center justify-center rounded-full bg-brand-700 font-bold text-white"
              >
                {(me.data?.user.name ?? "?").slice(0, 1).toUpperCase()}
              </span>
            </Link>
          </div>
        </header>
        <main id="main" className="mx-auto w-full max-w-4xl flex-1 px-4 pt-4 pb-24 lg:pb-10">
          {children}
        </main>
        <nav
          aria-label="Sections"
          className="safe-bottom fixed inset-x-0 bottom-0 z-10 border-t border-slate-200 bg-white lg:hidden dark:border-slate-800 dark:bg-slate-900"
        >
          <ul
            className="grid"
            style={{ gridTemplateColumns: `repeat(${phoneItems.length}, minmax(0, 1fr))` }}
          >
            {phoneItems.map((n) => (
              <li key={n.to}>
                <Link
                  to={n.to}
                  params={{ slug: workspace.slug }}
                  className="flex min-h-14 flex-col items-center justify-center gap-0.5 text-xs font-medium text-slate-600 dark:text-slate-300"
                  // A bar as well as the colour, so the current tab does not rest on colour alone.
                  activeProps={{
                    className: "text-brand-700 shadow-[inset_0_3px_0_currentColor] dark:text-brand-100",
                    "aria-current": "page",
                  }}
                  activeOptions={{ exact: n.to === "/w/$slug" }}
                >
                  <span aria-hidden="true" className="text-lg leading-none">
                    {n.icon}
                  </span>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </div>
    </div>
  );
}

/** Shown instead of a page the caller's role does not allow. */
export function NeedsRole({ needed, what }: { needed: Role; what: string }) {
  return (
    <div
      role="alert"
      className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <h1 className="text-xl font-bold">You need the {needed} role</h1>
      <p className="mt-2 text-slate-700 dark:text-slate-300">
        Only workspace {needed}s can {what}. Ask an owner of this workspace if you need it.
      </p>
    </div>
  );
}
