import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { getPlatform, rolesAt } from "../../../core/catalog/index.ts";
import { ApiError, api, atLeast, type Workspace } from "../api.ts";
import { Alert, Badge, Button, Card, Loading, Select } from "../components/ui.tsx";
import type { RecordData } from "./record-api.ts";
import { linkCls, RecordPage } from "./record-pages.tsx";

type Change = "new" | "unchanged" | "added" | "role-changed" | "removed";
interface Item {
  id: string;
  grantId: string | null;
  who: string;
  what: string;
  role: string;
  grantStatus: string;
  change: Change;
  previousRole: string | null;
  decision: "confirm" | "change-role" | "remove" | null;
  newRole: string | null;
  note: string | null;
  decidedBy: string | null;
}
export interface Review {
  id: string;
  accountId: string;
  status: "open" | "complete" | "cancelled";
  previousReviewId: string | null;
  startedBy: string;
  startedAt: string;
  completedBy: string | null;
  completedAt: string | null;
  counts: Record<Change | "undecided", number>;
  items: Item[];
}

const GROUPS: { change: Change; title: string; hint: string }[] = [
  { change: "added", title: "Added since the last review", hint: "Check each one: was it meant to happen?" },
  {
    change: "role-changed",
    title: "Role changed since the last review",
    hint: "The role it had then is shown.",
  },
  {
    change: "removed",
    title: "Gone since the last review",
    hint: "No longer in the record: nothing to decide.",
  },
  { change: "new", title: "Everyone with access", hint: "The first review of this account: confirm each." },
  { change: "unchanged", title: "Unchanged since the last review", hint: "Confirm them all in one tap." },
];

