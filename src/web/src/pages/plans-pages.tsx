import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { PHASE_LABELS, PHASES, PLAN_KIND_LABELS, type PlanKind } from "../../../core/plans/labels.ts";
import { ApiError, api, atLeast, type Member, type Workspace } from "../api.ts";
import { Alert, Badge, Button, Card, Field, Loading, Select } from "../components/ui.tsx";
import type { RecordData } from "./record-api.ts";
import { ErrorNote, orNull, str, useSubmit } from "./record-forms.tsx";
import { linkCls, RecordPage, Timeline } from "./record-pages.tsx";

export interface PlanTask {
  id: string;
  key: string;
  phase: (typeof PHASES)[number];
  kind: string;
  title: string;
  detail: string | null;
  accountId: string | null;
  guide: string | null;
  action: { type: string; personId?: string | null; required?: boolean; field?: string };
  blockedBy: string[];
  status: "todo" | "done" | "skipped";
  assigneeUserId: string | null;
  dueOn: string | null;
  evidence: string | null;
  doneBy: string | null;
  doneAt: string | null;
}
export interface Plan {
  id: string;
  kind: PlanKind;
  title: string;
  status: "open" | "complete" | "cancelled";
  dueOn: string | null;
  recheckOn: string | null;
  lastCheck: { on: string; remaining: string[] } | null;
  progress: { done: number; total: number };
  tasks: PlanTask[];
  createdAt: string;
}

const usePlans = (workspaceId: string) =>
  useQuery({
    queryKey: ["plans", workspaceId],
    queryFn: () => api<{ plans: Plan[] }>(`/workspaces/${workspaceId}/plans`),
  });

function Progress({ plan }: { plan: Plan }) {
  const pct = plan.progress.total ? Math.round((plan.progress.done / plan.progress.total) * 100) : 100;
  return (
    <div className="flex items-center gap-2">
      <div
        className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
        role="progressbar"
        aria-valuenow={plan.progress.done}
        aria-valuemin={0}
        aria-valuemax={plan.progress.total}
        aria-label={`${plan.progress.done} of ${plan.progress.total} tasks done`}
      >
        <div className="h-full bg-emerald-600" style={{ width: `${pct}%` }} />
      </div>
      <span className="text-sm whitespace-nowrap text-slate-700 dark:text-slate-300">
        {plan.progress.done}/{plan.progress.total}
      </span>
    </div>
  );
}

export function PlansPage() {
  const search = useSearch({ strict: false }) as {
    kind?: string;
    personId?: string;
    accountId?: string;
    sharedLoginId?: string;
  };
  return (
    <RecordPage
      title="Change plans"
      sub="When someone leaves, an agency goes, or ownership changes: every task, in a safe order."
    >
      {(ws, r) => <PlanList ws={ws} r={r} preset={search} />}
    </RecordPage>
  );
}

