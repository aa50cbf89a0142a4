import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { getPlatform, narrowestRole, rolesAt } from "../../../core/catalog/index.ts";
import type { RequestView } from "../../../core/requests/schemas.ts";
import { STATUS_LABELS } from "../../../core/requests/state.ts";
import { ApiError, api, atLeast, type Workspace } from "../api.ts";
import { Alert, Badge, Button, Card, Field, Loading, Select } from "../components/ui.tsx";
import type { RecordData } from "./record-api.ts";
import { ErrorNote, orNull, str, useSubmit } from "./record-forms.tsx";
import { Disclosure, linkCls, RecordPage, Timeline } from "./record-pages.tsx";

export type AccessRequest = RequestView & { allowedMoves: RequestView["status"][] };

const TONE: Record<RequestView["status"], string> = {
  draft: "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-white",
  sent: "bg-sky-200 text-sky-950",
  invited: "bg-indigo-200 text-indigo-950",
  accepted: "bg-teal-200 text-teal-950",
  verified: "bg-emerald-700 text-white",
  stuck: "bg-orange-600 text-white",
  declined: "bg-red-700 text-white",
  expired: "bg-amber-300 text-amber-950",
  withdrawn: "bg-slate-300 text-slate-900 dark:bg-slate-600 dark:text-white",
};

/** What pressing a move button is called, and what it means. */
const MOVE_LABELS: Partial<Record<RequestView["status"], string>> = {
  sent: "Mark as sent",
  invited: "The invitation came",
  accepted: "We accepted it",
  verified: "Access works: verify",
  stuck: "It is stuck",
  declined: "They declined",
  expired: "It expired",
  withdrawn: "Withdraw",
};

