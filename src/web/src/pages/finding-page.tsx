import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { getPlatform } from "../../../core/catalog/index.ts";
import type { FindingRule } from "../../../core/findings/rules.ts";
import { type ApiError, api, atLeast, type Workspace } from "../api.ts";
import { Alert, Badge, Card, Loading } from "../components/ui.tsx";
import { FINDING_TITLES, type FindingView } from "./dashboard.tsx";
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
    queryFn: () => api<FindingView>(`/workspaces/${ws.id}/findings/${encodeURIComponent(findingKey)}`),
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
