import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { getPlatform } from "../../../core/catalog/index.ts";
import { api, type Workspace } from "../api.ts";
import { Alert, Button, Card, Select } from "../components/ui.tsx";
import type { GrantView, RecordData } from "./record-api.ts";
import { EditAccountForm, EditGrantForm } from "./record-edit.tsx";
import { AddGrantForm, grantFormAssets } from "./record-forms.tsx";
import { linkCls, RecordPage } from "./record-pages.tsx";

/**
 * Where a context string points: a finding key (`rule:subjectId:accountId`) or an account
 * (`account:ID`). Guides followed from a finding or an account carry it.
 */
function parseContext(
  context: string,
  r: RecordData,
): { accountId?: string; personId?: string; subjectId?: string } {
  if (context.startsWith("account:")) return { accountId: context.slice(8) };
  const [, subjectId, accountId] = context.split(":");
  const out: { accountId?: string; personId?: string; subjectId?: string } = {};
  if (accountId && r.accounts.some((a) => a.id === accountId)) out.accountId = accountId;
  if (subjectId && subjectId !== "-") {
    out.subjectId = subjectId;
    if (r.people.some((p) => p.id === subjectId)) out.personId = subjectId;
  }
  return out;
}

/** After a guide's steps: record the change, with what the context tells us already filled in. */
export function RecordThisInAppPage() {
  const { guide = "", context = "" } = useSearch({ strict: false }) as { guide?: string; context?: string };
  return (
    <RecordPage
      title="Record this"
      sub="Keep the record true: note the change you just made on the platform."
    >
      {(ws, r) => <RecordThis ws={ws} r={r} guideRef={guide} context={context} />}
    </RecordPage>
  );
}

function RecordThis({
  ws,
  r,
  guideRef,
  context,
}: {
  ws: Workspace;
  r: RecordData;
  guideRef: string;
  context: string;
}) {
  const [platformKey] = guideRef.split("/");
  const guide = useQuery({
    queryKey: ["guide", guideRef],
    queryFn: () => api<{ title: string; actions: string[] }>(`/guides/${guideRef}`),
    enabled: guideRef.includes("/"),
  });
  const hint = parseContext(context, r);
  const candidates = r.accounts.filter((a) => a.platform === platformKey);
  const [accountId, setAccountId] = useState(hint.accountId ?? candidates[0]?.id ?? "");
  const [done, setDone] = useState(false);
  const [revokedAny, setRevokedAny] = useState(false);
  const account = r.accounts.find((a) => a.id === accountId);
  const action = guide.data?.actions[0] ?? "invite";
  if (done)
    return (
      <Alert tone="success">
        Recorded.{" "}
        {account && (
          <Link
            to="/w/$slug/accounts/$accountId"
            params={{ slug: ws.slug, accountId: account.id }}
            className={linkCls}
          >
            Open {account.name}
          </Link>
        )}
      </Alert>
    );
  const subjectGrants = (r.grants as GrantView[]).filter(
    (g) =>
      g.target.accountId === accountId &&
      g.status !== "revoked" &&
      ((g.subject.type === "person" && g.subject.personId === hint.subjectId) ||
        (g.subject.type === "partner" && g.subject.accountId === hint.subjectId) ||
        (g.subject.type === "shared_login" && g.subject.sharedLoginId === hint.subjectId)),
  );
  return (
    <div className="flex flex-col gap-4">
      {guide.data && (
        <p className="text-slate-700 dark:text-slate-300">
          You followed <strong>{guide.data.title}</strong>.
        </p>
      )}
      <Select label="Account" value={accountId} onChange={(e) => setAccountId(e.target.value)}>
        {(candidates.length ? candidates : r.accounts).map((a) => (
          <option key={a.id} value={a.id}>
            {a.name} ({getPlatform(a.platform)?.name ?? a.platform})
          </option>
        ))}
      </Select>
      {!account ? (
        <Alert tone="info">
          This account is not in the record yet.{" "}
          <Link to="/w/$slug/accounts" params={{ slug: ws.slug }} className={linkCls}>
            Add it first
          </Link>
          .
        </Alert>
      ) : action === "remove" || action === "remove-partner" ? (
        <Card title="Mark the access as removed">
          {subjectGrants.length === 0 && revokedAny ? (
            <Alert tone="success">Recorded: nothing of theirs is left on this account.</Alert>
          ) : subjectGrants.length === 0 ? (
            <p className="text-slate-600 dark:text-slate-400">
              Nothing to mark here: open the account and use “Change” on the access you removed.
            </p>
          ) : (
            <ul className="flex flex-col gap-3">
              {subjectGrants.map((g) => (
                <li key={g.id}>
                  <RevokeOne ws={ws} g={g} r={r} onDone={() => setRevokedAny(true)} />
                </li>
              ))}
            </ul>
          )}
        </Card>
      ) : action === "change-role" && subjectGrants[0] ? (
        <Card title="Record the new role">
          <EditGrantForm
            workspaceId={ws.id}
            grant={subjectGrants[0]}
            platform={account.platform}
            level={r.assets.find((a) => a.id === subjectGrants[0]!.target.assetId)?.type ?? "account"}
            onDone={() => setDone(true)}
          />
        </Card>
      ) : action === "transfer-ownership" ? (
        <Card title="Record the new owner">
          <EditAccountForm workspaceId={ws.id} account={account} onDone={() => setDone(true)} />
        </Card>
      ) : (
        <Card title={action === "add-partner" ? "Record the partner connection" : "Record the access"}>
          <AddGrantForm
            key={account.id}
            workspaceId={ws.id}
            account={account}
            assets={grantFormAssets(r, account)}
            onDone={() => setDone(true)}
            initial={{
              subjectType: action === "add-partner" ? "partner" : "person",
              ...(hint.personId ? { personId: hint.personId } : {}),
              status: action === "invite" ? "pending" : "active",
            }}
          />
        </Card>
      )}
    </div>
  );
}

function RevokeOne({ ws, g, r, onDone }: { ws: Workspace; g: GrantView; r: RecordData; onDone: () => void }) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const who =
    g.subject.type === "person"
      ? r.people.find((p) => p.id === (g.subject as { personId: string }).personId)?.name
      : g.subject.type === "partner"
        ? r.accounts.find((a) => a.id === (g.subject as { accountId: string }).accountId)?.name
        : "Shared login";
  const asset = g.target.assetId ? r.assets.find((a) => a.id === g.target.assetId)?.name : null;
  const revoke = async () => {
    setBusy(true);
    try {
      const { id, createdAt: _c, updatedAt: _u, ...input } = g;
      await api(`/workspaces/${ws.id}/grants/${id}`, {
        method: "PUT",
        body: { ...input, status: "revoked", revokedOn: new Date().toISOString().slice(0, 10) },
      });
      await qc.invalidateQueries({ predicate: (x) => x.queryKey[1] === ws.id });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="flex flex-wrap items-center justify-between gap-2">
      <span>
        {who} — {g.role}
        {asset ? ` on ${asset}` : ""}
      </span>
      {error && <Alert>{error}</Alert>}
      <Button disabled={busy} onClick={() => void revoke()}>
        Mark removed
      </Button>
    </div>
  );
}