export function StatusPill({ status }: { status: RequestView["status"] }) {
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-bold whitespace-nowrap ${TONE[status]}`}>
      {STATUS_LABELS[status]}
    </span>
  );
}

export const useRequests = (workspaceId: string) =>
  useQuery({
    queryKey: ["requests", workspaceId],
    queryFn: () => api<{ requests: AccessRequest[] }>(`/workspaces/${workspaceId}/requests`),
  });

const OPEN = new Set(["draft", "sent", "invited", "accepted", "stuck", "expired"]);

export function RequestsPage() {
  const search = useSearch({ strict: false }) as { accountId?: string };
  return (
    <RecordPage
      title="Access requests"
      sub="Ask for access to a client's account, or track who asked for access to yours, until it is verified."
    >
      {(ws, r) => <RequestList ws={ws} r={r} newFor={search.accountId} />}
    </RecordPage>
  );
}

function RequestList({ ws, r, newFor }: { ws: Workspace; r: RecordData; newFor?: string | undefined }) {
  const q = useRequests(ws.id);
  const [filter, setFilter] = useState<"open" | "all">("open");
  const navigate = useNavigate();
  if (q.isPending) return <Loading />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const shown = q.data.requests.filter((x) => filter === "all" || OPEN.has(x.status));
  const account = (id: string) => r.accounts.find((a) => a.id === id);
  return (
    <div className="flex flex-col gap-4">
      {atLeast(ws.role, "editor") &&
        (newFor ? (
          <Card title="New access request">
            <RequestForm
              ws={ws}
              r={r}
              accountId={newFor}
              onDone={(id) =>
                navigate({ to: "/w/$slug/requests/$requestId", params: { slug: ws.slug, requestId: id } })
              }
            />
          </Card>
        ) : (
          <Disclosure label="New access request">
            {(close) => (
              <RequestForm
                ws={ws}
                r={r}
                onDone={(id) => {
                  close();
                  void navigate({
                    to: "/w/$slug/requests/$requestId",
                    params: { slug: ws.slug, requestId: id },
                  });
                }}
              />
            )}
          </Disclosure>
        ))}
      <fieldset className="flex gap-2">
        <legend className="sr-only">Show</legend>
        {(["open", "all"] as const).map((f) => (
          <Button
            key={f}
            variant={filter === f ? "primary" : "secondary"}
            aria-pressed={filter === f}
            onClick={() => setFilter(f)}
          >
            {f === "open" ? "In progress" : "All"}
          </Button>
        ))}
      </fieldset>
      {shown.length === 0 ? (
        <Card>
          <p className="text-slate-600 dark:text-slate-400">
            {filter === "open" ? "No request in progress." : "No access requests yet."}
          </p>
        </Card>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Requests">
          {shown.map((x) => (
            <li key={x.id}>
              <Link
                to="/w/$slug/requests/$requestId"
                params={{ slug: ws.slug, requestId: x.id }}
                className="flex flex-col gap-1 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 hover:ring-brand-700 dark:bg-slate-900 dark:ring-slate-800"
              >
                <span className="flex items-start justify-between gap-2">
                  <span className="font-semibold">{x.title}</span>
                  <StatusPill status={x.status} />
                </span>
                <span className="text-sm text-slate-600 dark:text-slate-400">
                  {x.direction === "outgoing" ? "We asked" : "They asked"} ·{" "}
                  {getPlatform(x.platform)?.name ?? x.platform} · {account(x.accountId)?.name} · admin{" "}
                  {x.contactName}
                </span>
                {(x.nextReminderOn || x.invitationExpiresOn || x.dueOn) && (
                  <span className="text-sm text-slate-700 dark:text-slate-300">
                    {[
                      x.invitationExpiresOn && `invitation runs out ${x.invitationExpiresOn}`,
                      x.nextReminderOn && `next reminder ${x.nextReminderOn}`,
                      x.dueOn && `due ${x.dueOn}`,
                    ]
                      .filter(Boolean)
                      .join(" · ")}
                  </span>
                )}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Draft a request: which account and assets, the role (narrowest suggested), for whom, and who grants it. */
function RequestForm({
  ws,
  r,
  accountId: initialAccount,
  onDone,
}: {
  ws: Workspace;
  r: RecordData;
  accountId?: string | undefined;
  onDone: (id: string) => void;
}) {
  const [created, setCreated] = useState<string | null>(null);
  const { error, busy, run } = useSubmit(ws.id, () => created && onDone(created));
  const [accountId, setAccountId] = useState(initialAccount ?? r.accounts[0]?.id ?? "");
  const [assetIds, setAssetIds] = useState<string[]>([]);
  const [subjectType, setSubjectType] = useState<"person" | "partner">("person");
  const account = r.accounts.find((a) => a.id === accountId);
  const platform = account ? getPlatform(account.platform) : undefined;
  const assets = r.assets.filter((a) => a.accountId === accountId);
  const level = assetIds.length ? (assets.find((a) => a.id === assetIds[0])?.type ?? "account") : "account";
  const roles = platform
    ? rolesAt(platform, level).length
      ? rolesAt(platform, level)
      : platform.accountRoles
    : [];
  const suggested = platform ? narrowestRole(platform, level, () => true)?.name : undefined;
  const partners = r.accounts.filter((a) => a.platform === account?.platform && a.id !== accountId);
  if (r.accounts.length === 0)
    return (
      <p className="text-slate-700 dark:text-slate-300">
        Record the account first:{" "}
        <Link to="/w/$slug/accounts" params={{ slug: ws.slug }} className={linkCls}>
          add an account
        </Link>
        .
      </p>
    );
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await run(async () => {
      const res = await api<{ id: string }>(`/workspaces/${ws.id}/requests`, {
        body: {
          direction: str(f, "direction"),
          accountId,
          assetIds,
          role: str(f, "role"),
          subject:
            subjectType === "person"
              ? { type: "person", personId: str(f, "person") }
              : { type: "partner", accountId: str(f, "partner") },
          inviteEmail: orNull(str(f, "inviteEmail")),
          contactName: str(f, "contactName"),
          contactEmail: orNull(str(f, "contactEmail")),
          escalationName: orNull(str(f, "escalationName")),
          escalationEmail: orNull(str(f, "escalationEmail")),
          emailContact: f.get("emailContact") === "on",
          dueOn: orNull(str(f, "dueOn")),
          notes: orNull(str(f, "notes")),
        },
      });
      setCreated(res.id);
      onDone(res.id);
    });
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="New access request">
      <ErrorNote error={error} />
      <Select label="Direction" name="direction" defaultValue="outgoing">
        <option value="outgoing">We ask for access to someone's account</option>
        <option value="incoming">Someone asks for access to ours</option>
      </Select>
      <Select
        label="Account"
        name="account"
        value={accountId}
        onChange={(e) => {
          setAccountId(e.target.value);
          setAssetIds([]);
        }}
      >
        {r.accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name} ({getPlatform(a.platform)?.name ?? a.platform})
          </option>
        ))}
      </Select>
      {assets.length > 0 && (
        <fieldset className="flex flex-col gap-2">
          <legend className="text-sm font-medium">
            Only these assets (leave empty for the whole account)
          </legend>
          {assets.map((a) => (
            <label key={a.id} className="flex min-h-11 items-center gap-3">
              <input
                type="checkbox"
                className="h-5 w-5"
                checked={assetIds.includes(a.id)}
                onChange={(e) =>
                  setAssetIds(e.target.checked ? [...assetIds, a.id] : assetIds.filter((x) => x !== a.id))
                }
              />
              {a.name}{" "}
              <span className="text-sm text-slate-600 dark:text-slate-400">
                ({platform?.assetTypes.find((t) => t.key === a.type)?.name ?? a.type})
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {roles.length ? (
        <Select label="Role wanted" name="role" key={`${accountId}-${level}`} defaultValue={suggested}>
          {roles.map((x) => (
            <option key={x.name} value={x.name}>
              {x.name}
              {x.name === suggested ? " (narrowest, suggested)" : ""}
            </option>
          ))}
        </Select>
      ) : (
        <Field label="Role wanted" name="role" required />
      )}
      <Select
        label="Access for"
        name="subjectType"
        value={subjectType}
        onChange={(e) => setSubjectType(e.target.value as "person" | "partner")}
      >
        <option value="person">A person, by invitation</option>
        {platform?.partner && <option value="partner">Our account, as a partner</option>}
      </Select>
      {subjectType === "person" ? (
        <>
          <Select label="Person" name="person" required>
            {r.people
              .filter((p) => p.status !== "departed")
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                  {p.emails[0] ? ` (${p.emails[0]})` : ""}
                </option>
              ))}
          </Select>
          <Field
            label="Invitation address (optional)"
            name="inviteEmail"
            type="email"
            hint="Their first recorded email is used when empty."
            error={error?.field("inviteEmail")}
          />
        </>
      ) : (
        <Select label="Our partner account" name="partner" required>
          {partners.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
              {a.platformId ? ` (ID ${a.platformId})` : ""}
            </option>
          ))}
        </Select>
      )}
      <Field label="Their admin's name" name="contactName" required error={error?.field("contactName")} />
      <Field
        label="Their admin's email"
        name="contactEmail"
        type="email"
        error={error?.field("contactEmail")}
      />
      <label className="flex min-h-11 items-center gap-3">
        <input type="checkbox" name="emailContact" className="h-5 w-5" /> Email the request and reminders to
        them
      </label>
      <details>
        <summary className="cursor-pointer font-semibold">Second contact, due date, notes</summary>
        <div className="mt-3 flex flex-col gap-4">
          <Field label="Second contact (escalation)" name="escalationName" />
          <Field label="Second contact's email" name="escalationEmail" type="email" />
          <Field label="Needed by" name="dueOn" type="date" error={error?.field("dueOn")} />
          <Field label="Notes" name="notes" />
        </div>
      </details>
      <Button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Draft the request"}
      </Button>
    </form>
  );
}

function MessageCard({ ws, request }: { ws: Workspace; request: AccessRequest }) {
  const q = useQuery({
    queryKey: ["request-message", ws.id, request.id, request.updatedAt],
    queryFn: () =>
      api<{ subject: string; text: string; mailto: string | null }>(
        `/workspaces/${ws.id}/requests/${request.id}/message`,
      ),
  });
  const [copied, setCopied] = useState(false);
  if (q.isPending) return <Loading label="Writing the message…" />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const m = q.data;
  const copy = async () => {
    await navigator.clipboard.writeText(`${m.subject}\n\n${m.text}`);
    setCopied(true);
    setTimeout(() => setCopied(false), 3000);
  };
  const canShare = typeof navigator !== "undefined" && "share" in navigator;
  return (
    <Card title="The message for their admin">
      <p className="text-sm font-semibold">{m.subject}</p>
      <pre
        className="mt-2 max-h-96 overflow-auto rounded-lg bg-slate-100 p-3 font-sans text-sm whitespace-pre-wrap dark:bg-slate-800"
        data-testid="request-message"
      >
        {m.text}
      </pre>
      <div className="mt-3 flex flex-wrap gap-2">
        <Button onClick={() => void copy()}>{copied ? "Copied" : "Copy the message"}</Button>
        {canShare && (
          <Button
            variant="secondary"
            onClick={() => void navigator.share({ title: m.subject, text: m.text }).catch(() => undefined)}
          >
            Share…
          </Button>
        )}
        {m.mailto && (
          <a
            href={m.mailto}
            className="inline-flex min-h-11 items-center rounded-lg px-4 font-semibold text-brand-700 ring-1 ring-slate-300 dark:text-brand-100"
          >
            Open in email
          </a>
        )}
      </div>
      <p role="status" className="sr-only">
        {copied ? "Message copied" : ""}
      </p>
    </Card>
  );
}

function Moves({ ws, request }: { ws: Workspace; request: AccessRequest }) {
  const qc = useQueryClient();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [on, setOn] = useState("");
  if (request.allowedMoves.length === 0) return null;
  const move = async (status: string) => {
    setBusy(status);
    setError(null);
    try {
      await api(`/workspaces/${ws.id}/requests/${request.id}/moves`, {
        body: { status, note: note || null, on: on || null },
      });
      setNote("");
      setOn("");
      await qc.invalidateQueries({ predicate: (x) => x.queryKey[1] === ws.id });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "ERROR", (err as Error).message));
    } finally {
      setBusy(null);
    }
  };
  const main = request.allowedMoves.filter((s) => !["withdrawn", "declined", "stuck", "expired"].includes(s));
  const side = request.allowedMoves.filter((s) => !main.includes(s));
  return (
    <Card title="What happened?">
      {error && <Alert>{error.message}</Alert>}
      <div className="flex flex-wrap gap-2">
        {main.map((s) => (
          <Button key={s} disabled={busy !== null} onClick={() => void move(s)}>
            {busy === s ? "Saving…" : MOVE_LABELS[s]}
          </Button>
        ))}
        {side.map((s) => (
          <Button
            key={s}
            variant={s === "withdrawn" || s === "declined" ? "danger" : "secondary"}
            disabled={busy !== null}
            onClick={() => void move(s)}
          >
            {busy === s ? "Saving…" : MOVE_LABELS[s]}
          </Button>
        ))}
      </div>
      <details className="mt-3">
        <summary className="cursor-pointer text-sm font-semibold">Add a note or an earlier date</summary>
        <div className="mt-3 flex flex-col gap-3">
          <Field
            label="Note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            error={error?.field("note")}
          />
          <Field
            label="It happened on"
            type="date"
            value={on}
            onChange={(e) => setOn(e.target.value)}
            error={error?.field("on")}
          />
        </div>
      </details>
      {request.allowedMoves.includes("verified") && (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
          Verifying records the access in the record (active, verified today).
        </p>
      )}
    </Card>
  );
}

export function RequestDetailPage() {
  const { requestId } = useParams({ strict: false }) as { requestId: string };
  return (
    <RecordPage title="Access request">
      {(ws, r) => <RequestDetail ws={ws} r={r} requestId={requestId} />}
    </RecordPage>
  );
}

function RequestDetail({ ws, r, requestId }: { ws: Workspace; r: RecordData; requestId: string }) {
  const q = useQuery({
    queryKey: ["request", ws.id, requestId],
    queryFn: () => api<AccessRequest>(`/workspaces/${ws.id}/requests/${requestId}`),
  });
  if (q.isPending) return <Loading />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const x = q.data;
  const account = r.accounts.find((a) => a.id === x.accountId);
  const platform = getPlatform(x.platform);
  const who =
    x.subject.type === "person"
      ? r.people.find((p) => p.id === (x.subject as { personId: string }).personId)?.name
      : `${r.accounts.find((a) => a.id === (x.subject as { accountId: string }).accountId)?.name} (partner)`;
  const assets = x.assetIds.map((id) => r.assets.find((a) => a.id === id)?.name ?? "asset");
  const canEdit = atLeast(ws.role, "editor");
  return (
    <div className="flex flex-col gap-4">
      <Card>
        <div className="flex items-start justify-between gap-2">
          <h2 className="text-xl font-bold">{x.title}</h2>
          <StatusPill status={x.status} />
        </div>
        <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="font-medium">Direction</dt>
          <dd>{x.direction === "outgoing" ? "We ask for access" : "They ask for access to ours"}</dd>
          <dt className="font-medium">Account</dt>
          <dd>
            {account ? (
              <Link
                to="/w/$slug/accounts/$accountId"
                params={{ slug: ws.slug, accountId: account.id }}
                className={linkCls}
              >
                {account.name}
              </Link>
            ) : (
              "—"
            )}{" "}
            ({platform?.name ?? x.platform})
          </dd>
          {assets.length > 0 && (
            <>
              <dt className="font-medium">Assets</dt>
              <dd>{assets.join(", ")}</dd>
            </>
          )}
          <dt className="font-medium">Role</dt>
          <dd>{x.role}</dd>
          <dt className="font-medium">For</dt>
          <dd>
            {who}
            {x.inviteEmail ? ` (${x.inviteEmail})` : ""}
          </dd>
          <dt className="font-medium">Their admin</dt>
          <dd>
            {x.contactName}
            {x.contactEmail ? ` · ${x.contactEmail}` : ""}
            {x.emailContact ? " · emailed by Delvia" : ""}
          </dd>
          {x.escalationName && (
            <>
              <dt className="font-medium">Escalation</dt>
              <dd>{x.escalationName}</dd>
            </>
          )}
          {x.dueOn && (
            <>
              <dt className="font-medium">Needed by</dt>
              <dd>{x.dueOn}</dd>
            </>
          )}
          {x.invitationExpiresOn && (
            <>
              <dt className="font-medium">Invitation runs out</dt>
              <dd className="font-semibold text-amber-800 dark:text-amber-300">{x.invitationExpiresOn}</dd>
            </>
          )}
          {x.nextReminderOn && (
            <>
              <dt className="font-medium">Next reminder</dt>
              <dd>
                {x.nextReminderOn} (days {x.reminderDays.join(", ")} after sending)
              </dd>
            </>
          )}
          {x.statusNote && (
            <>
              <dt className="font-medium">Note</dt>
              <dd>{x.statusNote}</dd>
            </>
          )}
        </dl>
        {x.status === "verified" && x.grantIds.length > 0 && (
          <p className="mt-3">
            <Badge>recorded</Badge> {x.grantIds.length} grant{x.grantIds.length > 1 ? "s" : ""} in the record.
          </p>
        )}
      </Card>
      {!["verified", "declined", "withdrawn"].includes(x.status) && <MessageCard ws={ws} request={x} />}
      {canEdit && <Moves ws={ws} request={x} />}
      <Card title="History">
        <Timeline workspaceId={ws.id} ids={[x.id]} />
      </Card>
    </div>
  );
}
