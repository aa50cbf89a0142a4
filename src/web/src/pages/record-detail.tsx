import { Link, useParams } from "@tanstack/react-router";
import { type ReactNode, useState } from "react";
import { getPlatform } from "../../../core/catalog/index.ts";
import { atLeast, type Workspace } from "../api.ts";
import { AppShell } from "../components/shell.tsx";
import { Alert, Badge, Button, Card, Loading, PageTitle } from "../components/ui.tsx";
import { PersonReach, WhoCanReach } from "./access-panel.tsx";
import { ChangeRuleCard } from "./change-rule.tsx";
import { FINDING_TITLES, TONE } from "./dashboard.tsx";
import {
  type AccountPageData,
  eventWords,
  type GrantGroup,
  type GrantSource,
  type HistoryEvent,
  type PageGrant,
  type PartnerLink,
  type StatusCounts,
  type TimelinePage,
  useAccountPage,
  useMoreGrants,
  useOlderEvents,
  usePersonPage,
} from "./record-api.ts";
import { EditAccountForm, EditGrantForm, EditPersonForm } from "./record-edit.tsx";
import { AddAssetForm, AddGrantForm } from "./record-forms.tsx";
import { Disclosure, linkCls } from "./record-pages.tsx";
import { ReviewsCard } from "./reviews-pages.tsx";
import { useWorkspace } from "./workspace-pages.tsx";

const muted = "text-slate-600 dark:text-slate-400";
const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
const live = (c: StatusCounts) => c.active + c.pending;

/** A detail page's frame: the shell, its title, and the page's one request (loading, error). */
function Frame<T>({
  ws,
  title,
  q,
  children,
}: {
  ws: Workspace;
  title: string;
  q: { data?: T; error: Error | null };
  children: (data: T) => ReactNode;
}) {
  return (
    <AppShell workspace={ws}>
      <PageTitle>{title}</PageTitle>
      {q.error ? <Alert>{q.error.message}</Alert> : q.data === undefined ? <Loading /> : children(q.data)}
    </AppShell>
  );
}

/** What a grant looks like in a list: who, badges, end date, and "Change" for editors. */
function GrantRow({
  ws,
  g,
  platform,
  showAsset,
  showAccount,
}: {
  ws: Workspace;
  g: PageGrant;
  platform: string;
  /** Name the asset (lists that mix several assets). */
  showAsset?: boolean;
  /** Name the account the grant is recorded in (an asset's grants from several accounts). */
  showAccount?: string;
}) {
  const [editing, setEditing] = useState(false);
  const canEdit = atLeast(ws.role, "editor");
  const where = [
    showAsset && g.asset
      ? `on ${g.asset.name}${g.asset.holder.name ? ` (${g.asset.holder.name})` : ""}`
      : null,
    showAccount && g.accountName !== showAccount ? `in ${g.accountName}` : null,
  ].filter(Boolean);
  return (
    <li className="py-1" aria-label={`${g.subjectLabel}: ${g.role}`}>
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        {g.subject.type === "person" ? (
          <Link
            to="/w/$slug/people/$personId"
            params={{ slug: ws.slug, personId: g.subject.personId }}
            className={linkCls}
          >
            {g.subjectLabel}
          </Link>
        ) : g.subject.type === "partner" ? (
          <Link
            to="/w/$slug/accounts/$accountId"
            params={{ slug: ws.slug, accountId: g.subject.accountId }}
            className={linkCls}
          >
            {g.subjectLabel}
          </Link>
        ) : (
          <span>{g.subjectLabel}</span>
        )}
        {where.length > 0 && <span className={`text-sm ${muted}`}>{where.join(" · ")}</span>}
        {g.status !== "active" && <Badge>{g.status}</Badge>}
        {g.subjectDeparted && g.status !== "revoked" && <Badge>left — remove this access</Badge>}
        {g.expiresOn && <span className={`text-sm ${muted}`}>until {g.expiresOn}</span>}
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
          <EditGrantForm
            workspaceId={ws.id}
            grant={g}
            platform={platform}
            level={g.asset?.type ?? "account"}
            onDone={() => setEditing(false)}
          />
          <Button variant="ghost" className="mt-2" onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </div>
      )}
    </li>
  );
}

/**
 * One role's grants: the first ones came with the page (or load when shown), "Show more" reads the
 * next page from where the last one ended.
 */
