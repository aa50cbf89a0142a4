import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { getPlatform } from "../../../core/catalog/index.ts";
import type { FindingRule } from "../../../core/findings/rules.ts";
import { type ApiError, api, atLeast, type Workspace } from "../api.ts";
import { Alert, Badge, Card, Loading } from "../components/ui.tsx";
import { Decide, DecisionNote, FINDING_TITLES, type FindingView } from "./dashboard.tsx";
import type { RecordData } from "./record-api.ts";
import { linkCls, RecordPage } from "./record-pages.tsx";

/** Why each kind of finding matters, in a sentence or two. */
const WHY: Record<FindingRule, string> & Record<string, string | undefined> = {
  "no-admin":
    "An account nobody can administer is one lost phone or one departure away from being lost: no one can add people, remove them, or recover it.",
  "single-admin":
    "With one admin, a holiday, a lost phone or a resignation stops everything that needs an admin, and there is nobody to check what that person does.",
  "departed-with-access":
    "People who left keep working logins until someone removes them. Former staff and contractors are a common way into accounts.",
  "owner-departed":
    "The accountable owner answers for who has access. When they leave, nobody is watching the account until a new owner is named.",
  "no-owner": "Without an accountable owner, access changes happen without anyone answering for them.",
  "shared-login":
    "A shared password cannot be taken back from one person, leaves no trace of who did what, and is usually not protected by each person's own two-step verification.",
  "shared-login-known-by-departed":
    "Someone who left still knows a password that opens the account. Until it changes, they can sign in whatever the roles say.",
  "expired-access": "Temporary access that outlives its end date is forgotten access.",
  "invite-expired":
    "The invitation can no longer be accepted: the person does not have the access you think they have.",
  "stale-invite": "An invitation left waiting may have gone to the wrong address, or been forgotten.",
  "personal-email-admin":
    "An admin on a personal mailbox depends on an address your business does not control: if the person leaves, the business cannot recover it.",
  "too-many-admins": "Every admin can add or remove anyone. The more admins, the more ways in.",
  "external-individual-access":
    "When an outside organization's people are added one by one, you have to manage their staff changes yourself. A partner connection lets them manage their own people, and ends with one removal.",
  "review-overdue": "Access drifts. A regular review catches what nobody recorded.",
  "recovery-holder-departed":
    "The recovery email and the second sign-in step decide who can get back into an account. Whoever holds them can reset the password and take the account, or lock the business out, whatever the roles say.",
  "system-user-creator-departed":
    "A system user is a login for a tool, not a person. Its token keeps working after the person who set it up leaves, until someone revokes it, and nobody is left who knows what it is for.",
  "backup-owner-departed":
    "The backup owner steps in when the owner is away or leaves. A backup who has already left means nobody can.",
};

interface InvolvedPerson {
  id: string;
  name: string;
  departed: boolean;
}
interface InvolvedGrant {
  id: string;
  subject: { type: string; id: string | null; name: string; departed: boolean };
  account: { id: string; name: string };
  asset: { id: string; name: string } | null;
  role: string;
  status: "active" | "pending" | "revoked";
  live: boolean;
  invitedOn: string | null;
  grantedOn: string | null;
  expiresOn: string | null;
}
interface Listed<T> {
  total: number;
  items: T[];
}
interface NamedHolder {
  text: string;
  person: InvolvedPerson | null;
}
/** What the record shows behind the finding (GET …/findings/{key}: `involved`). */
interface Involved {
  grants: Listed<InvolvedGrant> | null;
  knownBy: (Listed<InvolvedPerson> & { sharedLogin: { id: string; name: string } }) | null;
  admins: Listed<InvolvedGrant> | null;
  outsiders: (Listed<InvolvedGrant> & { organization: { id: string; name: string } }) | null;
  control: {
    owner: InvolvedPerson | null;
    backupOwner: InvolvedPerson | null;
    recoveryEmailHolder: NamedHolder | null;
    twoFactorHolder: NamedHolder | null;
  } | null;
}
type FindingDetailView = FindingView & {
  involved: Involved;
  decidedBy: string | null;
  decidedAt: string | null;
};

/** A change plan that fixes the finding, where one fits. */
function planFor(
  f: FindingView,
): { kind: string; personId?: string; accountId?: string; sharedLoginId?: string } | null {
  if (
    (f.rule === "departed-with-access" ||
      f.rule === "shared-login-known-by-departed" ||
      f.rule === "recovery-holder-departed" ||
      f.rule === "backup-owner-departed") &&
    f.subject?.type === "person"
  )
    return { kind: "person-leaves", personId: f.subject.id };
  if (f.rule === "owner-departed" && f.accountId)
    return { kind: "ownership-handover", accountId: f.accountId };
  if (f.rule === "shared-login" && f.subject?.type === "shared_login")
    return { kind: "shared-login-retired" };
  return null;
}

