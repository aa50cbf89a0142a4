import { z } from "@hono/zod-openapi";
import { stringify } from "csv-stringify/sync";
import type { Context } from "hono";
import { getPlatform, resolveRole } from "../../core/catalog/index.ts";
import { AppError } from "../../core/errors.ts";
import type { GrantView } from "../../core/record/schemas.ts";
import { neutraliseFormula } from "../../store/export-csv.ts";
import * as record from "../../store/record.ts";
import * as reviews from "../../store/reviews.ts";
import { defineRoute } from "../access.ts";
import type { AppEnv } from "../env.ts";
import { checkRecordInput } from "../record-policy.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, jsonBody, problemResponses, WorkspaceParams, workspaceOf, writeContext } from "./schemas.ts";

const errors = { ...problemResponses, 409: problemResponses[400] };
const ReviewParams = WorkspaceParams.extend({
  reviewId: z.string().openapi({ param: { name: "reviewId", in: "path" } }),
});
const ItemParams = ReviewParams.extend({
  itemId: z.string().openapi({ param: { name: "itemId", in: "path" } }),
});
const CHANGES = ["new", "unchanged", "added", "role-changed", "removed"] as const;
const Item = z
  .object({
    id: z.string(),
    grantId: z.string().nullable(),
    who: z.string(),
    what: z.string(),
    role: z.string(),
    grantStatus: z.string(),
    change: z.enum(CHANGES),
    previousRole: z.string().nullable(),
    decision: z.enum(["confirm", "change-role", "remove"]).nullable(),
    newRole: z.string().nullable(),
    note: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
  })
  .openapi("ReviewItem");
const Review = z
  .object({
    id: z.string(),
    accountId: z.string(),
    status: z.enum(["open", "complete", "cancelled"]),
    previousReviewId: z.string().nullable(),
    startedBy: z.string(),
    startedAt: z.string(),
    completedBy: z.string().nullable(),
    completedAt: z.string().nullable(),
    notes: z.string().nullable(),
    counts: z.record(z.string(), z.number()),
    items: z.array(Item),
  })
  .openapi("AccessReview");
const Decision = z.strictObject({
  decision: z.enum(["confirm", "change-role", "remove"]).nullable(),
  newRole: z.string().trim().min(1).max(80).nullable().default(null),
  note: z.string().trim().max(500).nullable().default(null),
});

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );
const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "");
const DECISION_WORDS: Record<string, string> = {
  confirm: "Confirmed",
  "change-role": "Role changed",
  remove: "Removed",
};
const CHANGE_WORDS: Record<string, string> = {
  new: "first review",
  unchanged: "unchanged",
  added: "added since",
  "role-changed": "role changed since",
  removed: "gone since",
};