function RoleGroup({
  ws,
  platform,
  source,
  role,
  total,
  admin,
  first,
  showAsset,
  showAccount,
}: {
  ws: Workspace;
  platform: string;
  source: GrantSource;
  role: string;
  total: number;
  admin?: boolean;
  /** The first page, when the page brought it. */
  first?: { grants: PageGrant[]; nextCursor: string | null };
  showAsset?: boolean;
  showAccount?: string;
}) {
  const [more, setMore] = useState(!first);
  const pages = useMoreGrants(ws.id, source, first ? first.nextCursor : undefined, more);
  const grants = [...(first?.grants ?? []), ...(pages.data?.pages.flatMap((p) => p.grants) ?? [])];
  const hasMore = first && !more ? first.nextCursor !== null : pages.hasNextPage;
  const headingId = `role-${source.on}-${"assetId" in source ? source.assetId : ""}-${role}`.replace(
    /\W+/g,
    "-",
  );
  return (
    <div>
      <h3
        id={headingId}
        className="flex flex-wrap items-center gap-2 text-sm font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400"
      >
        {role}
        <span className="font-normal normal-case">· {total.toLocaleString()}</span>
        {admin && !/admin/i.test(role) && <Badge>admin-level</Badge>}
      </h3>
      <ul aria-labelledby={headingId}>
        {grants.map((g) => (
          <GrantRow
            key={g.id}
            ws={ws}
            g={g}
            platform={platform}
            showAsset={showAsset}
            showAccount={showAccount}
          />
        ))}
      </ul>
      <MorePages q={pages} hasMore={hasMore} more={more} setMore={setMore} className="mt-1">
        Show more ({(total - grants.length).toLocaleString()} left)
      </MorePages>
    </div>
  );
}

function Groups({
  ws,
  platform,
  accountId,
  on,
  groups,
  showAsset,
}: {
  ws: Workspace;
  platform: string;
  accountId: string;
  on: "account" | "shared";
  groups: GrantGroup[];
  showAsset?: boolean;
}) {
  if (groups.length === 0) return <p className={muted}>Nobody recorded yet.</p>;
  return (
    <div className="flex flex-col gap-3">
      {groups.map((g) => (
        <RoleGroup
          key={g.role}
          ws={ws}
          platform={platform}
          source={{ on, accountId, role: g.role }}
          role={g.role}
          total={g.total}
          admin={g.admin}
          first={g}
          showAsset={showAsset}
        />
      ))}
    </div>
  );
}

/** Latest changes, newest first; older ones a page at a time. */
function Events({
  ws,
  of,
  first,
}: {
  ws: Workspace;
  of: { accountId: string } | { personId: string };
  first: TimelinePage;
}) {
  const [more, setMore] = useState(false);
  const older = useOlderEvents(ws.id, of, first.nextBefore, more);
  const events: HistoryEvent[] = [...first.events, ...(older.data?.pages.flatMap((p) => p.events) ?? [])];
  const hasMore = more ? older.hasNextPage : first.nextBefore !== null;
  if (events.length === 0) return <p className={muted}>No changes yet.</p>;
  return (
    <>
      <ol className="flex flex-col gap-2">
        {events.map((e) => {
          const { words, detail } = eventWords(e);
          return (
            <li key={e.id} className="text-sm">
              <time dateTime={e.at} className={muted}>
                {new Date(e.at).toLocaleString()}
              </time>{" "}
              — {e.actorLabel} {words}
              {detail && <span className="text-slate-700 dark:text-slate-300">: {detail}</span>}
            </li>
          );
        })}
      </ol>
      <MorePages q={older} hasMore={hasMore} more={more} setMore={setMore}>
        Show older changes
      </MorePages>
    </>
  );
}

function PartnerList({
  ws,
  links,
  total,
  side,
}: {
  ws: Workspace;
  links: PartnerLink[];
  total: number;
  side: "partner" | "account";
}) {
  return (
    <>
      <ul className="flex flex-col gap-1">
        {links.map((l) => {
          const other = side === "partner" ? l.partner : l.account;
          return (
            <li key={l.grantId}>
              <Link
                to="/w/$slug/accounts/$accountId"
                params={{ slug: ws.slug, accountId: other.id }}
                className={linkCls}
              >
                {other.name}
                {side === "partner" ? " (partner)" : ""}
              </Link>{" "}
              — {l.role}
              {l.asset ? ` on ${l.asset.name}` : " on the whole account"}{" "}
              {l.status !== "active" && <Badge>{l.status}</Badge>}
            </li>
          );
        })}
      </ul>
      {total > links.length && (
        <p className={`mt-2 text-sm ${muted}`}>and {count(total - links.length, "more connection")}</p>
      )}
    </>
  );
}

