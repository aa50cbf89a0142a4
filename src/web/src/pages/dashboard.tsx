import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { getPlatform } from "../../../core/catalog/index.ts";
import { type FindingRule, STALE_INVITE_DAYS } from "../../../core/findings/rules.ts";
import { type ApiError, api, atLeast, type Workspace } from "../api.ts";
import { Alert, Badge, Button, Card, Field, Loading } from "../components/ui.tsx";
import { type RecordData, useRecord } from "./record-api.ts";

export interface FindingView {
  key: string;
  rule: string;
  severity: "critical" | "high" | "medium" | "low";
  accountId: string | null;
  assetId?: string | null;
  subject: { type: string; id: string; name: string } | null;
  message: string;
  guide: string | null;
  status: "open" | "acknowledged" | "snoozed" | "resolved";
  reason: string | null;
  /** Who last acknowledged, snoozed or reopened it (their email), and when. */
  decidedBy?: string | null;
  decidedAt?: string | null;
  snoozedUntil: string | null;
}

/** A moment as the day it fell on where the reader is, YYYY-MM-DD like the record's other dates. */
export function localDay(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** "Acknowledged by X on DATE: reason" / "Snoozed until DATE by X: reason", for a decided finding. */
export function DecisionNote({ finding: f, className = "" }: { finding: FindingView; className?: string }) {
  if (f.status !== "acknowledged" && f.status !== "snoozed") return null;
  const by = f.decidedBy ? ` by ${f.decidedBy}` : "";
  const when = f.decidedAt ? (
    <>
      {" on "}
      <time dateTime={f.decidedAt} title={new Date(f.decidedAt).toLocaleString()}>
        {localDay(f.decidedAt)}
      </time>
    </>
  ) : null;
  return (
    <p className={`text-sm break-words text-slate-700 dark:text-slate-300 ${className}`}>
      {f.status === "acknowledged" ? (
        <>
          <span className="font-semibold">Acknowledged</span>
          {by}
          {when}
        </>
      ) : (
        <>
          <span className="font-semibold">Snoozed</span> until{" "}
          {f.snoozedUntil ? <time dateTime={f.snoozedUntil}>{f.snoozedUntil}</time> : "further notice"}
          {by}
          {when}
        </>
      )}
      {f.reason ? `: ${f.reason}` : "."}
    </p>
  );
}

export const TONE: Record<FindingView["severity"], string> = {
  critical: "bg-red-700 text-white",
  high: "bg-orange-600 text-white",
  medium: "bg-amber-300 text-amber-950",
  low: "bg-slate-300 text-slate-900 dark:bg-slate-600 dark:text-white",
};
export const FINDING_TITLES: Record<FindingRule, string> & Record<string, string | undefined> = {
  "no-admin": "No admin left",
  "single-admin": "Only one admin",
  "departed-with-access": "Someone who left still has access",
  "owner-departed": "The owner has left",
  "no-owner": "Nobody owns this account",
  "shared-login": "A shared login",
  "shared-login-known-by-departed": "Someone who left knows a shared password",
  "expired-access": "Access past its end date",
  "invite-expired": "Invitation expired",
  "stale-invite": "Invitation waiting too long",
  "personal-email-admin": "Admin on a personal mailbox",
  "too-many-admins": "Too many admins",
  "external-individual-access": "Outside people added one by one",
  "review-overdue": "Access review overdue",
  "recovery-holder-departed": "Someone who left holds account recovery",
  "system-user-creator-departed": "A system user set up by someone who left",
  "backup-owner-departed": "The backup owner has left",
};

/** Acknowledge or snooze an open finding (with a reason), or reopen a decided one. */
export function Decide({ workspace, finding }: { workspace: Workspace; finding: FindingView }) {
  const qc = useQueryClient();
  const [mode, setMode] = useState<"none" | "ack" | "snooze">("none");
  const [error, setError] = useState<ApiError | null>(null);
  async function send(body: unknown) {
    try {
      await api(`/workspaces/${workspace.id}/findings/${encodeURIComponent(finding.key)}/decision`, { body });
      setMode("none");
      await qc.invalidateQueries({ queryKey: ["findings", workspace.id] });
    } catch (err) {
      setError(err as ApiError);
    }
  }
  if (finding.status === "resolved") return null;
  if (finding.status !== "open") {
    return (
      <div>
        {error && <Alert>{error.message}</Alert>}
        <Button variant="ghost" className="-ml-2 underline" onClick={() => send({ status: "open" })}>
          Reopen
        </Button>
      </div>
    );
  }
  if (mode === "none") {
    return (
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => setMode("ack")}>
          Acknowledge
        </Button>
        <Button variant="ghost" onClick={() => setMode("snooze")}>
          Snooze
        </Button>
      </div>
    );
  }
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    void send(
      mode === "ack"
        ? { status: "acknowledged", reason: f.get("reason") }
        : { status: "snoozed", until: f.get("until"), reason: f.get("reason") || null },
    );
  };
  return (
    <form
      onSubmit={submit}
      className="flex flex-col gap-3"
      aria-label={mode === "ack" ? "Acknowledge the finding" : "Snooze the finding"}
    >
      {error && <Alert>{error.message}</Alert>}
      {mode === "snooze" && (
        <Field label="Snooze until" name="until" type="date" required error={error?.field("until")} />
      )}
      <Field
        label={mode === "ack" ? "Why is this acceptable?" : "Reason (optional)"}
        name="reason"
        required={mode === "ack"}
        error={error?.field("reason")}
      />
      <div className="flex gap-2">
        <Button type="submit">{mode === "ack" ? "Acknowledge" : "Snooze"}</Button>
        <Button variant="ghost" onClick={() => setMode("none")}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** One page of findings as the API gives it: counts are for the whole workspace. */
interface FindingsPage {
  counts: Record<string, number>;
  statuses: Record<string, number>;
  total: number;
  findings: FindingView[];
  nextCursor: string | null;
}

/** Findings are fetched a page at a time, worst first. */
const PAGE = 50;

/** A findings list (`query`: the API's filters), page after page as the person asks for more. */
function useFindingsList(workspaceId: string, query: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: ["findings", workspaceId, "list", query],
    queryFn: ({ pageParam }) =>
      api<FindingsPage>(
        `/workspaces/${workspaceId}/findings?${query}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled,
  });
}

/** The home screen: what could go wrong, worst first, each with the guide that fixes it. */
export function Dashboard({ workspace }: { workspace: Workspace }) {
  const [org, setOrg] = useState<string | null>(null);
  const [showDecided, setShowDecided] = useState(false);
  const open = useFindingsList(
    workspace.id,
    `status=open&limit=${PAGE}${org ? `&organizationId=${encodeURIComponent(org)}` : ""}`,
  );
  const decided = useFindingsList(workspace.id, `status=acknowledged,snoozed&limit=${PAGE}`, showDecided);
  const byOrganization = useQuery({
    queryKey: ["findings", workspace.id, "by-organization"],
    queryFn: () =>
      api<{ organizations: { organizationId: string; counts: Record<string, number> }[] }>(
        `/workspaces/${workspace.id}/findings/by-organization`,
      ),
  });
  const record = useRecord(workspace.id);
  if (open.isPending) return <Loading label="Checking your record…" />;
  if (open.error) return <Alert>{open.error.message}</Alert>;
  const first = open.data.pages[0]!;
  const { counts, statuses } = first;
  const shown = open.data.pages.flatMap((p) => p.findings);
  const decidedCount = (statuses.acknowledged ?? 0) + (statuses.snoozed ?? 0);
  const canDecide = atLeast(workspace.role, "editor");
  return (
    <div className="flex flex-col gap-4">
      <section aria-label="Open findings by severity" className="grid grid-cols-4 gap-2">
        {(["critical", "high", "medium", "low"] as const).map((s) => (
          <div
            key={s}
            className="rounded-xl bg-white p-3 text-center shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
          >
            <p className="text-2xl font-bold">{counts[s] ?? 0}</p>
            <p className="text-xs font-medium text-slate-600 capitalize dark:text-slate-400">{s}</p>
          </div>
        ))}
      </section>
      <ByOrganization
        rows={byOrganization.data?.organizations ?? []}
        record={record}
        selected={org}
        onSelect={setOrg}
      />
      <ComingUp workspace={workspace} record={record} />
      {shown.length === 0 ? (
        <Card title="Nothing needs attention">
          <p className="text-slate-700 dark:text-slate-300">
            The record shows no open problems. Keep it current: record access as it changes.
          </p>
        </Card>
      ) : (
        <>
          <ul className="flex flex-col gap-3" aria-label="Open findings">
            {shown.map((f) => (
              <li key={f.key}>
                <FindingCard workspace={workspace} f={f} canDecide={canDecide} />
              </li>
            ))}
          </ul>
          <MoreOf list={open} shown={shown.length} total={first.total} what="open findings" />
        </>
      )}
      {decidedCount > 0 && (
        <details
          className="rounded-xl bg-white p-4 ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
          onToggle={(e) => setShowDecided(e.currentTarget.open)}
        >
          <summary className="cursor-pointer font-semibold">
            Acknowledged and snoozed ({decidedCount})
          </summary>
          {decided.isPending ? (
            showDecided && <Loading />
          ) : decided.error ? (
            <Alert>{decided.error.message}</Alert>
          ) : (
            <>
              <ul className="mt-3 flex flex-col gap-3">
                {decided.data.pages
                  .flatMap((p) => p.findings)
                  .map((f) => (
                    <li key={f.key}>
                      <FindingCard workspace={workspace} f={f} canDecide={canDecide} />
                    </li>
                  ))}
              </ul>
              <MoreOf
                list={decided}
                shown={decided.data.pages.reduce((n, p) => n + p.findings.length, 0)}
                total={decided.data.pages[0]!.total}
                what="decided findings"
              />
            </>
          )}
        </details>
      )}
    </div>
  );
}

/** "Show more" under a list that has further pages, saying how many are left. */
function MoreOf({
  list,
  shown,
  total,
  what,
}: {
  list: ReturnType<typeof useFindingsList>;
  shown: number;
  total: number;
  what: string;
}) {
  if (!list.hasNextPage) return null;
  return (
    <div className="flex flex-col items-center gap-1">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Showing {shown} of {total} {what}.
      </p>
      <Button
        variant="secondary"
        disabled={list.isFetchingNextPage}
        onClick={() => void list.fetchNextPage()}
      >
        {list.isFetchingNextPage ? "Loading…" : "Show more"}
      </Button>
    </div>
  );
}

function FindingCard({
  workspace,
  f,
  canDecide,
}: {
  workspace: Workspace;
  f: FindingView;
  canDecide: boolean;
}) {
  return (
    <article
      className="flex flex-col gap-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
      aria-label={FINDING_TITLES[f.rule] ?? f.rule}
    >
      <div className="flex items-center gap-2">
        <span className={`rounded-full px-2 py-0.5 text-xs font-bold uppercase ${TONE[f.severity]}`}>
          {f.severity}
        </span>
        <h2 className="font-semibold">
          <Link
            to="/w/$slug/findings/$findingKey"
            params={{ slug: workspace.slug, findingKey: f.key }}
            className="hover:underline"
          >
            {FINDING_TITLES[f.rule] ?? f.rule}
          </Link>
        </h2>
      </div>
      <p className="text-slate-700 dark:text-slate-300">{f.message}</p>
      <div className="flex flex-wrap items-center gap-3">
        {f.guide && (
          <Link
            to="/w/$slug/guide/$platform/$guideSlug"
            params={{
              slug: workspace.slug,
              platform: f.guide.split("/")[0]!,
              guideSlug: f.guide.split("/")[1]!,
            }}
            search={{ context: f.key }}
            className="inline-flex min-h-11 items-center font-semibold text-brand-700 underline dark:text-brand-100"
          >
            How to fix it →
          </Link>
        )}
        {f.accountId && (
          <Link
            to="/w/$slug/accounts/$accountId"
            params={{ slug: workspace.slug, accountId: f.accountId }}
            className="inline-flex min-h-11 items-center font-semibold text-brand-700 dark:text-brand-100"
          >
            Open the account
          </Link>
        )}
        {f.status !== "open" && <Badge>{f.status}</Badge>}
      </div>
      <DecisionNote finding={f} />
      {canDecide && <Decide workspace={workspace} finding={f} />}
    </article>
  );
}

const SEV = ["critical", "high", "medium", "low"] as const;

/** Open findings per organization (client, agency, own), worst first; one tap filters the list. */
function ByOrganization({
  rows: groups,
  record,
  selected,
  onSelect,
}: {
  rows: { organizationId: string; counts: Record<string, number> }[];
  record: RecordData;
  selected: string | null;
  onSelect: (id: string | null) => void;
}) {
  if (groups.length < 2 && !selected) return null;
  const rank = (g: Record<string, number>) => SEV.map((s) => g[s] ?? 0);
  const rows = [...groups].sort((a, b) => {
    const x = rank(a.counts);
    const y = rank(b.counts);
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
    return 0;
  });
  return (
    <Card title="By organization">
      <ul className="flex flex-col gap-1" aria-label="Findings per organization">
        {rows.map(({ organizationId: id, counts: g }) => {
          const name = record.organizations.find((o) => o.id === id)?.name ?? "Unknown";
          const on = selected === id;
          return (
            <li key={id}>
              <button
                type="button"
                aria-pressed={on}
                onClick={() => onSelect(on ? null : id)}
                className={`flex min-h-11 w-full items-center justify-between gap-2 rounded-lg px-2 text-left ${on ? "bg-brand-100 dark:bg-slate-800" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
              >
                <span className="font-medium">{name}</span>
                <span className="flex gap-1">
                  {SEV.filter((s) => g[s]).map((s) => (
                    <span
                      key={s}
                      className={`rounded-full px-2 py-0.5 text-xs font-bold ${TONE[s]}`}
                      title={s}
                    >
                      {g[s]} {s}
                    </span>
                  ))}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {selected && (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          Showing one organization.{" "}
          <button type="button" className="font-semibold underline" onClick={() => onSelect(null)}>
            Show all
          </button>
        </p>
      )}
    </Card>
  );
}

interface Due {
  /** Unique in the list (two invitations can fall due on one account the same day). */
  key: string;
  day: string;
  what: string;
  to: { kind: "account"; id: string } | { kind: "request"; id: string } | { kind: "plan"; id: string };
}

/** Reviews, invitations, requests and plans coming due in the next two weeks (and overdue ones). */
function ComingUp({ workspace, record }: { workspace: Workspace; record: RecordData }) {
  const requests = useQuery({
    queryKey: ["requests", workspace.id],
    queryFn: () =>
      api<{
        requests: {
          id: string;
          title: string;
          status: string;
          dueOn: string | null;
          invitationExpiresOn: string | null;
          nextReminderOn: string | null;
        }[];
      }>(`/workspaces/${workspace.id}/requests`),
  });
  const plans = useQuery({
    queryKey: ["plans", workspace.id],
    queryFn: () =>
      api<{ plans: { id: string; title: string; status: string; dueOn: string | null }[] }>(
        `/workspaces/${workspace.id}/plans`,
      ),
  });
  const today = new Date().toISOString().slice(0, 10);
  const horizon = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  const plus = (day: string, n: number) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const items: Due[] = [];
  for (const a of record.accounts) {
    if (!a.reviewCadenceDays) continue;
    const due = plus(a.lastReviewedOn ?? a.createdAt.slice(0, 10), a.reviewCadenceDays);
    if (due <= horizon)
      items.push({
        key: `review-${a.id}`,
        day: due,
        what: `Access review: ${a.name}`,
        to: { kind: "account", id: a.id },
      });
  }
  for (const g of record.grants) {
    if (g.status !== "pending" || !g.invitedOn) continue;
    const a = record.accounts.find((x) => x.id === g.target.accountId);
    const life = a ? getPlatform(a.platform)?.invitationLifetimeDays : null;
    if (a && life) {
      const ends = plus(g.invitedOn, life);
      if (ends <= horizon)
        items.push({
          key: `grant-${g.id}`,
          day: ends,
          what: `Invitation runs out: ${a.name}`,
          to: { kind: "account", id: a.id },
        });
    } else if (a) {
      // Invitations on this platform do not run out: check on it when it has waited too long.
      const check = plus(g.invitedOn, STALE_INVITE_DAYS);
      if (check <= horizon)
        items.push({
          key: `grant-${g.id}`,
          day: check,
          what: `Invitation still waiting: ${a.name}`,
          to: { kind: "account", id: a.id },
        });
    }
  }
  for (const r of requests.data?.requests ?? []) {
    if (["verified", "declined", "withdrawn"].includes(r.status)) continue;
    for (const [day, what] of [
      [r.invitationExpiresOn, "Invitation runs out"],
      [r.dueOn, "Request due"],
      [r.nextReminderOn, "Chase"],
    ] as const)
      if (day && day <= horizon)
        items.push({
          key: `request-${r.id}-${what}`,
          day,
          what: `${what}: ${r.title}`,
          to: { kind: "request", id: r.id },
        });
  }
  for (const p of plans.data?.plans ?? [])
    if (p.status === "open" && p.dueOn && p.dueOn <= horizon)
      items.push({
        key: `plan-${p.id}`,
        day: p.dueOn,
        what: `Plan due: ${p.title}`,
        to: { kind: "plan", id: p.id },
      });
  if (items.length === 0) return null;
  items.sort((x, y) => x.day.localeCompare(y.day));
  return (
    <Card title="Coming up">
      <ul className="flex flex-col gap-1" aria-label="Coming up">
        {items.slice(0, 8).map((i) => (
          <li key={i.key} className="flex items-baseline gap-3">
            <time
              dateTime={i.day}
              className={`w-28 shrink-0 text-sm whitespace-nowrap ${i.day < today ? "font-bold text-red-700 dark:text-red-300" : "text-slate-600 dark:text-slate-400"}`}
            >
              {i.day < today ? `overdue ${i.day.slice(5)}` : i.day}
            </time>
            {i.to.kind === "account" ? (
              <Link
                to="/w/$slug/accounts/$accountId"
                params={{ slug: workspace.slug, accountId: i.to.id }}
                className="font-medium hover:underline"
              >
                {i.what}
              </Link>
            ) : i.to.kind === "request" ? (
              <Link
                to="/w/$slug/requests/$requestId"
                params={{ slug: workspace.slug, requestId: i.to.id }}
                className="font-medium hover:underline"
              >
                {i.what}
              </Link>
            ) : (
              <Link
                to="/w/$slug/plans/$planId"
                params={{ slug: workspace.slug, planId: i.to.id }}
                className="font-medium hover:underline"
              >
                {i.what}
              </Link>
            )}
          </li>
        ))}
      </ul>
      {items.length > 8 && (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">and {items.length - 8} more.</p>
      )}
    </Card>
  );
}