export function FindingPage() {
  const { findingKey } = useParams({ strict: false }) as { findingKey: string };
  return (
    <RecordPage title="Finding">
      {(ws, r) => <FindingDetail ws={ws} r={r} findingKey={findingKey} />}
    </RecordPage>
  );
}

function FindingDetail({ ws, r, findingKey }: { ws: Workspace; r: RecordData; findingKey: string }) {
  const q = useQuery({
    queryKey: ["findings", ws.id, "one", findingKey],
    queryFn: () => api<FindingDetailView>(`/workspaces/${ws.id}/findings/${encodeURIComponent(findingKey)}`),
    retry: (n, err) => (err as ApiError).status !== 404 && n < 2,
  });
  if (q.isPending) return <Loading />;
  if (q.error)
    return (
      <Alert>
        {(q.error as ApiError).status === 404 ? "This finding is not in this workspace." : q.error.message}
      </Alert>
    );
  const f = q.data;
  const account = r.accounts.find((a) => a.id === f.accountId);
  const asset = r.assets.find((a) => a.id === f.assetId);
  const platform = account ? getPlatform(account.platform) : undefined;
  const plan = atLeast(ws.role, "editor") ? planFor(f) : null;
  const [gp, gs] = f.guide?.split("/") ?? [];
  return (
    <div className="flex flex-col gap-4">
      <Card>
        <div className="flex items-center gap-2">
          <Badge>{f.severity}</Badge>
          <Badge>{f.status}</Badge>
        </div>
        <h2 className="mt-2 text-xl font-bold">{FINDING_TITLES[f.rule] ?? f.rule}</h2>
        <p className="mt-2 text-slate-800 dark:text-slate-200">{f.message}</p>
        <h3 className="mt-4 font-semibold">Why it matters</h3>
        <p className="text-slate-700 dark:text-slate-300">{WHY[f.rule] ?? ""}</p>
        <DecisionNote finding={f} className="mt-4" />
        {atLeast(ws.role, "editor") && f.status !== "resolved" && (
          <div className="mt-3">
            <Decide workspace={ws} finding={f} />
          </div>
        )}
      </Card>
      <Card title="What it is about">
        <ul className="flex flex-col gap-2">
          {account && (
            <li>
              Account:{" "}
              <Link
                to="/w/$slug/accounts/$accountId"
                params={{ slug: ws.slug, accountId: account.id }}
                className={linkCls}
              >
                {account.name}
              </Link>{" "}
              ({platform?.name ?? account.platform})
            </li>
          )}
          {asset && <li>Asset: {asset.name}</li>}
          {f.subject?.type === "person" && (
            <li>
              Person:{" "}
              <Link
                to="/w/$slug/people/$personId"
                params={{ slug: ws.slug, personId: f.subject.id }}
                className={linkCls}
              >
                {f.subject.name}
              </Link>
            </li>
          )}
          {f.subject && f.subject.type !== "person" && (
            <li>
              {f.subject.type === "shared_login" ? "Shared login" : "Subject"}: {f.subject.name}
            </li>
          )}
        </ul>
      </Card>
      <InvolvedCard ws={ws} f={f} accountName={account?.name ?? null} />
      <Card title="Fix it">
        <div className="flex flex-col gap-2">
          {gp && gs && (
            <Link
              to="/w/$slug/guide/$platform/$guideSlug"
              params={{ slug: ws.slug, platform: gp, guideSlug: gs }}
              search={{ context: f.key }}
              className={`inline-flex min-h-11 items-center ${linkCls}`}
            >
              Follow the guide, step by step →
            </Link>
          )}
          {plan && (
            <Link
              to="/w/$slug/plans"
              params={{ slug: ws.slug }}
              search={plan}
              className="inline-flex min-h-11 items-center justify-center rounded-lg bg-brand-700 px-4 text-sm font-semibold text-white hover:bg-brand-800"
            >
              Start a change plan
            </Link>
          )}
          {f.rule === "review-overdue" && account && (
            <Link
              to="/w/$slug/accounts/$accountId"
              params={{ slug: ws.slug, accountId: account.id }}
              className={linkCls}
            >
              Review the account's access →
            </Link>
          )}
        </div>
      </Card>
    </div>
  );
}

const muted = "text-slate-600 dark:text-slate-400";

function PersonLink({ ws, p }: { ws: Workspace; p: { id: string; name: string } }) {
  return (
    <Link to="/w/$slug/people/$personId" params={{ slug: ws.slug, personId: p.id }} className={linkCls}>
      {p.name}
    </Link>
  );
}

function AccountLink({ ws, a }: { ws: Workspace; a: { id: string; name: string } }) {
  return (
    <Link to="/w/$slug/accounts/$accountId" params={{ slug: ws.slug, accountId: a.id }} className={linkCls}>
      {a.name}
    </Link>
  );
}

