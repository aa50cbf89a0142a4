import type { Kysely } from "kysely";
import { AppError, notFound } from "../core/errors.ts";
import { uuidv7 } from "../core/ids.ts";
import type { GrantView } from "../core/record/schemas.ts";
import { appendHistory } from "./history.ts";
import type { WriteContext } from "./record/shared.ts";
import * as record from "./record.ts";
import type { AccessReviewTable, DB, ReviewItemTable } from "./schema.ts";
import { toIso } from "./schema.ts";
import { inTransaction } from "./transaction.ts";

export type ReviewChange = "new" | "unchanged" | "added" | "role-changed" | "removed";
export type ReviewDecision = "confirm" | "change-role" | "remove";

export interface ReviewItemView {
  id: string;
  grantId: string | null;
  who: string;
  what: string;
  role: string;
  grantStatus: string;
  change: ReviewChange;
  previousRole: string | null;
  decision: ReviewDecision | null;
  newRole: string | null;
  note: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface ReviewView {
  id: string;
  accountId: string;
  status: "open" | "complete" | "cancelled";
  previousReviewId: string | null;
  startedBy: string;
  startedAt: string;
  completedBy: string | null;
  completedAt: string | null;
  notes: string | null;
  counts: Record<ReviewChange, number> & { undecided: number };
  items: ReviewItemView[];
}

function itemView(r: ReviewItemTable): ReviewItemView {
  return {
    id: r.id,
    grantId: r.grant_id,
    who: r.who,
    what: r.what,
    role: r.role,
    grantStatus: r.grant_status,
    change: r.change as ReviewChange,
    previousRole: r.previous_role,
    decision: r.decision as ReviewDecision | null,
    newRole: r.new_role,
    note: r.note,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at ? toIso(r.decided_at) : null,
  };
}

function reviewView(r: AccessReviewTable, items: ReviewItemView[]): ReviewView {
  const counts = { new: 0, unchanged: 0, added: 0, "role-changed": 0, removed: 0, undecided: 0 };
  for (const i of items) {
    counts[i.change]++;
    if (i.change !== "removed" && !i.decision) counts.undecided++;
  }
  return {
    id: r.id,
    accountId: r.account_id,
    status: r.status as ReviewView["status"],
    previousReviewId: r.previous_review_id,
    startedBy: r.started_by,
    startedAt: toIso(r.started_at),
    completedBy: r.completed_by,
    completedAt: r.completed_at ? toIso(r.completed_at) : null,
    notes: r.notes,
    counts,
    items,
  };
}

export async function getReview(db: Kysely<DB>, workspaceId: string, id: string): Promise<ReviewView> {
  const r = await db
    .selectFrom("access_review")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!r) throw notFound("Review");
  const items = await db
    .selectFrom("review_item")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("review_id", "=", id)
    .orderBy("position")
    .execute();
  return reviewView(r, items.map(itemView));
}

export async function listReviews(
  db: Kysely<DB>,
  workspaceId: string,
  accountId?: string,
): Promise<ReviewView[]> {
  let q = db.selectFrom("access_review").select("id").where("workspace_id", "=", workspaceId);
  if (accountId) q = q.where("account_id", "=", accountId);
  const rows = await q.orderBy("started_at", "desc").execute();
  return Promise.all(rows.map((r) => getReview(db, workspaceId, r.id)));
}

/** Who holds a grant and on what, in words, as the review records them. */
async function labels(db: Kysely<DB>, workspaceId: string) {
  const [people, accounts, assets, logins] = await Promise.all([
    record.listPeople(db, workspaceId),
    record.listAccounts(db, workspaceId),
    record.listAssets(db, workspaceId),
    record.listSharedLogins(db, workspaceId),
  ]);
  return (g: GrantView) => {
    const s = g.subject;
    const who =
      s.type === "person"
        ? (people.find((p) => p.id === s.personId)?.name ?? "A person")
        : s.type === "partner"
          ? `${accounts.find((a) => a.id === s.accountId)?.name ?? "An account"} (partner)`
          : s.type === "shared_login"
            ? `${logins.find((l) => l.id === s.sharedLoginId)?.label ?? "A shared login"} (shared login)`
            : `${s.name} (system user)`;
    const account = accounts.find((a) => a.id === g.target.accountId)?.name ?? "the account";
    const what = g.target.assetId
      ? (assets.find((a) => a.id === g.target.assetId)?.name ?? "an asset")
      : account;
    return { who, what };
  };
}

/**
 * Start a review of an account: every live grant on it, compared with what the last completed
 * review kept — so the reviewer sees only what was added, removed or changed since, and confirms
 * the rest in one tap.
 */