/** One asset held in the account: its grants by role (loaded when opened), and who can reach it. */
function AssetItem({
  ws,
  platform,
  accountId,
  accountName,
  x,
}: {
  ws: Workspace;
  platform: string;
  accountId: string;
  accountName: string;
  x: AccountPageData["assets"]["items"][number];
}) {
  const [open, setOpen] = useState(false);
  const typeName = getPlatform(platform)?.assetTypes.find((t) => t.key === x.type)?.name ?? x.type;
  return (
    <li>
      <p className="font-medium">
        {x.name} <span className={`text-sm ${muted}`}>({typeName})</span>
      </p>
      <p className={`text-sm ${muted}`}>
        {count(live(x.grants), "grant")}{" "}
        {x.grants.revoked > 0 && `· ${x.grants.revoked.toLocaleString()} revoked`}
      </p>
      {x.roles.length > 0 && (
        <details className="mt-1" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
          <summary className="cursor-pointer text-sm font-semibold text-brand-700 dark:text-brand-100">
            Who has access to {x.name}
          </summary>
          {open && (
            <div className="mt-2 flex flex-col gap-3">
              {x.roles.map((r) => (
                <RoleGroup
                  key={r.role}
                  ws={ws}
                  platform={platform}
                  source={{ on: "asset", accountId, assetId: x.id, role: r.role }}
                  role={r.role}
                  total={r.total}
                  showAccount={accountName}
                />
              ))}
            </div>
          )}
        </details>
      )}
      <details className="mt-1">
        <summary className="cursor-pointer text-sm font-semibold text-brand-700 dark:text-brand-100">
          Who can reach {x.name}?
        </summary>
        <div className="mt-2">
          <WhoCanReach workspaceId={ws.id} target={{ assetId: x.id }} />
        </div>
      </details>
    </li>
  );
}

export function AccountDetailPage() {
  const { accountId } = useParams({ strict: false }) as { accountId: string };
  const { workspace, element } = useWorkspace();
  const q = useAccountPage(workspace?.id, accountId);
  if (!workspace) return element!;
  return (
    <Frame ws={workspace} title="Account" q={q}>
      {(p) => <AccountView ws={workspace} p={p} />}
    </Frame>
  );
}