/** A grant's subject: the person's or partner account's page where there is one, else its name. */
function SubjectName({ ws, s }: { ws: Workspace; s: InvolvedGrant["subject"] }) {
  if (s.type === "person" && s.id) return <PersonLink ws={ws} p={{ id: s.id, name: s.name }} />;
  if (s.type === "partner" && s.id) return <AccountLink ws={ws} a={{ id: s.id, name: s.name }} />;
  return (
    <span className="font-semibold">
      {s.name}
      {s.type === "shared_login" ? " (shared login)" : s.type === "system_user" ? " (system user)" : ""}
    </span>
  );
}

/** Where a grant is: an asset (and the account it is recorded in), or the account itself. */
const placeOf = (g: InvolvedGrant) => (g.asset ? `${g.asset.name} (in ${g.account.name})` : g.account.name);

/** Badges for what makes a grant not (or no longer) count, and for a subject who left. */
function GrantState({
  g,
  today,
  departed = g.subject.departed,
}: {
  g: InvolvedGrant;
  today: string;
  /** Say that the subject has left (default: when they have). */
  departed?: boolean;
}) {
  const ended = g.status === "active" && !g.live;
  return (
    <>
      {departed && <Badge>has left</Badge>}
      {g.status === "pending" && <Badge>invitation not accepted</Badge>}
      {g.status === "revoked" && <Badge>revoked</Badge>}
      {ended && <Badge>ended {g.expiresOn}</Badge>}
      {g.expiresOn && !ended && (
        <span className={`text-sm ${muted}`}>
          {g.expiresOn < today ? "ended" : "until"} {g.expiresOn}
        </span>
      )}
    </>
  );
}

/** When a grant was asked for and given, in one short line (its end date is `GrantState`'s). */
function GrantDates({ g }: { g: InvolvedGrant }) {
  const dates = [g.invitedOn && `invited ${g.invitedOn}`, g.grantedOn && `granted ${g.grantedOn}`].filter(
    Boolean,
  );
  if (dates.length === 0) return null;
  return <span className={`text-sm ${muted}`}>{dates.join(" · ")}</span>;
}

/** "and N more", with the account page where the whole list is. */
function More({ ws, list, accountId }: { ws: Workspace; list: Listed<unknown>; accountId: string | null }) {
  const rest = list.total - list.items.length;
  if (rest <= 0) return null;
  return (
    <p className={`mt-2 text-sm ${muted}`}>
      and {rest.toLocaleString()} more
      {accountId && (
        <>
          {" · "}
          <Link
            to="/w/$slug/accounts/$accountId"
            params={{ slug: ws.slug, accountId }}
            className={`inline-flex min-h-11 items-center ${linkCls}`}
          >
            see them all on the account page →
          </Link>
        </>
      )}
    </p>
  );
}

/** One part of "What the record shows": a heading and the list it names. */
function Part({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-2">
      <h3 id={id} className="font-semibold break-words">
        {title}
      </h3>
      {children}
    </div>
  );
}

