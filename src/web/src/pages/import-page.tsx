import { useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, useState } from "react";
import { type ApiError, api, atLeast } from "../api.ts";
import { AppShell, NeedsRole } from "../components/shell.tsx";
import { Alert, Button, Card, PageTitle } from "../components/ui.tsx";
import { useWorkspace } from "./workspace-pages.tsx";

interface Counts {
  organizations: number;
  people: number;
  accounts: number;
  assets: number;
  sharedLogins: number;
  grants: number;
}
interface Result {
  kind: "sheet" | "export";
  dryRun: boolean;
  rows: number;
  created: Counts;
  changed: Counts;
  unchangedRows: number;
}

const LABELS: [keyof Counts, string][] = [
  ["organizations", "organizations"],
  ["people", "people"],
  ["accounts", "accounts"],
  ["assets", "assets"],
  ["sharedLogins", "shared logins"],
  ["grants", "grants"],
];

/** Upload an access sheet or an export: a preview first, then one all-or-nothing import. */
export function ImportPage() {
  const { workspace, element } = useWorkspace();
  const qc = useQueryClient();
  const [file, setFile] = useState<{ name: string; text: string; type: string } | null>(null);
  const [preview, setPreview] = useState<Result | null>(null);
  const [done, setDone] = useState<Result | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  if (!workspace) return element!;
  if (!atLeast(workspace.role, "editor")) {
    return (
      <AppShell workspace={workspace}>
        <NeedsRole needed="editor" what="import into the record" />
      </AppShell>
    );
  }
  const send = async (dryRun: boolean) => {
    if (!file) return;
    setError(null);
    try {
      const r = await api<Result>(`/workspaces/${workspace.id}/import${dryRun ? "?dryRun=true" : ""}`, {
        raw: file.text,
        contentType: file.type,
      });
      if (dryRun) setPreview(r);
      else {
        setDone(r);
        setPreview(null);
        await qc.invalidateQueries({ predicate: (q) => q.queryKey[1] === workspace.id });
      }
    } catch (err) {
      setError(err as ApiError);
      setPreview(null);
    }
  };
  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    setPreview(null);
    setDone(null);
    setError(null);
    if (!f) return setFile(null);
    const text = await f.text();
    const next = {
      name: f.name,
      text,
      type: f.name.toLowerCase().endsWith(".json") ? "application/json" : "text/csv",
    };
    setFile(next);
  };
  return (
    <AppShell workspace={workspace}>
      <PageTitle sub="Bring in the spreadsheet you keep today (CSV), or a full Delvia export (JSON). Nothing is written until you confirm, and a file with any problem changes nothing.">
        Import
      </PageTitle>
      <div className="flex flex-col gap-4">
        <Card>
          <label htmlFor="import-file" className="mb-2 block text-sm font-medium">
            File
          </label>
          <input
            id="import-file"
            type="file"
            accept=".csv,.json,text/csv,application/json"
            onChange={pick}
            className="block w-full text-sm"
          />
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
            Columns: platform, account, account_org, subject, role, and optionally account_id, account_owner,
            asset, asset_type, asset_id, subject_type, email, subject_org, status, dates, known_by, notes.
          </p>
          <div className="mt-4">
            <Button onClick={() => send(true)} disabled={!file}>
              Preview
            </Button>
          </div>
        </Card>
        {error && (
          <Alert>
            {error.message}
            {error.problems.length > 0 && (
              <ul className="mt-2 list-disc pl-5">
                {error.problems.slice(0, 50).map((p) => (
                  <li key={p.path + p.message}>
                    {p.path}: {p.message}
                  </li>
                ))}
              </ul>
            )}
          </Alert>
        )}
        {preview && (
          <Card title="What this file will do">
            <ul className="list-disc pl-5 text-slate-700 dark:text-slate-300">
              {LABELS.map(([k, label]) => (
                <li key={k}>
                  Create {preview.created[k]} {label}
                  {preview.changed[k] ? `, change ${preview.changed[k]}` : ""}
                </li>
              ))}
              <li>Leave {preview.unchangedRows} rows alone (already in the record)</li>
            </ul>
            <div className="mt-4">
              <Button onClick={() => send(false)}>Import {file?.name}</Button>
            </div>
          </Card>
        )}
        {done && (
          <Alert tone="success">
            Imported {done.rows} rows: {done.created.grants} new grants, {done.changed.grants} changed,{" "}
            {done.unchangedRows} already in the record.
          </Alert>
        )}
      </div>
    </AppShell>
  );
}
