import { Link, useParams, useSearch } from "@tanstack/react-router";
import { type ReactNode, useState } from "react";
import { getPlatform } from "../../../core/catalog/index.ts";
import { atLeast, type Workspace } from "../api.ts";
import { AppShell } from "../components/shell.tsx";
import { Alert, Badge, Button, Card, Loading, PageTitle } from "../components/ui.tsx";
import { PersonReach, WhoCanReach } from "./access-panel.tsx";
import { ChangeRuleCard } from "./change-rule.tsx";
import { type GrantView, type RecordData, subjectLabel, useHistory, useRecord } from "./record-api.ts";
import {
  EditAccountForm,
  EditGrantForm,
  EditPersonForm,
  OrganizationForm,
  orgKindLabel,
  SharedLoginForm,
} from "./record-edit.tsx";
import { AddAccountForm, AddAssetForm, AddGrantForm, AddPersonForm } from "./record-forms.tsx";
import { ReviewsCard } from "./reviews-pages.tsx";
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

function GrantRow({ r, g, ws }: { r: RecordData; g: GrantView; ws: Workspace }) {
  const [editing, setEditing] = useState(false);
  const canEdit = atLeast(ws.role, "editor");
  return (
    <li className="py-1" aria-label={`${subjectLabel(r, g)}: ${g.role}`}>
      <div className="flex flex-wrap items-center gap-2">
        {g.subject.type === "person" ? (
          <Link
            to="/w/$slug/people/$personId"
            params={{ slug: ws.slug, personId: g.subject.personId }}
            className={linkCls}
          >
            {subjectLabel(r, g)}
          </Link>
        ) : (
          <span>{subjectLabel(r, g)}</span>
        )}
        {g.status !== "active" && <Badge>{g.status}</Badge>}
        {g.subject.type === "person" &&
          r.people.find((p) => p.id === (g.subject as { personId: string }).personId)?.status ===
            "departed" && <Badge>left — remove this access</Badge>}
        {g.expiresOn && (
          <span className="text-sm text-slate-600 dark:text-slate-400">until {g.expiresOn}</span>
        )}
        {canEdit && !editing && (
          <button
            type="button"
            className="inline-flex min-h-11 items-center px-1 text-sm font-semibold text-brand-700 underline dark:text-brand-100"
            onClick={() => setEditing(true)}
          >
            Change
          </button>
        )}
      </div>
      {editing && (
        <div className="mt-2 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-800 dark:ring-slate-700">
          <EditGrantForm workspaceId={ws.id} record={r} grant={g} onDone={() => setEditing(false)} />
          <Button variant="ghost" className="mt-2" onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </div>
      )}
    </li>
  );
}

function GrantList({ r, grants, ws }: { r: RecordData; grants: GrantView[]; ws: Workspace }) {
  const byRole = new Map<string, GrantView[]>();
  for (const g of grants) byRole.set(g.role, [...(byRole.get(g.role) ?? []), g]);
  if (grants.length === 0) return <p className="text-slate-600 dark:text-slate-400">Nobody recorded yet.</p>;
  return (
    <div className="flex flex-col gap-3">
      {[...byRole.entries()].map(([role, list]) => (
        <div key={role}>
          <h3 className="text-sm font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400">
            {role}
          </h3>
          <ul>
            {list.map((g) => (
              <GrantRow key={g.id} r={r} g={g} ws={ws} />
            ))}
          </ul>
        </div>
      ))}
    </div>
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
          — {e.actorLabel} {e.action.replaceAll("-", " ")} {e.entityType.replace("_", " ")}
        </li>
      ))}
    </ol>
  );
}