export async function startReview(db: Kysely<DB>, ctx: WriteContext, accountId: string): Promise<ReviewView> {
  return inTransaction(db, async (trx) => {
    await record.getAccount(trx, ctx.workspaceId, accountId);
    const open = await trx
      .selectFrom("access_review")
      .select("id")
      .where("workspace_id", "=", ctx.workspaceId)
      .where("account_id", "=", accountId)
      .where("status", "=", "open")
      .executeTakeFirst();
    if (open)
      throw new AppError("CONFLICT", "A review of this account is already open: finish or cancel it first.");
    const previous = await trx
      .selectFrom("access_review")
      .select("id")
      .where("workspace_id", "=", ctx.workspaceId)
      .where("account_id", "=", accountId)
      .where("status", "=", "complete")
      .orderBy("completed_at", "desc")
      .limit(1)
      .executeTakeFirst();
    const kept = new Map<string, ReviewItemTable>();
    if (previous) {
      const prevItems = await trx
        .selectFrom("review_item")
        .selectAll()
        .where("review_id", "=", previous.id)
        .execute();
      for (const i of prevItems)
        if (i.grant_id && (i.decision === "confirm" || i.decision === "change-role")) kept.set(i.grant_id, i);
    }
    const live = (await record.listGrants(trx, ctx.workspaceId, { accountId })).filter(
      (g) => g.status !== "revoked",
    );
    const label = await labels(trx, ctx.workspaceId);
    const id = uuidv7(ctx.now.getTime());
    const at = ctx.now.toISOString();
    await trx
      .insertInto("access_review")
      .values({
        id,
        workspace_id: ctx.workspaceId,
        account_id: accountId,
        status: "open",
        previous_review_id: previous?.id ?? null,
        started_by: ctx.actor.label,
        started_at: at,
        completed_by: null,
        completed_at: null,
        notes: null,
      })
      .execute();
    const rows: ReviewItemTable[] = [];
    for (const g of live) {
      const before = kept.get(g.id);
      const keptRole = before ? (before.new_role ?? before.role) : null;
      const change: ReviewChange = !previous
        ? "new"
        : !before
          ? "added"
          : keptRole !== g.role
            ? "role-changed"
            : "unchanged";
      rows.push({
        id: uuidv7(ctx.now.getTime()),
        workspace_id: ctx.workspaceId,
        review_id: id,
        position: 0,
        grant_id: g.id,
        ...label(g),
        role: g.role,
        grant_status: g.status,
        change,
        previous_role: change === "role-changed" ? keptRole : null,
        decision: null,
        new_role: null,
        note: null,
        decided_by: null,
        decided_at: null,
      });
      kept.delete(g.id);
    }
    // Kept last time, gone now: shown as removed (nothing to decide).
    for (const gone of kept.values())
      rows.push({
        ...gone,
        id: uuidv7(ctx.now.getTime()),
        review_id: id,
        position: 0,
        change: "removed",
        previous_role: gone.new_role ?? gone.role,
        decision: null,
        new_role: null,
        note: null,
        decided_by: null,
        decided_at: null,
      });
    const order: Record<string, number> = { added: 0, "role-changed": 1, removed: 2, new: 3, unchanged: 4 };
    rows.sort((a, b) => order[a.change]! - order[b.change]! || a.who.localeCompare(b.who));
    rows.forEach((r, i) => {
      r.position = i;
    });
    for (let i = 0; i < rows.length; i += 200)
      await trx
        .insertInto("review_item")
        .values(rows.slice(i, i + 200))
        .execute();
    const view = await getReview(trx, ctx.workspaceId, id);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "review",
      entityId: id,
      action: "start",
      after: { accountId, counts: view.counts },
    });
    return view;
  });
}

async function openReview(trx: Kysely<DB>, workspaceId: string, id: string): Promise<ReviewView> {
  const review = await getReview(trx, workspaceId, id);
  if (review.status !== "open")
    throw new AppError("CONFLICT", `This review is ${review.status}: it can no longer change.`);
  return review;
}

