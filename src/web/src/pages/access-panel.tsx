import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api.ts";
import { Badge, Button, Loading } from "../components/ui.tsx";

interface Node {
  type: string;
  id: string;
  name: string;
  departed?: boolean;
}
interface Answer {
  node: Node;
  role: string;
  departed: boolean;
  path: {
    kind: "grant" | "includes" | "knows";
    from: Node;
    to: Node;
    role: string | null;
    grantId: string | null;
  }[];
}

const answerKey = (a: Answer) =>
  `${a.node.id}:${a.path.map((e) => e.grantId ?? `${e.kind}-${e.to.id}`).join(",")}`;

const HOW: Record<string, string> = { grant: "holds", includes: "includes", knows: "knows" };

/** One answer's path, read left to right: "Jane —Analyst→ Agency BC —Operator→ Client ads". */
export function PathLine({ answer }: { answer: Answer }) {
  return (
    <ol className="flex flex-wrap items-center gap-1 text-sm" aria-label={`Path for ${answer.node.name}`}>
      {answer.path.map((e, i) => (
        <li key={`${e.grantId ?? e.kind}-${e.from.id}-${e.to.id}`} className="flex items-center gap-1">
          {i === 0 && <span className="font-medium">{e.from.name}</span>}
          <span className="rounded bg-brand-50 px-1.5 py-0.5 text-xs text-brand-800 dark:bg-slate-800 dark:text-brand-100">
            {e.role ?? HOW[e.kind]} →
          </span>
          <span className="font-medium">{e.to.name}</span>
        </li>
      ))}
    </ol>
  );
}

/** Answers shown before "Show all": a long list would bury the rest of the page on a phone. */
const SHOWN = 20;

/** Who can reach an account or asset, with the path of each answer. */
export function WhoCanReach({
  workspaceId,
  target,
}: {
  workspaceId: string;
  target: { accountId: string } | { assetId: string };
}) {
  const qs = "accountId" in target ? `accountId=${target.accountId}` : `assetId=${target.assetId}`;
  const q = useQuery({
    queryKey: ["who-can-reach", workspaceId, qs],
    queryFn: () => api<{ answers: Answer[] }>(`/workspaces/${workspaceId}/who-can-reach?${qs}`),
  });
  const [all, setAll] = useState(false);
  if (q.isPending) return <Loading />;
  const people = (q.data?.answers ?? []).filter(
    (a) => a.node.type === "person" || a.node.type === "system_user",
  );
  if (people.length === 0)
    return <p className="text-slate-600 dark:text-slate-400">Nobody can reach it according to the record.</p>;
  const shown = all ? people : people.slice(0, SHOWN);
  return (
    <>
      <ul className="flex flex-col gap-3">
        {shown.map((a) => (
          <li key={answerKey(a)} className="flex flex-col gap-1">
            <p>
              <strong>{a.node.name}</strong> as {a.role}{" "}
              {a.departed && <Badge>departed — still has access</Badge>}
            </p>
            <PathLine answer={a} />
          </li>
        ))}
      </ul>
      {shown.length < people.length && (
        <Button variant="secondary" className="mt-3" onClick={() => setAll(true)}>
          Show all {people.length.toLocaleString()}
        </Button>
      )}
    </>
  );
}

/** Everything a person can reach, with paths. */
export function PersonReach({ workspaceId, personId }: { workspaceId: string; personId: string }) {
  const q = useQuery({
    queryKey: ["reach", workspaceId, personId],
    queryFn: () => api<{ answers: Answer[] }>(`/workspaces/${workspaceId}/people/${personId}/reach`),
  });
  const [all, setAll] = useState(false);
  if (q.isPending) return <Loading />;
  const answers = q.data?.answers ?? [];
  if (answers.length === 0)
    return <p className="text-slate-600 dark:text-slate-400">Nothing, according to the record.</p>;
  const shown = all ? answers : answers.slice(0, SHOWN);
  return (
    <>
      <ul className="flex flex-col gap-3">
        {shown.map((a) => (
          <li key={answerKey(a)} className="flex flex-col gap-1">
            <p>
              <strong>{a.node.name}</strong>{" "}
              <span className="text-sm text-slate-600 dark:text-slate-400">
                ({a.node.type === "asset" ? "asset" : "account"})
              </span>{" "}
              as {a.role}
            </p>
            <PathLine answer={a} />
          </li>
        ))}
      </ul>
      {shown.length < answers.length && (
        <Button variant="secondary" className="mt-3" onClick={() => setAll(true)}>
          Show all {answers.length.toLocaleString()}
        </Button>
      )}
    </>
  );
}
