import { z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../core/errors.ts";
import { exportWorkspace } from "../../store/export.ts";
import { exportAccessSheet } from "../../store/export-csv.ts";
import { defineRoute } from "../access.ts";
import { importFile, MAX_IMPORT_BYTES } from "../import-export.ts";
import { createRouter } from "../router.ts";
import type { RouteDeps } from "./deps.ts";
import { json, problemResponses, WorkspaceParams } from "./schemas.ts";

const Counts = z.object({
  organizations: z.number(),
  people: z.number(),
  accounts: z.number(),
  assets: z.number(),
  sharedLogins: z.number(),
  grants: z.number(),
});
const ImportResult = z
  .object({
    kind: z.enum(["sheet", "export"]),
    dryRun: z.boolean(),
    rows: z.number(),
    created: Counts,
    changed: Counts,
    unchangedRows: z.number(),
  })
  .openapi("ImportResult");

export function importExportRoutes({ db, clock }: RouteDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "write" },
      method: "post",
      path: "/workspaces/{workspaceId}/import",
      summary: "Import an access sheet (text/csv) or a full Delvia export (application/json), all or nothing",
      description:
        "Send the file as the body. With ?dryRun=true nothing is written and the answer previews what would be created, changed or left alone. Any problem refuses the whole file, listing every problem as row, column, value and reason.",
      tags: ["Import and export"],
      middleware: [
        bodyLimit({
          maxSize: MAX_IMPORT_BYTES,
          onError: () => {
            throw new AppError(
              "PAYLOAD_TOO_LARGE",
              `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB: split it and import the parts.`,
            );
          },
        }),
      ],
      request: { params: WorkspaceParams, query: z.object({ dryRun: z.enum(["true", "false"]).optional() }) },
      responses: {
        200: json(ImportResult, "What was (or would be) imported"),
        ...problemResponses,
        413: problemResponses[400],
      },
    }),
    async (c) => {
      const contentType = c.req.header("content-type") ?? "";
      if (!/text\/csv|application\/json|text\/plain/.test(contentType)) {
        throw new AppError(
          "UNSUPPORTED_MEDIA_TYPE",
          "Send the file as text/csv (an access sheet) or application/json (a Delvia export).",
        );
      }
      const caller = c.get("caller")!;
      const dryRun = c.req.valid("query").dryRun === "true";
      const result = await importFile(
        db,
        {
          workspaceId: c.get("workspace").workspaceId,
          actor: { userId: caller.userId, label: caller.email },
          now: clock.now(),
        },
        { contentType, text: await c.req.text() },
        dryRun,
      );
      return c.json({ ...result, dryRun }, 200);
    },
  );

  app.openapi(
    defineRoute(db, {
      access: { kind: "workspace", permission: "read" },
      method: "get",
      path: "/workspaces/{workspaceId}/export",
      summary: "Export the whole record: JSON (re-importable) or CSV (an access sheet)",
      tags: ["Import and export"],
      request: {
        params: WorkspaceParams,
        query: z.object({ format: z.enum(["json", "csv"]).default("json") }),
      },
      responses: {
        200: {
          description: "The export file",
          content: { "application/json": { schema: z.unknown() }, "text/csv": { schema: z.string() } },
        },
        ...problemResponses,
      },
    }),
    async (c) => {
      const { workspaceId } = c.get("workspace");
      const doc = await exportWorkspace(db, workspaceId, clock.now());
      const day = clock.now().toISOString().slice(0, 10);
      if (c.req.valid("query").format === "csv") {
        return c.body(exportAccessSheet(doc), 200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="delvia-${doc.workspace.slug}-${day}.csv"`,
        });
      }
      return c.body(JSON.stringify(doc, null, 2), 200, {
        "content-type": "application/json",
        "content-disposition": `attachment; filename="delvia-${doc.workspace.slug}-${day}.json"`,
      });
    },
  );
  return app;
}
