import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { type ApiError, api, atLeast, type Workspace } from "../api.ts";
import { Alert, Badge, Button, Card, Field, Loading } from "../components/ui.tsx";

export interface FindingView {
  key: string;
  rule: string;
  severity: "critical" | "high" | "medium" | "low";
  accountId: string | null;
  subject: { type: string; id: string; name: string } | null;
  message: string;
  guide: string | null;
  status: "open" | "acknowledged" | "snoozed" | "resolved";
  reason: string | null;
  snoozedUntil: string | null;
}

const TONE: Record<FindingView["severity"], string> = {
  critical: "bg-red-700 text-white",
  high: "bg-orange-600 text-white",
  medium: "bg-amber-300 text-amber-950",
  low: "bg-slate-300 text-slate-900 dark:bg-slate-600 dark:text-white",
};
const TITLES: Record<string, string> = {
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
};

function Decide({ workspace, finding }: { workspace: Workspace; finding: FindingView }) {
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
  if (finding.status !== "open") {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {finding.status === "acknowledged"
          ? `Acknowledged: ${finding.reason}`
          : `Snoozed until ${finding.snoozedUntil}`}{" "}
        <button type="button" className="font-semibold underline" onClick={() => send({ status: "open" })}>
          Reopen
        </button>
      </p>
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

/** The home screen: what could go wrong, worst first, each with the guide that fixes it. */
export function Dashboard({ workspace }: { workspace: Workspace }) {
  const q = useQuery({
    queryKey: ["findings", workspace.id],
    queryFn: () =>
      api<{ counts: Record<string, number>; findings: FindingView[] }>(
        `/workspaces/${workspace.id}/findings`,
      ),
  });
  if (q.isPending) return <Loading label="Checking your record…" />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const { counts, findings } = q.data;
  const open = findings.filter((f) => f.status === "open");
  const decided = findings.filter((f) => f.status !== "open");
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
      {open.length === 0 ? (
        <Card title="Nothing needs attention">
          <p className="text-slate-700 dark:text-slate-300">
            The record shows no open problems. Keep it current: record access as it changes.
          </p>
        </Card>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Open findings">
          {open.map((f) => (
            <li key={f.key}>
              <FindingCard workspace={workspace} f={f} canDecide={canDecide} />
            </li>
          ))}
        </ul>
      )}
      {decided.length > 0 && (
        <details className="rounded-xl bg-white p-4 ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
          <summary className="cursor-pointer font-semibold">
            Acknowledged and snoozed ({decided.length})
          </summary>
          <ul className="mt-3 flex flex-col gap-3">
            {decided.map((f) => (
              <li key={f.key}>
                <FindingCard workspace={workspace} f={f} canDecide={canDecide} />
              </li>
            ))}
          </ul>
        </details>
      )}
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
      aria-label={TITLES[f.rule] ?? f.rule}
    >
      <div className="flex items-center gap-2">
        <span className={`rounded-full px-2 py-0.5 text-xs font-bold uppercase ${TONE[f.severity]}`}>
          {f.severity}
        </span>
        <h2 className="font-semibold">{TITLES[f.rule] ?? f.rule}</h2>
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
      {canDecide && <Decide workspace={workspace} finding={f} />}
    </article>
  );
}