/** The grants, people and account fields the finding is about, as the API lists them. */
function InvolvedCard({
  ws,
  f,
  accountName,
}: {
  ws: Workspace;
  f: FindingDetailView;
  accountName: string | null;
}) {
  const v = f.involved;
  const today = new Date().toISOString().slice(0, 10);
  if (!v || (!v.grants && !v.knownBy && !v.admins && !v.outsiders && !v.control)) return null;
  const on = accountName ? ` on ${accountName}` : "";
  const grantsTitle =
    f.rule === "shared-login-known-by-departed" && v.knownBy
      ? `Where "${v.knownBy.sharedLogin.name}" opens ${accountName ?? "the account"}`
      : f.subject
        ? `${f.subject.name}'s access${on}`
        : `Access${on}`;
  const empty = <p className={muted}>Nothing recorded.</p>;
  return (
    <Card title="What the record shows">
      <div className="flex flex-col gap-5">
        {v.admins && (
          <Part id="involved-admins" title={`Admin roles${on}`}>
            {v.admins.total === 0 ? (
              <p className={muted}>No person holds an admin role on the account itself.</p>
            ) : (
              <>
                <p className={`text-sm ${muted}`}>
                  An admin counts while their access is active and they still work with you.
                </p>
                <ul aria-labelledby="involved-admins" className="flex flex-col gap-1">
                  {v.admins.items.map((g) => (
                    <li
                      key={g.id}
                      aria-label={`${g.subject.name}: ${g.role}`}
                      className="flex flex-wrap items-center gap-x-2 gap-y-1"
                    >
                      <SubjectName ws={ws} s={g.subject} />
                      <span>{g.role}</span>
                      <GrantState g={g} today={today} />
                    </li>
                  ))}
                </ul>
              </>
            )}
            <More ws={ws} list={v.admins} accountId={f.accountId} />
          </Part>
        )}
        {v.grants && (
          <Part id="involved-grants" title={grantsTitle}>
            {v.grants.total === 0 ? (
              empty
            ) : (
              <ul
                aria-labelledby="involved-grants"
                className="flex flex-col divide-y divide-slate-200 dark:divide-slate-800"
              >
                {v.grants.items.map((g) => (
                  <li
                    key={g.id}
                    aria-label={`${g.role} on ${placeOf(g)}`}
                    className="flex flex-col gap-1 py-2 first:pt-0 last:pb-0"
                  >
                    <p className="break-words">
                      <span className="font-semibold">{g.role}</span> on{" "}
                      {g.asset ? (
                        <>
                          {g.asset.name} <span className={muted}>in</span>{" "}
                          <AccountLink ws={ws} a={g.account} />
                        </>
                      ) : (
                        <AccountLink ws={ws} a={g.account} />
                      )}
                    </p>
                    <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                      {/* Every grant here is the same subject's: the finding says whether they left. */}
                      <GrantState g={g} today={today} departed={false} />
                      <GrantDates g={g} />
                    </div>
                  </li>
                ))}
              </ul>
            )}
            <More ws={ws} list={v.grants} accountId={f.accountId} />
          </Part>
        )}
        {v.knownBy && (
          <Part id="involved-known-by" title={`Who knows the password of "${v.knownBy.sharedLogin.name}"`}>
            {v.knownBy.total === 0 ? (
              <p className={muted}>Nobody is recorded as knowing it.</p>
            ) : (
              <ul aria-labelledby="involved-known-by" className="flex flex-col gap-1">
                {v.knownBy.items.map((p) => (
                  <li key={p.id} className="flex flex-wrap items-center gap-2">
                    <PersonLink ws={ws} p={p} />
                    {p.departed && <Badge>has left</Badge>}
                  </li>
                ))}
              </ul>
            )}
            <More ws={ws} list={v.knownBy} accountId={null} />
          </Part>
        )}
        {v.outsiders && (
          <Part
            id="involved-outsiders"
            title={`${v.outsiders.organization.name}'s people with their own access`}
          >
            {v.outsiders.total === 0 ? (
              empty
            ) : (
              <ul aria-labelledby="involved-outsiders" className="flex flex-col gap-1">
                {v.outsiders.items.map((g) => (
                  <li
                    key={g.id}
                    aria-label={`${g.subject.name}: ${g.role}`}
                    className="flex flex-wrap items-center gap-x-2 gap-y-1"
                  >
                    <SubjectName ws={ws} s={g.subject} />
                    <span>
                      {g.role}
                      {g.asset && <span className={`text-sm ${muted}`}> on {g.asset.name}</span>}
                    </span>
                    <GrantState g={g} today={today} />
                  </li>
                ))}
              </ul>
            )}
            <More ws={ws} list={v.outsiders} accountId={f.accountId} />
          </Part>
        )}
        {v.control && (
          <Part id="involved-control" title="Who controls the account">
            <dl className="grid grid-cols-1 gap-x-4 gap-y-1 sm:grid-cols-[auto_1fr]">
              {(
                [
                  ["Accountable owner", v.control.owner, "Nobody named"],
                  ["Backup owner", v.control.backupOwner, "Nobody named"],
                ] as const
              ).map(([label, p, none]) => (
                <div key={label} className="contents">
                  <dt className="text-sm font-medium">{label}</dt>
                  <dd className="mb-1 flex flex-wrap items-center gap-2 sm:mb-0">
                    {p ? (
                      <>
                        <PersonLink ws={ws} p={p} />
                        {p.departed && <Badge>has left</Badge>}
                      </>
                    ) : (
                      <span className={muted}>{none}</span>
                    )}
                  </dd>
                </div>
              ))}
              {(
                [
                  ["Recovery email", v.control.recoveryEmailHolder],
                  ["Two-step verification", v.control.twoFactorHolder],
                ] as const
              ).map(([label, h]) => (
                <div key={label} className="contents">
                  <dt className="text-sm font-medium">{label}</dt>
                  <dd className="mb-1 flex flex-wrap items-center gap-2 break-all sm:mb-0">
                    {!h ? (
                      <span className={muted}>Not recorded</span>
                    ) : h.person ? (
                      <>
                        <PersonLink ws={ws} p={h.person} />
                        {h.person.departed && <Badge>has left</Badge>}
                        {h.text.trim().toLowerCase() !== h.person.name.trim().toLowerCase() && (
                          <span className={`text-sm ${muted}`}>({h.text})</span>
                        )}
                      </>
                    ) : (
                      <span>{h.text}</span>
                    )}
                  </dd>
                </div>
              ))}
            </dl>
          </Part>
        )}
      </div>
    </Card>
  );
}