/** Access reviews: confirm who can get into an account, seeing only what changed since the last one. */
export function reviewRoutes({ db, clock }: RouteDeps) {
  const app = createRouter();
  const ctx = (c: Context<AppEnv>) => writeContext(c, clock);
  const ws = workspaceOf;

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/reviews",
      summary: "Access reviews, newest first (optionally of one account)",
      tags: ["Reviews"],
      request: { params: WorkspaceParams, query: z.object({ accountId: z.string().optional() }) },
      responses: { 200: json(z.object({ reviews: z.array(Review) }), "Reviews"), ...problemResponses },
    }),
    async (c) =>
      c.json({ reviews: await reviews.listReviews(db, ws(c), c.req.valid("query").accountId) }, 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/reviews",
      summary: "Start a review of an account: every grant, marked with what changed since the last review",
      tags: ["Reviews"],
      request: {
        params: WorkspaceParams,
        body: jsonBody(z.strictObject({ accountId: z.string().min(1).max(64) })),
      },
      responses: { 201: json(Review, "Started"), ...errors },
    }),
    async (c) => {
      const { accountId } = c.req.valid("json");
      await record.getAccount(db, ws(c), accountId).catch(() => {
        throw new AppError("VALIDATION_FAILED", "That account is not in this workspace.", {
          problems: [{ path: "accountId", message: "no such account in this workspace" }],
        });
      });
      return c.json(await reviews.startReview(db, ctx(c), accountId), 201);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/reviews/{reviewId}",
      summary: "One review with its items and decisions",
      tags: ["Reviews"],
      request: { params: ReviewParams },
      responses: { 200: json(Review, "The review"), ...problemResponses },
    }),
    async (c) => c.json(await reviews.getReview(db, ws(c), c.req.valid("param").reviewId), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "patch",
      path: "/workspaces/{workspaceId}/reviews/{reviewId}/items/{itemId}",
      summary: "Decide one item: confirm it, change its role, or remove it (null to undo)",
      tags: ["Reviews"],
      request: { params: ItemParams, body: jsonBody(Decision) },
      responses: { 200: json(Review, "The review"), ...errors },
    }),
    async (c) => {
      const { reviewId, itemId } = c.req.valid("param");
      return c.json(
        await reviews.decideItem(db, ctx(c), reviewId, itemId, checkRecordInput(c.req.valid("json"))),
        200,
      );
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/reviews/{reviewId}/confirm-unchanged",
      summary: "Confirm in one tap everything that did not change since the last review",
      tags: ["Reviews"],
      request: { params: ReviewParams },
      responses: { 200: json(Review, "The review"), ...errors },
    }),
    async (c) => c.json(await reviews.confirmUnchanged(db, ctx(c), c.req.valid("param").reviewId), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/reviews/{reviewId}/complete",
      summary: "Complete the review: role changes and removals are applied to the record; kept as evidence",
      tags: ["Reviews"],
      request: { params: ReviewParams },
      responses: { 200: json(Review, "Completed"), ...errors },
    }),
    async (c) => {
      const canonical = async (trx: typeof db, g: GrantView, role: string) => {
        const a = await record.getAccount(trx, ws(c), g.target.accountId);
        const p = getPlatform(a.platform);
        if (!p) return role;
        const level = g.target.assetId
          ? (await record.getAsset(db, ws(c), g.target.assetId)).type
          : "account";
        const r = resolveRole(p, level, role);
        if (!r.ok)
          throw new AppError("VALIDATION_FAILED", r.message, {
            problems: [{ path: "newRole", message: `valid roles: ${r.valid.join(", ")}` }],
          });
        return r.role.name;
      };
      return c.json(await reviews.completeReview(db, ctx(c), c.req.valid("param").reviewId, canonical), 200);
    },
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/reviews/{reviewId}/cancel",
      summary: "Cancel an open review",
      tags: ["Reviews"],
      request: { params: ReviewParams },
      responses: { 200: json(Review, "Cancelled"), ...errors },
    }),
    async (c) => c.json(await reviews.cancelReview(db, ctx(c), c.req.valid("param").reviewId), 200),
  );
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/reviews/{reviewId}/evidence",
      summary: "The review as evidence: CSV (format=csv) or a printable page (format=html)",
      tags: ["Reviews"],
      request: { params: ReviewParams, query: z.object({ format: z.enum(["csv", "html"]).default("html") }) },
      responses: {
        200: {
          description: "Evidence",
          content: { "text/csv": { schema: z.string() }, "text/html": { schema: z.string() } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const r = await reviews.getReview(db, ws(c), c.req.valid("param").reviewId);
      const account = await record.getAccount(db, ws(c), r.accountId);
      const platform = getPlatform(account.platform)?.name ?? account.platform;
      if (c.req.valid("query").format === "csv") {
        const rows = r.items.map((i) =>
          [
            i.who,
            i.what,
            i.role,
            CHANGE_WORDS[i.change]!,
            i.previousRole ?? "",
            i.decision ? DECISION_WORDS[i.decision]! : "",
            i.newRole ?? "",
            i.note ?? "",
            i.decidedBy ?? "",
            i.decidedAt ?? "",
          ].map(neutraliseFormula),
        );
        const csv = stringify([
          [
            "who",
            "on",
            "role",
            "since last review",
            "previous role",
            "decision",
            "new role",
            "note",
            "decided by",
            "decided at",
          ],
          ...rows,
        ]);
        const name = `review-${account.name.replace(/[^A-Za-z0-9]+/g, "-")}-${r.startedAt.slice(0, 10)}.csv`;
        return c.body(csv, 200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="${name}"`,
        });
      }
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Access review: ${esc(account.name)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;color:#111;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eee}@media print{body{margin:0}}</style></head><body>
<h1>Access review: ${esc(account.name)}</h1>
<p>${esc(platform)}${account.platformId ? ` · ID ${esc(account.platformId)}` : ""} · started ${esc(when(r.startedAt))} by ${esc(r.startedBy)} · ${r.status === "complete" ? `completed ${esc(when(r.completedAt))} by ${esc(r.completedBy ?? "")}` : esc(r.status)}</p>
<table><thead><tr><th>Who</th><th>On</th><th>Role</th><th>Since last review</th><th>Decision</th><th>Note</th><th>Decided by</th></tr></thead><tbody>
${r.items
  .map(
    (i) =>
      `<tr><td>${esc(i.who)}</td><td>${esc(i.what)}</td><td>${esc(i.role)}${i.previousRole ? ` (was ${esc(i.previousRole)})` : ""}</td><td>${esc(CHANGE_WORDS[i.change]!)}</td><td>${i.decision ? esc(DECISION_WORDS[i.decision]!) + (i.newRole ? ` → ${esc(i.newRole)}` : "") : ""}</td><td>${esc(i.note ?? "")}</td><td>${esc(i.decidedBy ?? "")}${i.decidedAt ? `<br>${esc(when(i.decidedAt))}` : ""}</td></tr>`,
  )
  .join("\n")}
</tbody></table></body></html>`;
      return c.html(html, 200);
    },
  );
  return app;
}