function AccountView({ ws, p }: { ws: Workspace; p: AccountPageData }) {
  const a = p.account;
  const platform = getPlatform(a.platform);
  const canEdit = atLeast(ws.role, "editor");
  const formAssets = [
    ...p.assets.items.map((x) => ({ id: x.id, name: x.name, type: x.type, shared: false })),
    ...p.sharedAssets.items.map((x) => ({ id: x.id, name: x.name, type: x.type, shared: true })),
  ];
  const c = p.counts;
  return (
    <div className="flex flex-col gap-4">
      <Card>
        <h2 className="text-xl font-bold">{a.name}</h2>
        <p className={muted}>
          {platform?.name ?? a.platform} {a.platformId && `· ID ${a.platformId}`} · belongs to{" "}
          {p.organization.name}
        </p>
        <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="font-medium">Accountable owner</dt>
          <dd>
            {p.owner ? (
              <>
                {p.owner.name} {p.owner.status === "departed" && <Badge>has left</Badge>}
              </>
            ) : (
              <span className="text-amber-700 dark:text-amber-300">Nobody — name one</span>
            )}
          </dd>
          {p.backupOwner && (
            <>
              <dt className="font-medium">Backup owner</dt>
              <dd>
                {p.backupOwner.name} {p.backupOwner.status === "departed" && <Badge>has left</Badge>}
              </dd>
            </>
          )}
          <dt className="font-medium">Review</dt>
          <dd>
            {p.review.cadenceDays ? `every ${p.review.cadenceDays} days` : "no cadence set"}
            {p.review.dueOn && (
              <span className={p.review.overdue ? "text-amber-700 dark:text-amber-300" : muted}>
                {" "}
                · {p.review.overdue ? "overdue since" : "next by"} {p.review.dueOn}
              </span>
            )}
          </dd>
          <dt className="font-medium">Access</dt>
          <dd>
            {count(c.grants.active, "active grant")}
            {c.grants.pending > 0 && ` · ${c.grants.pending.toLocaleString()} invited`}
            {c.grants.revoked > 0 && ` · ${c.grants.revoked.toLocaleString()} revoked`} ·{" "}
            {count(c.people, "person", "people")}
            {c.partners > 0 && ` · ${count(c.partners, "partner connection")}`}
          </dd>
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
      {p.findings.total > 0 && (
        <Card title={`Problems on this account (${p.findings.total.toLocaleString()})`}>
          <ul className="flex flex-col gap-3">
            {p.findings.items.map((f) => (
              <li key={f.key} className="flex flex-col gap-1">
                <div className="flex flex-wrap items-center gap-2">
                  <span
                    className={`rounded-full px-2 py-0.5 text-xs font-bold uppercase ${TONE[f.severity as keyof typeof TONE] ?? ""}`}
                  >
                    {f.severity}
                  </span>
                  <Link
                    to="/w/$slug/findings/$findingKey"
                    params={{ slug: ws.slug, findingKey: f.key }}
                    className={linkCls}
                  >
                    {FINDING_TITLES[f.rule] ?? f.rule}
                  </Link>
                </div>
                <p className="text-sm text-slate-700 dark:text-slate-300">{f.message}</p>
              </li>
            ))}
          </ul>
          {p.findings.total > p.findings.items.length && (
            <Link
              to="/w/$slug"
              params={{ slug: ws.slug }}
              className={`mt-3 inline-flex min-h-11 items-center ${linkCls}`}
            >
              See all {p.findings.total.toLocaleString()} on the home screen →
            </Link>
          )}
        </Card>
      )}
      {canEdit && (
        <Disclosure label="Change details">
          {(close) => <EditAccountForm workspaceId={ws.id} account={a} onDone={close} />}
        </Disclosure>
      )}
      <Card title="Who has access to the account">
        <Groups ws={ws} platform={a.platform} accountId={a.id} on="account" groups={p.grants} />
      </Card>
      {p.shared.length > 0 && (
        <Card title="Assigned to assets shared with this account">
          <p className={`mb-2 text-sm ${muted}`}>
            Assets another account shared with this one as its partner, and who here was given them.
          </p>
          <Groups ws={ws} platform={a.platform} accountId={a.id} on="shared" groups={p.shared} showAsset />
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
      <ChangeRuleCard ws={ws} accountId={a.id} />
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
          {(close) => <AddGrantForm workspaceId={ws.id} account={a} assets={formAssets} onDone={close} />}
        </Disclosure>
      )}
      {(p.partners.total > 0 || p.partnerOf.total > 0) && (
        <Card title="Partners">
          {p.partners.total > 0 && (
            <>
              <h3 className={`text-sm font-semibold ${muted}`}>Partner accounts connected to this one</h3>
              <PartnerList ws={ws} links={p.partners.items} total={p.partners.total} side="partner" />
            </>
          )}
          {p.partnerOf.total > 0 && (
            <>
              <h3 className={`mt-3 text-sm font-semibold ${muted}`}>This account is a partner of</h3>
              <PartnerList ws={ws} links={p.partnerOf.items} total={p.partnerOf.total} side="account" />
            </>
          )}
        </Card>
      )}
      <Card title="Assets">
        {p.assets.total === 0 ? (
          <p className={muted}>No assets recorded.</p>
        ) : (
          <ul className="flex flex-col gap-4">
            {p.assets.items.map((x) => (
              <AssetItem
                key={x.id}
                ws={ws}
                platform={a.platform}
                accountId={a.id}
                accountName={a.name}
                x={x}
              />
            ))}
          </ul>
        )}
        {p.assets.total > p.assets.items.length && (
          <p className={`mt-2 text-sm ${muted}`}>
            and {count(p.assets.total - p.assets.items.length, "more asset")}
          </p>
        )}
      </Card>
      {p.sharedAssets.total > 0 && (
        <Card title="Assets shared with this account">
          <ul className="flex flex-col gap-1">
            {p.sharedAssets.items.map((x) => (
              <li key={x.id}>
                {x.name}{" "}
                <span className={`text-sm ${muted}`}>
                  held in{" "}
                  <Link
                    to="/w/$slug/accounts/$accountId"
                    params={{ slug: ws.slug, accountId: x.holder.id }}
                    className={linkCls}
                  >
                    {x.holder.name}
                  </Link>{" "}
                  · {count(live(x.grants), "assignment")} here
                </span>
              </li>
            ))}
          </ul>
          {p.sharedAssets.total > p.sharedAssets.items.length && (
            <p className={`mt-2 text-sm ${muted}`}>
              and {count(p.sharedAssets.total - p.sharedAssets.items.length, "more asset")}
            </p>
          )}
        </Card>
      )}
      {canEdit && (
        <Disclosure label="Add an asset">
          {(close) => <AddAssetForm workspaceId={ws.id} account={a} onDone={close} />}
        </Disclosure>
      )}
      <Card title="History">
        <Events ws={ws} of={{ accountId: a.id }} first={p.timeline} />
      </Card>
    </div>
  );
}

