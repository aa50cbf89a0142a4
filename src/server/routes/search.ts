import { z } from "@hono/zod-openapi";
import * as record from "../../store/record.ts";
import { defineRoute } from "../access.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, problemResponses, WorkspaceParams } from "./schemas.ts";

const Hit = z
  .object({
    type: z.enum(["organization", "person", "account", "asset", "shared_login"]),
    id: z.string(),
    name: z.string(),
    detail: z.string(),
    accountId: z.string().nullable(),
  })
  .openapi("SearchHit");

/** Search across the record: names, emails, platform IDs and labels, case-insensitively. */
export function searchRoutes({ db }: RouteDeps) {
  const app = createRouter();
  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/search",
      summary: "Search accounts, assets, people, organizations and shared logins",
      tags: ["Record"],
      request: {
        params: WorkspaceParams,
        query: z.object({ q: z.string().trim().min(1, "Type something to search for").max(100) }),
      },
      responses: {
        200: json(z.object({ hits: z.array(Hit) }), "Matches, accounts first"),
        ...problemResponses,
      },
    }),
    async (c) => {
      const ws = c.get("workspace").workspaceId;
      const q = c.req.valid("query").q.toLowerCase();
      const has = (...fields: (string | null | undefined)[]) =>
        fields.some((f) => f?.toLowerCase().includes(q));
      const [orgs, people, accounts, assets, logins] = await Promise.all([
        record.listOrganizations(db, ws),
        record.listPeople(db, ws),
        record.listAccounts(db, ws),
        record.listAssets(db, ws),
        record.listSharedLogins(db, ws),
      ]);
      const hits: z.infer<typeof Hit>[] = [
        ...accounts
          .filter((a) => has(a.name, a.platformId, a.platform))
          .map((a) => ({
            type: "account" as const,
            id: a.id,
            name: a.name,
            detail: a.platform,
            accountId: a.id,
          })),
        ...assets
          .filter((x) => has(x.name, x.platformId))
          .map((x) => ({
            type: "asset" as const,
            id: x.id,
            name: x.name,
            detail: x.type,
            accountId: x.accountId,
          })),
        ...people
          .filter((p) => has(p.name, ...p.emails))
          .map((p) => ({
            type: "person" as const,
            id: p.id,
            name: p.name,
            detail: p.emails[0] ?? "",
            accountId: null,
          })),
        ...orgs
          .filter((o) => has(o.name))
          .map((o) => ({
            type: "organization" as const,
            id: o.id,
            name: o.name,
            detail: o.kind,
            accountId: null,
          })),
        ...logins
          .filter((l) => has(l.label))
          .map((l) => ({
            type: "shared_login" as const,
            id: l.id,
            name: l.label,
            detail: "shared login",
            accountId: null,
          })),
      ];
      return c.json({ hits: hits.slice(0, 100) }, 200);
    },
  );
  return app;
}
