import { Link, useSearch } from "@tanstack/react-router";
import { type ReactNode, useState } from "react";
import { getPlatform } from "../../../core/catalog/index.ts";
import { atLeast, type Workspace } from "../api.ts";
import { AppShell } from "../components/shell.tsx";
import { Alert, Badge, Button, Card, Loading, PageTitle } from "../components/ui.tsx";
import { eventWords, type RecordData, useHistory, useRecord } from "./record-api.ts";
import { OrganizationForm, orgKindLabel, SharedLoginForm } from "./record-edit.tsx";
import { AddAccountForm, AddPersonForm } from "./record-forms.tsx";
import { useWorkspace } from "./workspace-pages.tsx";

export const linkCls = "font-semibold text-brand-700 underline-offset-2 hover:underline dark:text-brand-100";

/** A button that opens a form in place: quick adds stay on the page, in a few taps. */
export function Disclosure({
  label,
  children,
}: {
  label: string;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return open ? (
    <Card title={label}>
      {children(() => setOpen(false))}
      <Button variant="ghost" className="mt-2" onClick={() => setOpen(false)}>
        Cancel
      </Button>
    </Card>
  ) : (
    <Button onClick={() => setOpen(true)}>{label}</Button>
  );
}

export function RecordPage({
  title,
  sub,
  children,
}: {
  title: string;
  sub?: string;
  children: (ws: Workspace, r: RecordData) => ReactNode;
}) {
  const { workspace, element } = useWorkspace();
  const record = useRecord(workspace?.id);
  if (!workspace) return element!;
  return (
    <AppShell workspace={workspace}>
      <PageTitle sub={sub}>{title}</PageTitle>
      {record.error ? (
        <Alert>{record.error.message}</Alert>
      ) : record.pending ? (
        <Loading />
      ) : (
        children(workspace, record)
      )}
    </AppShell>
  );
}

export function AccountsPage() {
  const { guide } = useSearch({ strict: false }) as { guide?: string };
  const platform = guide?.split("/")[0];
  return (
    <RecordPage
      title="Accounts"
      sub="Every account your business and clients depend on, by organization and platform."
    >
      {(ws, r) => {
        const byOrg = r.organizations
          .map((o) => ({ org: o, accounts: r.accounts.filter((a) => a.organizationId === o.id) }))
          .filter((g) => g.accounts.length > 0);
        return (
          <div className="flex flex-col gap-4">
            {guide && (
              <Alert tone="info">
                Record what you just changed: open the {getPlatform(platform ?? "")?.name ?? ""} account below
                and use “Record access”, or add the account if it is not here yet.
              </Alert>
            )}
            {atLeast(ws.role, "editor") && (
              <Link
                to="/w/$slug/import"
                params={{ slug: ws.slug }}
                className={`inline-flex min-h-11 items-center ${linkCls}`}
              >
                Import a spreadsheet instead
              </Link>
            )}
            {atLeast(ws.role, "editor") && (
              <Disclosure label="Add an account">
                {(close) => <AddAccountForm workspaceId={ws.id} record={r} onDone={close} />}
              </Disclosure>
            )}
            {byOrg.length === 0 && (
              <Card>
                <p className="text-slate-700 dark:text-slate-300">
                  No accounts yet. Add the first one: a TikTok Business Center, a Meta Business portfolio, a
                  Google Ads account…
                </p>
              </Card>
            )}
            {byOrg.map(({ org, accounts }) => (
              <Card key={org.id} title={org.name}>
                <ul className="divide-y divide-slate-200 dark:divide-slate-800">
                  {accounts.map((a) => {
                    const grants = r.grants.filter(
                      (g) => g.target.accountId === a.id && g.status !== "revoked",
                    );
                    return (
                      <li key={a.id} className="flex items-center justify-between gap-2 py-3">
                        <div className="min-w-0">
                          <Link
                            to="/w/$slug/accounts/$accountId"
                            params={{ slug: ws.slug, accountId: a.id }}
                            className={linkCls}
                          >
                            {a.name}
                          </Link>
                          <p className="text-sm text-slate-600 dark:text-slate-400">
                            {getPlatform(a.platform)?.name ?? a.platform}
                          </p>
                        </div>
                        <Badge>{grants.length} with access</Badge>
                      </li>
                    );
                  })}
                </ul>
              </Card>
            ))}
          </div>
        );
      }}
    </RecordPage>
  );
}

export function Timeline({ workspaceId, ids }: { workspaceId: string; ids: string[] }) {
  const history = useHistory(workspaceId, ids);
  if (history.isPending) return <Loading />;
  const events = history.data?.events ?? [];
  if (events.length === 0) return <p className="text-slate-600 dark:text-slate-400">No changes yet.</p>;
  return (
    <ol className="flex flex-col gap-2">
      {events.map((e) => (
        <li key={e.id} className="text-sm">
          <time dateTime={e.at} className="text-slate-600 dark:text-slate-400">
            {new Date(e.at).toLocaleString()}
          </time>{" "}
          — {e.actorLabel} {eventWords(e).words}
        </li>
      ))}
    </ol>
  );
}

export function PeoplePage() {
  return (
    <RecordPage title="People" sub="Staff, contractors, client contacts and agency staff in the record.">
      {(ws, r) => (
        <div className="flex flex-col gap-4">
          {atLeast(ws.role, "editor") && (
            <Disclosure label="Add a person">
              {(close) => <AddPersonForm workspaceId={ws.id} record={r} onDone={close} />}
            </Disclosure>
          )}
          <Card>
            {r.people.length === 0 ? (
              <p className="text-slate-600 dark:text-slate-400">No people yet.</p>
            ) : (
              <ul className="divide-y divide-slate-200 dark:divide-slate-800">
                {r.people.map((p) => (
                  <li key={p.id} className="flex items-center justify-between gap-2 py-3">
                    <div className="min-w-0">
                      <Link
                        to="/w/$slug/people/$personId"
                        params={{ slug: ws.slug, personId: p.id }}
                        className={linkCls}
                      >
                        {p.name}
                      </Link>
                      <p className="truncate text-sm text-slate-600 dark:text-slate-400">
                        {[p.emails[0], r.organizations.find((o) => o.id === p.organizationId)?.name]
                          .filter(Boolean)
                          .join(" · ")}
                      </p>
                    </div>
                    {p.status === "departed" && <Badge>departed</Badge>}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Organizations ws={ws} r={r} />
          <SharedLogins ws={ws} r={r} />
        </div>
      )}
    </RecordPage>
  );
}

/** Logins several people share: who knows each, recorded by name (never the password). */
function SharedLogins({ ws, r }: { ws: Workspace; r: RecordData }) {
  const canEdit = atLeast(ws.role, "editor");
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <Card title="Shared logins">
      {r.sharedLogins.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">
          None recorded. Good: each person should have their own access.
        </p>
      ) : (
        <ul className="flex flex-col gap-2">
          {r.sharedLogins.map((l) => (
            <li key={l.id}>
              <p className="font-medium">{l.label}</p>
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Known by{" "}
                {l.knownByPersonIds.map((id) => r.people.find((p) => p.id === id)?.name ?? "?").join(", ") ||
                  "nobody recorded"}
                {canEdit && editing !== l.id && (
                  <>
                    {" · "}
                    <button
                      type="button"
                      className="font-semibold text-brand-700 underline dark:text-brand-100"
                      onClick={() => setEditing(l.id)}
                    >
                      Change
                    </button>
                  </>
                )}
              </p>
              {editing === l.id && (
                <div className="mt-2">
                  <SharedLoginForm workspaceId={ws.id} record={r} login={l} onDone={() => setEditing(null)} />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <div className="mt-3">
          <Disclosure label="Record a shared login">
            {(close) => <SharedLoginForm workspaceId={ws.id} record={r} onDone={close} />}
          </Disclosure>
        </div>
      )}
    </Card>
  );
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Your business, clients, agencies and vendors: what each is to you, and how much of the record is theirs. */
function Organizations({ ws, r }: { ws: Workspace; r: RecordData }) {
  const canEdit = atLeast(ws.role, "editor");
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <Card title="Organizations">
      {r.organizations.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">
          None yet: they are added with accounts and people, or here.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800">
          {r.organizations.map((o) => (
            <li key={o.id} className="py-2">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span>
                  <span className="font-medium">{o.name}</span>{" "}
                  <span className="text-sm text-slate-600 dark:text-slate-400">
                    {orgKindLabel(o.kind)} ·{" "}
                    {count(r.accounts.filter((a) => a.organizationId === o.id).length, "account")} ·{" "}
                    {count(r.people.filter((p) => p.organizationId === o.id).length, "person", "people")}
                  </span>
                </span>
                {canEdit && editing !== o.id && (
                  <button
                    type="button"
                    className="inline-flex min-h-11 items-center px-1 text-sm font-semibold text-brand-700 underline dark:text-brand-100"
                    onClick={() => setEditing(o.id)}
                  >
                    Change
                  </button>
                )}
              </div>
              {editing === o.id && (
                <div className="mt-2">
                  <OrganizationForm workspaceId={ws.id} org={o} onDone={() => setEditing(null)} />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <div className="mt-3">
          <Disclosure label="Add an organization">
            {(close) => <OrganizationForm workspaceId={ws.id} onDone={close} />}
          </Disclosure>
        </div>
      )}
    </Card>
  );
}