export function AccountDetailPage() {
  const { accountId } = useParams({ strict: false }) as { accountId: string };
  return (
    <RecordPage title="Account">
      {(ws, r) => {
        const a = r.accounts.find((x) => x.id === accountId);
        if (!a) return <Alert>This account is not in this workspace's record.</Alert>;
        const platform = getPlatform(a.platform);
        const owner = r.people.find((p) => p.id === a.ownerPersonId);
        const org = r.organizations.find((o) => o.id === a.organizationId);
        const grants = r.grants.filter((g) => g.target.accountId === a.id && !g.target.assetId);
        const sharedHere = r.grants.filter(
          (g) =>
            g.target.accountId === a.id &&
            g.target.assetId &&
            r.assets.find((x) => x.id === g.target.assetId)?.accountId !== a.id,
        );
        const assets = r.assets.filter((x) => x.accountId === a.id);
        const partners = grants.filter((g) => g.subject.type === "partner");
        const canEdit = atLeast(ws.role, "editor");
        return (
          <div className="flex flex-col gap-4">
            <Card>
              <h2 className="text-xl font-bold">{a.name}</h2>
              <p className="text-slate-600 dark:text-slate-400">
                {platform?.name ?? a.platform} {a.platformId && `· ID ${a.platformId}`} · belongs to{" "}
                {org?.name}
              </p>
              <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="font-medium">Accountable owner</dt>
                <dd>
                  {owner ? (
                    owner.name
                  ) : (
                    <span className="text-amber-700 dark:text-amber-300">Nobody — name one</span>
                  )}
                </dd>
                <dt className="font-medium">Review</dt>
                <dd>{a.reviewCadenceDays ? `every ${a.reviewCadenceDays} days` : "no cadence set"}</dd>
              </dl>
              {platform?.guides.invite && (
                <a
                  href={`/guides/${platform.guides.invite}`}
                  className={`mt-3 inline-flex min-h-11 items-center ${linkCls}`}
                >
                  How to add someone on {platform.name} →
                </a>
              )}
            </Card>
            {canEdit && (
              <Disclosure label="Change details">
                {(close) => <EditAccountForm workspaceId={ws.id} record={r} account={a} onDone={close} />}
              </Disclosure>
            )}
            <Card title="Who has access to the account">
              <GrantList r={r} grants={grants} ws={ws} />
            </Card>
            {sharedHere.length > 0 && (
              <Card title="Assigned to assets shared with this account">
                <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
                  Assets another account shared with this one as its partner, and who here was given them.
                </p>
                <GrantList r={r} grants={sharedHere} ws={ws} />
              </Card>
            )}
            <Card title="Who can reach it, and how">
              <WhoCanReach workspaceId={ws.id} target={{ accountId: a.id }} />
              <Link
                to="/w/$slug/map"
                params={{ slug: ws.slug }}
                search={{ accountId: a.id }}
                className={`mt-3 inline-flex min-h-11 items-center ${linkCls}`}
              >
                See it on the access map →
              </Link>
            </Card>
            <ReviewsCard ws={ws} accountId={a.id} />
            <ChangeRuleCard ws={ws} r={r} accountId={a.id} />
            {canEdit && (
              <div className="flex flex-wrap gap-2">
                <Link
                  to="/w/$slug/requests"
                  params={{ slug: ws.slug }}
                  search={{ accountId: a.id }}
                  className="inline-flex min-h-11 items-center rounded-lg px-4 text-sm font-semibold ring-1 ring-slate-300 dark:ring-slate-600"
                >
                  Request access to it
                </Link>
                <Link
                  to="/w/$slug/plans"
                  params={{ slug: ws.slug }}
                  search={{ kind: "ownership-handover", accountId: a.id }}
                  className="inline-flex min-h-11 items-center rounded-lg px-4 text-sm font-semibold ring-1 ring-slate-300 dark:ring-slate-600"
                >
                  Hand over ownership
                </Link>
              </div>
            )}
            {canEdit && (
              <Disclosure label="Record access">
                {(close) => <AddGrantForm workspaceId={ws.id} record={r} account={a} onDone={close} />}
              </Disclosure>
            )}
            {partners.length > 0 && (
              <Card title="Partners">
                <ul>
                  {partners.map((g) => (
                    <li key={g.id}>
                      {subjectLabel(r, g)} — {g.role}
                    </li>
                  ))}
                </ul>
              </Card>
            )}
            <Card title="Assets">
              {assets.length === 0 ? (
                <p className="text-slate-600 dark:text-slate-400">No assets recorded.</p>
              ) : (
                <ul className="flex flex-col gap-3">
                  {assets.map((x) => (
                    <li key={x.id}>
                      <p className="font-medium">
                        {x.name}{" "}
                        <span className="text-sm text-slate-600 dark:text-slate-400">
                          ({platform?.assetTypes.find((t) => t.key === x.type)?.name ?? x.type})
                        </span>
                      </p>
                      <GrantList r={r} grants={r.grants.filter((g) => g.target.assetId === x.id)} ws={ws} />
                      <details className="mt-2">
                        <summary className="cursor-pointer text-sm font-semibold text-brand-700 dark:text-brand-100">
                          Who can reach {x.name}?
                        </summary>
                        <div className="mt-2">
                          <WhoCanReach workspaceId={ws.id} target={{ assetId: x.id }} />
                        </div>
                      </details>
                    </li>
                  ))}
                </ul>
              )}
            </Card>
            {canEdit && (
              <Disclosure label="Add an asset">
                {(close) => <AddAssetForm workspaceId={ws.id} account={a} onDone={close} />}
              </Disclosure>
            )}
            <Card title="History">
              <Timeline
                workspaceId={ws.id}
                ids={[
                  a.id,
                  ...assets.map((x) => x.id),
                  ...r.grants.filter((g) => g.target.accountId === a.id).map((g) => g.id),
                ]}
              />
            </Card>
          </div>
        );
      }}
    </RecordPage>
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

export function PersonDetailPage() {
  const { personId } = useParams({ strict: false }) as { personId: string };
  return (
    <RecordPage title="Person">
      {(ws, r) => {
        const p = r.people.find((x) => x.id === personId);
        if (!p) return <Alert>This person is not in this workspace's record.</Alert>;
        const grants = r.grants.filter((g) => g.subject.type === "person" && g.subject.personId === p.id);
        const logins = r.sharedLogins.filter((l) => l.knownByPersonIds.includes(p.id));
        return (
          <div className="flex flex-col gap-4">
            <Card>
              <h2 className="text-xl font-bold">
                {p.name} {p.status === "departed" && <Badge>departed{p.leftOn ? ` ${p.leftOn}` : ""}</Badge>}
              </h2>
              <p className="text-slate-600 dark:text-slate-400">
                {p.emails.join(", ") || "No email recorded"}
              </p>
              {atLeast(ws.role, "editor") && (
                <div className="mt-3 flex flex-wrap gap-2">
                  <Disclosure label="Change details">
                    {(close) => <EditPersonForm workspaceId={ws.id} record={r} person={p} onDone={close} />}
                  </Disclosure>
                  <Link
                    to="/w/$slug/plans"
                    params={{ slug: ws.slug }}
                    search={{ kind: "person-leaves", personId: p.id }}
                    className="inline-flex min-h-11 items-center rounded-lg bg-brand-700 px-4 text-sm font-semibold text-white hover:bg-brand-800"
                  >
                    Plan their departure
                  </Link>
                </div>
              )}
            </Card>
            <Card title="Everything they can reach">
              <PersonReach workspaceId={ws.id} personId={p.id} />
              <Link
                to="/w/$slug/map"
                params={{ slug: ws.slug }}
                search={{ personId: p.id }}
                className={`mt-3 inline-flex min-h-11 items-center ${linkCls}`}
              >
                See it on the access map →
              </Link>
            </Card>
            <Card title="Direct grants">
              {grants.length === 0 ? (
                <p className="text-slate-600 dark:text-slate-400">No direct grants recorded.</p>
              ) : (
                <ul className="flex flex-col gap-2">
                  {grants.map((g) => {
                    const a = r.accounts.find((x) => x.id === g.target.accountId);
                    const asset = r.assets.find((x) => x.id === g.target.assetId);
                    return (
                      <li key={g.id}>
                        <Link
                          to="/w/$slug/accounts/$accountId"
                          params={{ slug: ws.slug, accountId: g.target.accountId }}
                          className={linkCls}
                        >
                          {a?.name}
                        </Link>
                        {asset && ` → ${asset.name}`} — {g.role}{" "}
                        {g.status !== "active" && <Badge>{g.status}</Badge>}
                      </li>
                    );
                  })}
                </ul>
              )}
            </Card>
            {logins.length > 0 && (
              <Card title="Shared logins they know">
                <ul>
                  {logins.map((l) => (
                    <li key={l.id}>{l.label}</li>
                  ))}
                </ul>
              </Card>
            )}
            <Card title="History">
              <Timeline workspaceId={ws.id} ids={[p.id, ...grants.map((g) => g.id)]} />
            </Card>
          </div>
        );
      }}
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