function PlanList({
  ws,
  r,
  preset,
}: {
  ws: Workspace;
  r: RecordData;
  preset: { kind?: string; personId?: string; accountId?: string; sharedLoginId?: string };
}) {
  const q = usePlans(ws.id);
  const navigate = useNavigate();
  const [creating, setCreating] = useState(!!preset.kind);
  if (q.isPending) return <Loading />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  return (
    <div className="flex flex-col gap-4">
      {atLeast(ws.role, "editor") &&
        (creating ? (
          <Card title="New change plan">
            <PlanForm
              ws={ws}
              r={r}
              preset={preset}
              onDone={(id) =>
                navigate({ to: "/w/$slug/plans/$planId", params: { slug: ws.slug, planId: id } })
              }
            />
            <Button variant="ghost" className="mt-2" onClick={() => setCreating(false)}>
              Cancel
            </Button>
          </Card>
        ) : (
          <Button onClick={() => setCreating(true)}>New change plan</Button>
        ))}
      {q.data.plans.length === 0 ? (
        <Card>
          <p className="text-slate-600 dark:text-slate-400">
            No plans yet. When someone leaves, open their page and choose "Plan their departure".
          </p>
        </Card>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Plans">
          {q.data.plans.map((p) => (
            <li key={p.id}>
              <Link
                to="/w/$slug/plans/$planId"
                params={{ slug: ws.slug, planId: p.id }}
                className="flex flex-col gap-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 hover:ring-brand-700 dark:bg-slate-900 dark:ring-slate-800"
              >
                <span className="flex items-start justify-between gap-2">
                  <span className="font-semibold">{p.title}</span>
                  <Badge>{p.status}</Badge>
                </span>
                <span className="text-sm text-slate-600 dark:text-slate-400">
                  {PLAN_KIND_LABELS[p.kind]}
                  {p.dueOn ? ` · due ${p.dueOn}` : ""}
                </span>
                <Progress plan={p} />
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PlanForm({
  ws,
  r,
  preset,
  onDone,
}: {
  ws: Workspace;
  r: RecordData;
  preset: { kind?: string; personId?: string; accountId?: string; sharedLoginId?: string };
  onDone: (id: string) => void;
}) {
  const { error, busy, run } = useSubmit(ws.id);
  const [kind, setKind] = useState<PlanKind>((preset.kind as PlanKind) ?? "person-leaves");
  const active = r.people.filter((p) => p.status !== "departed" || p.id === preset.personId);
  const personGrants = r.grants.filter((g) => g.subject.type === "person" && g.status === "active");
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const subject =
      kind === "person-leaves"
        ? { kind, personId: str(f, "personId") }
        : kind === "relationship-ends"
          ? { kind, organizationId: str(f, "organizationId") }
          : kind === "ownership-handover"
            ? {
                kind,
                accountId: str(f, "accountId"),
                toPersonId: str(f, "toPersonId"),
                removePrevious: f.get("removePrevious") === "on",
              }
            : kind === "role-change"
              ? { kind, grantId: str(f, "grantId"), role: str(f, "role") }
              : { kind, sharedLoginId: str(f, "sharedLoginId") };
    await run(async () => {
      const plan = await api<{ id: string }>(`/workspaces/${ws.id}/plans`, {
        body: {
          subject,
          successorPersonId: orNull(str(f, "successorPersonId")),
          dueOn: orNull(str(f, "dueOn")),
        },
      });
      onDone(plan.id);
    });
  }
  const personName = (id: string) => r.people.find((p) => p.id === id)?.name ?? "?";
  const accountName = (id: string) => r.accounts.find((a) => a.id === id)?.name ?? "?";
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="New change plan">
      <ErrorNote error={error} />
      <Select label="What is changing?" value={kind} onChange={(e) => setKind(e.target.value as PlanKind)}>
        {(Object.keys(PLAN_KIND_LABELS) as PlanKind[]).map((k) => (
          <option key={k} value={k}>
            {PLAN_KIND_LABELS[k]}
          </option>
        ))}
      </Select>
      {kind === "person-leaves" && (
        <Select label="Who leaves" name="personId" defaultValue={preset.personId}>
          {active.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
      )}
      {kind === "relationship-ends" && (
        <Select label="Organization" name="organizationId">
          {r.organizations
            .filter((o) => o.kind !== "own")
            .map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({o.kind})
              </option>
            ))}
        </Select>
      )}
      {kind === "ownership-handover" && (
        <>
          <Select label="Account" name="accountId" defaultValue={preset.accountId}>
            {r.accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </Select>
          <Select label="New owner" name="toPersonId">
            {active.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </Select>
          <label className="flex min-h-11 items-center gap-3">
            <input type="checkbox" name="removePrevious" className="h-5 w-5" /> Then remove the previous
            owner's access
          </label>
        </>
      )}
      {kind === "role-change" && (
        <>
          <Select label="Whose role" name="grantId">
            {personGrants.map((g) => (
              <option key={g.id} value={g.id}>
                {personName((g.subject as { personId: string }).personId)} — {g.role} on{" "}
                {accountName(g.target.accountId)}
              </option>
            ))}
          </Select>
          <Field label="New role" name="role" required error={error?.field("subject.role")} />
        </>
      )}
      {kind === "shared-login-retired" && (
        <Select label="Shared login" name="sharedLoginId" defaultValue={preset.sharedLoginId}>
          {r.sharedLogins.map((l) => (
            <option key={l.id} value={l.id}>
              {l.label}
            </option>
          ))}
        </Select>
      )}
      {kind !== "ownership-handover" && kind !== "shared-login-retired" && (
        <Select label="Who takes over admin roles and ownership" name="successorPersonId" defaultValue="">
          <option value="">Decide per account (or follow each account's rule)</option>
          {active
            .filter((p) => p.id !== preset.personId)
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
        </Select>
      )}
      <Field label="Finish by" name="dueOn" type="date" error={error?.field("dueOn")} />
      <Button type="submit" disabled={busy}>
        {busy ? "Working it out…" : "Make the plan"}
      </Button>
    </form>
  );
}

export function PlanDetailPage() {
  const { planId } = useParams({ strict: false }) as { planId: string };
  return (
    <RecordPage title="Change plan">{(ws, r) => <PlanDetail ws={ws} r={r} planId={planId} />}</RecordPage>
  );
}

function PlanDetail({ ws, r, planId }: { ws: Workspace; r: RecordData; planId: string }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["plan", ws.id, planId],
    queryFn: () => api<Plan>(`/workspaces/${ws.id}/plans/${planId}`),
  });
  const members = useQuery({
    queryKey: ["members", ws.id],
    queryFn: () => api<{ members: Member[] }>(`/workspaces/${ws.id}/members`),
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  if (q.isPending) return <Loading />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const plan = q.data;
  const canEdit = atLeast(ws.role, "editor") && plan.status === "open";
  const refresh = () => qc.invalidateQueries({ predicate: (x) => x.queryKey[1] === ws.id });
  const recheck = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(`/workspaces/${ws.id}/plans/${plan.id}/recheck`, { method: "POST" });
      await refresh();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const setStatus = async (status: "open" | "cancelled") => {
    setBusy(true);
    setError(null);
    try {
      await api(`/workspaces/${ws.id}/plans/${plan.id}`, { method: "PATCH", body: { status } });
      await refresh();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="flex flex-col gap-4">
      <Card>
        <div className="flex items-start justify-between gap-2">
          <h2 className="text-xl font-bold">{plan.title}</h2>
          <Badge>{plan.status}</Badge>
        </div>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          {PLAN_KIND_LABELS[plan.kind]}
          {plan.dueOn ? ` · finish by ${plan.dueOn}` : ""}
          {plan.status === "open" && plan.recheckOn ? ` · Delvia re-checks on ${plan.recheckOn}` : ""}
        </p>
        <div className="mt-3">
          <Progress plan={plan} />
        </div>
        {plan.status === "complete" && (
          <div className="mt-3">
            <Alert tone="success">Complete: the re-check found nothing left in the record.</Alert>
          </div>
        )}
        {plan.lastCheck && plan.lastCheck.remaining.length > 0 && (
          <div className="mt-3">
            <Alert tone="info">
              Re-check on {plan.lastCheck.on} found {plan.lastCheck.remaining.length} thing
              {plan.lastCheck.remaining.length > 1 ? "s" : ""} left:
              <ul className="mt-1 list-disc pl-5">
                {plan.lastCheck.remaining.map((x) => (
                  <li key={x}>{x}</li>
                ))}
              </ul>
            </Alert>
          </div>
        )}
        {error && <Alert>{error.message}</Alert>}
        <div className="mt-3 flex flex-wrap gap-2">
          {canEdit && (
            <Button variant="secondary" disabled={busy} onClick={() => void recheck()}>
              {busy ? "Checking…" : "Re-check now"}
            </Button>
          )}
          {atLeast(ws.role, "editor") && plan.status !== "complete" && (
            <Button
              variant={plan.status === "open" ? "danger" : "secondary"}
              disabled={busy}
              onClick={() => void setStatus(plan.status === "open" ? "cancelled" : "open")}
            >
              {plan.status === "open" ? "Cancel the plan" : "Reopen the plan"}
            </Button>
          )}
        </div>
      </Card>
      {PHASES.map((phase) => {
        const tasks = plan.tasks.filter((t) => t.phase === phase);
        if (tasks.length === 0) return null;
        return (
          <section key={phase} aria-label={PHASE_LABELS[phase]} className="flex flex-col gap-2">
            <h2 className="text-lg font-semibold">{PHASE_LABELS[phase]}</h2>
            <ol className="flex flex-col gap-3">
              {tasks.map((t) => (
                <li key={t.id}>
                  <TaskCard
                    ws={ws}
                    r={r}
                    plan={plan}
                    task={t}
                    canEdit={canEdit}
                    members={members.data?.members ?? []}
                    onChanged={refresh}
                  />
                </li>
              ))}
            </ol>
          </section>
        );
      })}
      <Card title="History">
        <Timeline workspaceId={ws.id} ids={[plan.id]} />
      </Card>
    </div>
  );
}

function TaskCard({
  ws,
  r,
  plan,
  task,
  canEdit,
  members,
  onChanged,
}: {
  ws: Workspace;
  r: RecordData;
  plan: Plan;
  task: PlanTask;
  canEdit: boolean;
  members: Member[];
  onChanged: () => Promise<void>;
}) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [evidence, setEvidence] = useState(task.evidence ?? "");
  const [personId, setPersonId] = useState("");
  const waitingOn = task.blockedBy
    .map((id) => plan.tasks.find((x) => x.id === id))
    .filter((x) => x && x.status === "todo") as PlanTask[];
  const needsPerson =
    task.status === "todo" &&
    ((task.action.type === "create-grant" && !task.action.personId) ||
      (task.action.type === "set-owner" && !task.action.personId));
  const patch = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/workspaces/${ws.id}/plans/${plan.id}/tasks/${task.id}`, { method: "PATCH", body });
      await onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "ERROR", (err as Error).message));
    } finally {
      setBusy(false);
    }
  };
  const done = task.status !== "todo";
  const [platformKey, slug] = task.guide?.split("/") ?? [];
  return (
    <article
      aria-label={task.title}
      className={`flex flex-col gap-2 rounded-xl p-4 shadow-sm ring-1 ${done ? "bg-slate-50 ring-slate-200 dark:bg-slate-900/60 dark:ring-slate-800" : "bg-white ring-slate-300 dark:bg-slate-900 dark:ring-slate-700"}`}
    >
      <div className="flex items-start gap-3">
        <span
          aria-hidden="true"
          className={`mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-sm font-bold ${task.status === "done" ? "bg-emerald-600 text-white" : task.status === "skipped" ? "bg-slate-400 text-white" : "ring-2 ring-slate-400"}`}
        >
          {task.status === "done" ? "✓" : task.status === "skipped" ? "–" : ""}
        </span>
        <div className="min-w-0 flex-1">
          <h3 className={`font-semibold ${done ? "text-slate-600 line-through dark:text-slate-400" : ""}`}>
            {task.title}
          </h3>
          {task.detail && <p className="text-sm text-slate-700 dark:text-slate-300">{task.detail}</p>}
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {[
              task.dueOn && `due ${task.dueOn}`,
              task.assigneeUserId &&
                `assigned to ${members.find((m) => m.userId === task.assigneeUserId)?.name ?? "someone"}`,
              done && task.doneBy && `${task.status} by ${task.doneBy}`,
              task.evidence && `evidence: ${task.evidence}`,
            ]
              .filter(Boolean)
              .join(" · ")}
          </p>
          {task.status === "todo" && waitingOn.length > 0 && (
            <p className="text-sm font-medium text-amber-800 dark:text-amber-300">
              Waits for: {waitingOn.map((w) => w.title).join("; ")}
            </p>
          )}
        </div>
        {task.status === "todo" && <span className="sr-only">to do</span>}
      </div>
      <div className="flex flex-wrap items-center gap-3 pl-9">
        {platformKey && slug && (
          <Link
            to="/w/$slug/guide/$platform/$guideSlug"
            params={{ slug: ws.slug, platform: platformKey, guideSlug: slug }}
            search={{ context: `plan:${plan.id}:${task.key}` }}
            className={`inline-flex min-h-11 items-center ${linkCls}`}
          >
            How to do it →
          </Link>
        )}
        {task.accountId && (
          <Link
            to="/w/$slug/accounts/$accountId"
            params={{ slug: ws.slug, accountId: task.accountId }}
            className={`inline-flex min-h-11 items-center ${linkCls}`}
          >
            The account
          </Link>
        )}
      </div>
      {canEdit && (
        <div className="flex flex-col gap-3 pl-9">
          {error && <Alert>{error.message}</Alert>}
          {task.status === "todo" ? (
            <>
              {needsPerson && (
                <Select
                  label={task.action.type === "set-owner" ? "Who" : "Who takes over"}
                  value={personId}
                  onChange={(e) => setPersonId(e.target.value)}
                >
                  <option value="">{task.action.required === false ? "Nobody (clear it)" : "Choose…"}</option>
                  {r.people
                    .filter((p) => p.status !== "departed")
                    .map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}
                      </option>
                    ))}
                </Select>
              )}
              <div className="flex flex-wrap gap-2">
                <Button
                  disabled={busy}
                  onClick={() =>
                    void patch({
                      status: "done",
                      evidence: evidence || null,
                      ...(personId ? { personId } : {}),
                    })
                  }
                >
                  {busy ? "Saving…" : "Mark done"}
                </Button>
                <Button
                  variant="ghost"
                  disabled={busy}
                  onClick={() => void patch({ status: "skipped", evidence: evidence || null })}
                >
                  Skip
                </Button>
              </div>
              <details>
                <summary className="inline-flex min-h-11 cursor-pointer items-center text-sm font-semibold">
                  Evidence and assignment
                </summary>
                <div className="mt-2 flex flex-col gap-3">
                  <Field
                    label="Evidence (optional)"
                    value={evidence}
                    onChange={(e) => setEvidence(e.target.value)}
                    hint="What was done and where: a ticket, a screenshot name. Saved when you tick the task."
                  />
                  <Select
                    label="Assign to"
                    value={task.assigneeUserId ?? ""}
                    onChange={(e) => void patch({ assigneeUserId: e.target.value || null })}
                  >
                    <option value="">Nobody</option>
                    {members.map((m) => (
                      <option key={m.userId} value={m.userId}>
                        {m.name || m.email}
                      </option>
                    ))}
                  </Select>
                </div>
              </details>
            </>
          ) : (
            <div>
              <Button variant="ghost" disabled={busy} onClick={() => void patch({ status: "todo" })}>
                Undo
              </Button>
            </div>
          )}
        </div>
      )}
    </article>
  );
}