export function PersonDetailPage() {
  const { personId } = useParams({ strict: false }) as { personId: string };
  const { workspace, element } = useWorkspace();
  const q = usePersonPage(workspace?.id, personId);
  if (!workspace) return element!;
  const ws = workspace;
  return (
    <Frame ws={ws} title="Person" q={q}>
      {(d) => {
        const p = d.person;
        return (
          <div className="flex flex-col gap-4">
            <Card>
              <h2 className="text-xl font-bold">
                {p.name} {p.status === "departed" && <Badge>departed{p.leftOn ? ` ${p.leftOn}` : ""}</Badge>}
              </h2>
              <p className={muted}>
                {[p.emails.join(", ") || "No email recorded", d.organization?.name]
                  .filter(Boolean)
                  .join(" · ")}
              </p>
              <p className={`mt-1 text-sm ${muted}`}>
                {count(d.counts.grants.active, "active grant")}
                {d.counts.grants.pending > 0 && ` · ${d.counts.grants.pending.toLocaleString()} invited`}
                {d.counts.grants.revoked > 0 && ` · ${d.counts.grants.revoked.toLocaleString()} revoked`}
              </p>
              {atLeast(ws.role, "editor") && (
                <div className="mt-3 flex flex-wrap gap-2">
                  <Disclosure label="Change details">
                    {(close) => <EditPersonForm workspaceId={ws.id} person={p} onDone={close} />}
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
              {d.grants.total === 0 ? (
                <p className={muted}>No direct grants recorded.</p>
              ) : (
                <PersonGrants ws={ws} personId={p.id} first={d.grants} />
              )}
            </Card>
            {d.owns.length > 0 && (
              <Card title="Accounts they own">
                <ul className="flex flex-col gap-1">
                  {d.owns.map((a) => (
                    <li key={a.id}>
                      <Link
                        to="/w/$slug/accounts/$accountId"
                        params={{ slug: ws.slug, accountId: a.id }}
                        className={linkCls}
                      >
                        {a.name}
                      </Link>{" "}
                      <span className={`text-sm ${muted}`}>({a.as})</span>
                    </li>
                  ))}
                </ul>
              </Card>
            )}
            {d.sharedLogins.length > 0 && (
              <Card title="Shared logins they know">
                <ul>
                  {d.sharedLogins.map((l) => (
                    <li key={l.id}>{l.label}</li>
                  ))}
                </ul>
              </Card>
            )}
            <Card title="History">
              <Events ws={ws} of={{ personId: p.id }} first={d.timeline} />
            </Card>
          </div>
        );
      }}
    </Frame>
  );
}

/** A person's grants, by the account they are recorded in, a page at a time. */
function PersonGrants({
  ws,
  personId,
  first,
}: {
  ws: Workspace;
  personId: string;
  first: { total: number; grants: PageGrant[]; nextCursor: string | null };
}) {
  const [more, setMore] = useState(false);
  const pages = useMoreGrants(ws.id, { on: "person", personId }, first.nextCursor, more);
  const grants = [...first.grants, ...(pages.data?.pages.flatMap((x) => x.grants) ?? [])];
  const hasMore = more ? pages.hasNextPage : first.nextCursor !== null;
  return (
    <>
      <ul className="flex flex-col gap-2">
        {grants.map((g) => (
          <li key={g.id}>
            <Link
              to="/w/$slug/accounts/$accountId"
              params={{ slug: ws.slug, accountId: g.target.accountId }}
              className={linkCls}
            >
              {g.accountName}
            </Link>
            {g.asset && ` → ${g.asset.name}`} — {g.role} {g.status !== "active" && <Badge>{g.status}</Badge>}
          </li>
        ))}
      </ul>
      <MorePages q={pages} hasMore={hasMore} more={more} setMore={setMore}>
        Show more ({(first.total - grants.length).toLocaleString()} left)
      </MorePages>
    </>
  );
}

/**
 * Under a list that pages on request: the first press turns the next pages' query on (`more`),
 * later presses fetch the next page; loading and errors in between.
 */
function MorePages({
  q,
  hasMore,
  more,
  setMore,
  className = "mt-3",
  children,
}: {
  q: { isFetching: boolean; error: Error | null; fetchNextPage: () => unknown };
  hasMore: boolean | undefined;
  more: boolean;
  setMore: (more: boolean) => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <>
      {q.isFetching && <Loading />}
      {q.error && <Alert>{q.error.message}</Alert>}
      {hasMore && !q.isFetching && (
        <Button
          variant="secondary"
          className={className}
          onClick={() => (more ? void q.fetchNextPage() : setMore(true))}
        >
          {children}
        </Button>
      )}
    </>
  );
}
