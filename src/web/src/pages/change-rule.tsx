import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api, atLeast, type Workspace } from "../api.ts";
import { Alert, Button, Card, Field, Loading, Select } from "../components/ui.tsx";
import { type PersonView, useList } from "./record-api.ts";
import { orNull, str } from "./record-forms.tsx";

interface ChangeRule {
  notify: string | null;
  removeWithinDays: number | null;
  successorPersonId: string | null;
  notes: string | null;
  updatedAt: string | null;
}

/** "When this changes": who to tell, how fast access must go, who takes over. Plans follow it. */
export function ChangeRuleCard({ ws, accountId }: { ws: Workspace; accountId: string }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["change-rule", ws.id, accountId],
    queryFn: () => api<ChangeRule>(`/workspaces/${ws.id}/accounts/${accountId}/change-rule`),
  });
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const successorId = q.data?.successorPersonId ?? null;
  // The successor's name, one person; the whole list only once someone edits the rule.
  const successor = useQuery({
    queryKey: ["person", ws.id, successorId],
    queryFn: () => api<PersonView>(`/workspaces/${ws.id}/people/${successorId}`),
    enabled: !!successorId,
  }).data;
  const people = useList(ws.id, "people", editing);
  if (q.isPending) return <Loading />;
  if (q.error) return <Alert>{q.error.message}</Alert>;
  const rule = q.data;
  const empty = !rule.notify && rule.removeWithinDays === null && !rule.successorPersonId && !rule.notes;
  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const days = str(f, "removeWithinDays");
    try {
      await api(`/workspaces/${ws.id}/accounts/${accountId}/change-rule`, {
        method: "PUT",
        body: {
          notify: orNull(str(f, "notify")),
          removeWithinDays: days === "" ? null : Number(days),
          successorPersonId: orNull(str(f, "successorPersonId")),
          notes: orNull(str(f, "notes")),
        },
      });
      setEditing(false);
      setError(null);
      await qc.invalidateQueries({ queryKey: ["change-rule", ws.id, accountId] });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "ERROR", String(err)));
    }
  }
  return (
    <Card title="When access to this account changes">
      {editing && people.isPending ? (
        <Loading />
      ) : editing ? (
        <form onSubmit={save} className="flex flex-col gap-4" aria-label="When access changes">
          {error && <Alert>{error.message}</Alert>}
          <Field
            label="Who to tell"
            name="notify"
            defaultValue={rule.notify ?? ""}
            hint="e.g. the client's marketing lead"
            error={error?.field("notify")}
          />
          <Field
            label="Remove access within (days)"
            name="removeWithinDays"
            type="number"
            min={0}
            max={365}
            defaultValue={rule.removeWithinDays ?? ""}
            error={error?.field("removeWithinDays")}
          />
          <Select label="Who takes over" name="successorPersonId" defaultValue={rule.successorPersonId ?? ""}>
            <option value="">Decide when it happens</option>
            {(people.data ?? [])
              .filter((p) => p.status !== "departed")
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
          </Select>
          <Field label="Notes" name="notes" defaultValue={rule.notes ?? ""} />
          <div className="flex gap-2">
            <Button type="submit">Save</Button>
            <Button variant="ghost" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <>
          {empty ? (
            <p className="text-slate-600 dark:text-slate-400">
              Nothing recorded. Plans then ask who takes over and use the plan's own due date.
            </p>
          ) : (
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              {rule.notify && (
                <>
                  <dt className="font-medium">Tell</dt>
                  <dd>{rule.notify}</dd>
                </>
              )}
              {rule.removeWithinDays !== null && (
                <>
                  <dt className="font-medium">Remove within</dt>
                  <dd>{rule.removeWithinDays} days</dd>
                </>
              )}
              {successor && (
                <>
                  <dt className="font-medium">Takes over</dt>
                  <dd>{successor.name}</dd>
                </>
              )}
              {rule.notes && (
                <>
                  <dt className="font-medium">Notes</dt>
                  <dd>{rule.notes}</dd>
                </>
              )}
            </dl>
          )}
          {atLeast(ws.role, "editor") && (
            <Button variant="secondary" className="mt-3" onClick={() => setEditing(true)}>
              {empty ? "Set what must happen" : "Change"}
            </Button>
          )}
        </>
      )}
    </Card>
  );
}