/** On the account page: start a review, and the past ones as evidence. */
export function ReviewsCard({ ws, accountId }: { ws: Workspace; accountId: string }) {
  const navigate = useNavigate();
  const q = useQuery({
    queryKey: ["reviews", ws.id, accountId],
    queryFn: () => api<{ reviews: Review[] }>(`/workspaces/${ws.id}/reviews?accountId=${accountId}`),
  });
  const [error, setError] = useState<string | null>(null);
  if (q.isPending) return <Loading />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const open = q.data.reviews.find((r) => r.status === "open");
  const start = async () => {
    try {
      const r = await api<Review>(`/workspaces/${ws.id}/reviews`, { body: { accountId } });
      await navigate({ to: "/w/$slug/reviews/$reviewId", params: { slug: ws.slug, reviewId: r.id } });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const done = q.data.reviews.filter((r) => r.status === "complete");
  return (
    <Card title="Access reviews">
      {error && <Alert>{error}</Alert>}
      {open ? (
        <Link
          to="/w/$slug/reviews/$reviewId"
          params={{ slug: ws.slug, reviewId: open.id }}
          className={linkCls}
        >
          Continue the open review ({open.counts.undecided} to decide) →
        </Link>
      ) : (
        atLeast(ws.role, "editor") && <Button onClick={() => void start()}>Review who has access now</Button>
      )}
      {done.length > 0 && (
        <ul className="mt-3 flex flex-col gap-1 text-sm">
          {done.map((r) => (
            <li key={r.id}>
              <Link
                to="/w/$slug/reviews/$reviewId"
                params={{ slug: ws.slug, reviewId: r.id }}
                className={linkCls}
              >
                {new Date(r.completedAt!).toLocaleDateString()}
              </Link>{" "}
              by {r.completedBy}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function ReviewPage() {
  const { reviewId } = useParams({ strict: false }) as { reviewId: string };
  return (
    <RecordPage title="Access review">
      {(ws, r) => <ReviewDetail ws={ws} r={r} reviewId={reviewId} />}
    </RecordPage>
  );
}

function ReviewDetail({ ws, r, reviewId }: { ws: Workspace; r: RecordData; reviewId: string }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["review", ws.id, reviewId],
    queryFn: () => api<Review>(`/workspaces/${ws.id}/reviews/${reviewId}`),
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  if (q.isPending) return <Loading />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const review = q.data;
  const account = r.accounts.find((a) => a.id === review.accountId);
  const editable = review.status === "open" && atLeast(ws.role, "editor");
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ predicate: (x) => x.queryKey[1] === ws.id });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "ERROR", String(err)));
    } finally {
      setBusy(false);
    }
  };
  const base = `/workspaces/${ws.id}/reviews/${review.id}`;
  const confirmable = review.items.filter(
    (i) =>
      !i.decision && (i.change === "unchanged" || (review.previousReviewId === null && i.change === "new")),
  ).length;
  return (
    <div className="flex flex-col gap-4">
      <Card>
        <div className="flex items-start justify-between gap-2">
          <h2 className="text-xl font-bold">{account?.name ?? "Account"}</h2>
          <Badge>{review.status}</Badge>
        </div>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Started {new Date(review.startedAt).toLocaleString()} by {review.startedBy}
          {review.completedAt &&
            ` · completed ${new Date(review.completedAt).toLocaleString()} by ${review.completedBy}`}
        </p>
        <p className="mt-2 text-sm">
          {review.previousReviewId
            ? `${review.counts.added} added, ${review.counts["role-changed"]} role changed, ${review.counts.removed} gone, ${review.counts.unchanged} unchanged since the last review.`
            : `First review: ${review.items.length} grant${review.items.length === 1 ? "" : "s"} to confirm.`}
        </p>
        {error && <Alert>{error.message}</Alert>}
        {editable && (
          <div className="mt-3 flex flex-wrap gap-2">
            {confirmable > 0 && (
              <Button
                disabled={busy}
                onClick={() => void run(() => api(`${base}/confirm-unchanged`, { method: "POST" }))}
              >
                Confirm {confirmable} {review.previousReviewId ? "unchanged" : ""} in one tap
              </Button>
            )}
            <Button
              variant={review.counts.undecided === 0 ? "primary" : "secondary"}
              disabled={busy || review.counts.undecided > 0}
              onClick={() => void run(() => api(`${base}/complete`, { method: "POST" }))}
            >
              {review.counts.undecided > 0
                ? `Complete (${review.counts.undecided} to decide)`
                : "Complete the review"}
            </Button>
            <Button
              variant="ghost"
              disabled={busy}
              onClick={() => void run(() => api(`${base}/cancel`, { method: "POST" }))}
            >
              Cancel
            </Button>
          </div>
        )}
        {review.status === "complete" && (
          <div className="mt-3 flex flex-wrap gap-3">
            <a href={`/api/v1${base}/evidence`} className={`inline-flex min-h-11 items-center ${linkCls}`}>
              Printable evidence
            </a>
            <a
              href={`/api/v1${base}/evidence?format=csv`}
              className={`inline-flex min-h-11 items-center ${linkCls}`}
            >
              Download CSV
            </a>
          </div>
        )}
      </Card>
      {GROUPS.map((g) => {
        const items = review.items.filter((i) => i.change === g.change);
        if (items.length === 0) return null;
        return (
          <section key={g.change} aria-label={g.title} className="flex flex-col gap-2">
            <h2 className="text-lg font-semibold">{g.title}</h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">{g.hint}</p>
            <ul className="flex flex-col gap-2">
              {items.map((i) => (
                <li key={i.id}>
                  <ItemCard ws={ws} r={r} review={review} item={i} editable={editable} />
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

const DECISION_WORDS = { confirm: "Confirmed", "change-role": "Change role to", remove: "Remove" } as const;

function ItemCard({
  ws,
  r,
  review,
  item,
  editable,
}: {
  ws: Workspace;
  r: RecordData;
  review: Review;
  item: Item;
  editable: boolean;
}) {
  const qc = useQueryClient();
  const [changing, setChanging] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const account = r.accounts.find((a) => a.id === review.accountId);
  const platform = account ? getPlatform(account.platform) : undefined;
  const grant = r.grants.find((g) => g.id === item.grantId);
  const level = grant?.target.assetId
    ? (r.assets.find((a) => a.id === grant.target.assetId)?.type ?? "account")
    : "account";
  const roles = platform
    ? rolesAt(platform, level).length
      ? rolesAt(platform, level)
      : platform.accountRoles
    : [];
  const decide = async (decision: Item["decision"], newRole: string | null = null) => {
    setError(null);
    try {
      await api(`/workspaces/${ws.id}/reviews/${review.id}/items/${item.id}`, {
        method: "PATCH",
        body: { decision, newRole },
      });
      setChanging(false);
      await qc.invalidateQueries({ queryKey: ["review", ws.id, review.id] });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <article
      aria-label={`${item.who} on ${item.what}`}
      className="flex flex-col gap-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="font-semibold">
          {item.who} <span className="font-normal text-slate-600 dark:text-slate-400">on {item.what}</span>
        </p>
        <p className="text-sm">
          {item.role}
          {item.previousRole && (
            <span className="text-slate-600 dark:text-slate-400"> (was {item.previousRole})</span>
          )}
          {item.grantStatus === "pending" && <Badge>pending</Badge>}
        </p>
      </div>
      {item.decision && (
        <p className="text-sm font-medium text-emerald-800 dark:text-emerald-300">
          {DECISION_WORDS[item.decision]}
          {item.newRole ? ` ${item.newRole}` : ""}
          {item.decidedBy ? ` · ${item.decidedBy}` : ""}
        </p>
      )}
      {error && <Alert>{error}</Alert>}
      {editable && item.change !== "removed" && (
        <div className="flex flex-wrap items-end gap-2">
          {item.decision !== "confirm" && (
            <Button variant="secondary" onClick={() => void decide("confirm")}>
              Confirm
            </Button>
          )}
          {changing ? (
            <Select
              label="New role"
              defaultValue=""
              onChange={(e) => e.target.value && void decide("change-role", e.target.value)}
            >
              <option value="">Choose…</option>
              {roles
                .filter((x) => x.name !== item.role)
                .map((x) => (
                  <option key={x.name} value={x.name}>
                    {x.name}
                  </option>
                ))}
            </Select>
          ) : (
            <Button variant="ghost" onClick={() => setChanging(true)}>
              Change role
            </Button>
          )}
          {item.decision !== "remove" && (
            <Button variant="danger" onClick={() => void decide("remove")}>
              Remove
            </Button>
          )}
          {item.decision && (
            <Button variant="ghost" onClick={() => void decide(null)}>
              Undo
            </Button>
          )}
        </div>
      )}
    </article>
  );
}