export async function decideItem(
  db: Kysely<DB>,
  ctx: WriteContext,
  reviewId: string,
  itemId: string,
  d: { decision: ReviewDecision | null; newRole: string | null; note: string | null },
): Promise<ReviewView> {
  return inTransaction(db, async (trx) => {
    const review = await openReview(trx, ctx.workspaceId, reviewId);
    const item = review.items.find((i) => i.id === itemId);
    if (!item) throw notFound("Review item");
    if (item.change === "removed")
      throw new AppError("CONFLICT", "This access is already gone: there is nothing to decide.");
    if (d.decision === "change-role" && (!d.newRole || d.newRole === item.role))
      throw new AppError("VALIDATION_FAILED", "Choose the new role.", {
        problems: [{ path: "newRole", message: "required, and different from the current role" }],
      });
    await trx
      .updateTable("review_item")
      .set({
        decision: d.decision,
        new_role: d.decision === "change-role" ? d.newRole : null,
        note: d.note,
        decided_by: d.decision ? ctx.actor.label : null,
        decided_at: d.decision ? ctx.now.toISOString() : null,
      })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", itemId)
      .execute();
    return getReview(trx, ctx.workspaceId, reviewId);
  });
}

/** Confirm in one go every item that did not change since the last review (or every new one). */
export async function confirmUnchanged(
  db: Kysely<DB>,
  ctx: WriteContext,
  reviewId: string,
): Promise<ReviewView> {
  return inTransaction(db, async (trx) => {
    const review = await openReview(trx, ctx.workspaceId, reviewId);
    const targets = review.items.filter(
      (i) =>
        !i.decision && (i.change === "unchanged" || (review.previousReviewId === null && i.change === "new")),
    );
    if (targets.length)
      await trx
        .updateTable("review_item")
        .set({ decision: "confirm", decided_by: ctx.actor.label, decided_at: ctx.now.toISOString() })
        .where("workspace_id", "=", ctx.workspaceId)
        .where(
          "id",
          "in",
          targets.map((t) => t.id),
        )
        .execute();
    return getReview(trx, ctx.workspaceId, reviewId);
  });
}

/**
 * Complete a review once every item is decided: role changes and removals are applied to the
 * record, confirmed grants are marked verified today, and the account's last review date moves —
 * all with the review, in one transaction.
 */
export async function completeReview(
  db: Kysely<DB>,
  ctx: WriteContext,
  reviewId: string,
  /** The catalog's name for a role at the grant's level; reads through the transaction it is given. */
  canonicalRole: (trx: Kysely<DB>, g: GrantView, role: string) => Promise<string>,
): Promise<ReviewView> {
  return inTransaction(db, async (trx) => {
    const review = await openReview(trx, ctx.workspaceId, reviewId);
    if (review.counts.undecided > 0)
      throw new AppError(
        "CONFLICT",
        `${review.counts.undecided} item(s) still need a decision: confirm, change the role or remove each.`,
      );
    const today = ctx.now.toISOString().slice(0, 10);
    for (const i of review.items) {
      if (!i.grantId || i.change === "removed") continue;
      const g = await record.getGrant(trx, ctx.workspaceId, i.grantId).catch(() => null);
      if (!g || g.status === "revoked") continue;
      const { id, createdAt: _c, updatedAt: _u, ...rest } = g;
      const base = { ...rest, notes: rest.notes ?? null };
      if (i.decision === "confirm")
        await record.updateGrant(trx, ctx, id, { ...base, lastVerifiedOn: today });
      else if (i.decision === "change-role")
        await record.updateGrant(trx, ctx, id, {
          ...base,
          role: await canonicalRole(trx, g, i.newRole!),
          lastVerifiedOn: today,
        });
      else if (i.decision === "remove")
        await record.updateGrant(trx, ctx, id, { ...base, status: "revoked", revokedOn: today });
    }
    await record.updateAccount(trx, ctx, review.accountId, { lastReviewedOn: today });
    await trx
      .updateTable("access_review")
      .set({ status: "complete", completed_by: ctx.actor.label, completed_at: ctx.now.toISOString() })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", reviewId)
      .execute();
    const view = await getReview(trx, ctx.workspaceId, reviewId);
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "review",
      entityId: reviewId,
      action: "complete",
      after: {
        accountId: review.accountId,
        counts: view.counts,
        decisions: view.items.map((x) => ({
          who: x.who,
          what: x.what,
          role: x.role,
          decision: x.decision,
          newRole: x.newRole,
        })),
      },
    });
    return view;
  });
}

export async function cancelReview(db: Kysely<DB>, ctx: WriteContext, reviewId: string): Promise<ReviewView> {
  return inTransaction(db, async (trx) => {
    const review = await openReview(trx, ctx.workspaceId, reviewId);
    await trx
      .updateTable("access_review")
      .set({ status: "cancelled" })
      .where("workspace_id", "=", ctx.workspaceId)
      .where("id", "=", reviewId)
      .execute();
    await appendHistory(trx, {
      ...ctx,
      at: ctx.now,
      entityType: "review",
      entityId: reviewId,
      action: "cancel",
      refs: [review.accountId],
    });
    return getReview(trx, ctx.workspaceId, reviewId);
  });
}
