import "@xyflow/react/dist/style.css";
import { useQuery } from "@tanstack/react-query";
import { useParams, useSearch } from "@tanstack/react-router";
import { Background, Controls, type Edge, MarkerType, type Node, ReactFlow } from "@xyflow/react";
import { useMemo, useState } from "react";
import { api } from "../api.ts";
import { AppShell } from "../components/shell.tsx";
import { Alert, Loading, PageTitle } from "../components/ui.tsx";
import { useWorkspace } from "./workspace-pages.tsx";

interface MapNode {
  type: string;
  id: string;
  name: string;
  departed?: boolean;
}
interface Answer {
  node: MapNode;
  role: string;
  departed: boolean;
  path: { kind: string; from: MapNode; to: MapNode; role: string | null; grantId: string | null }[];
}

const COLOURS: Record<string, string> = {
  person: "#0f766e",
  shared_login: "#b45309",
  system_user: "#6d28d9",
  account: "#1d4ed8",
  asset: "#334155",
};

/**
 * Builds a layered drawing from answer paths: each node sits in the layer of its furthest
 * position along any path, so people are at the top and the target at the bottom.
 */
function layout(answers: Answer[], selected: number | null) {
  const depth = new Map<string, number>();
  const info = new Map<string, MapNode>();
  for (const a of answers) {
    a.path.forEach((e, i) => {
      info.set(e.from.id, e.from);
      info.set(e.to.id, e.to);
      depth.set(e.from.id, Math.max(depth.get(e.from.id) ?? 0, i));
      depth.set(e.to.id, Math.max(depth.get(e.to.id) ?? 0, i + 1));
    });
  }
  const columns = new Map<number, string[]>();
  for (const [id, d] of depth) columns.set(d, [...(columns.get(d) ?? []), id]);
  const highlighted = new Set<string>();
  if (selected !== null)
    for (const e of answers[selected]?.path ?? []) highlighted.add(`${e.from.id}>${e.to.id}`);
  const nodes: Node[] = [];
  for (const [d, ids] of columns) {
    ids.forEach((id, row) => {
      const n = info.get(id)!;
      nodes.push({
        id,
        // Layers run top to bottom (people first, the target last): it reads on a narrow phone.
        position: { x: row * 210, y: d * 130 },
        data: { label: `${n.name}${n.departed ? " (left)" : ""}` },
        style: {
          border: `2px solid ${COLOURS[n.type] ?? "#334155"}`,
          borderRadius: 10,
          padding: 8,
          width: 190,
          fontSize: 13,
          background: n.departed ? "#fee2e2" : "white",
          color: "#0f172a",
        },
      });
    });
  }
  const edges: Edge[] = [];
  const seen = new Set<string>();
  for (const a of answers) {
    for (const e of a.path) {
      const key = `${e.from.id}>${e.to.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const on = highlighted.has(key);
      edges.push({
        id: key,
        source: e.from.id,
        target: e.to.id,
        label: e.role ?? e.kind,
        animated: on,
        markerEnd: { type: MarkerType.ArrowClosed },
        style: { stroke: on ? "#0d9488" : "#94a3b8", strokeWidth: on ? 3 : 1.5 },
        labelStyle: { fontSize: 11 },
      });
    }
  }
  return { nodes, edges };
}

/** The access map: people → accounts → partner connections → assets, for one account or person. */
export function AccessMapPage() {
  const { workspace, element } = useWorkspace();
  const { accountId, personId } = useSearch({ strict: false }) as { accountId?: string; personId?: string };
  useParams({ strict: false });
  const [selected, setSelected] = useState<number | null>(null);
  const base = workspace ? `/workspaces/${workspace.id}` : "";
  const q = useQuery({
    queryKey: ["map", base, accountId, personId],
    enabled: !!workspace && !!(accountId || personId),
    // For an account: who reaches the account itself and each asset held in it.
    queryFn: async () => {
      if (personId) return api<{ answers: Answer[] }>(`${base}/people/${personId}/reach`);
      const { assets } = await api<{ assets: { id: string }[] }>(`${base}/assets?accountId=${accountId}`);
      const parts = await Promise.all([
        api<{ answers: Answer[] }>(`${base}/who-can-reach?accountId=${accountId}`),
        ...assets.map((x) => api<{ answers: Answer[] }>(`${base}/who-can-reach?assetId=${x.id}`)),
      ]);
      return { answers: parts.flatMap((p) => p.answers) };
    },
  });
  const answers = useMemo(() => (q.data?.answers ?? []).filter((a) => a.path.length > 0), [q.data]);
  const graph = useMemo(() => layout(answers, selected), [answers, selected]);
  if (!workspace) return element!;
  return (
    <AppShell workspace={workspace}>
      <PageTitle sub="Who reaches what, and through which connection. Choose an answer to highlight its path.">
        Access map
      </PageTitle>
      {!accountId && !personId ? (
        <Alert tone="info">Open the map from an account or a person.</Alert>
      ) : q.isPending ? (
        <Loading />
      ) : (
        <div className="flex flex-col gap-4">
          <label className="flex flex-col gap-1 text-sm font-medium">
            Highlight a path
            <select
              className="min-h-11 w-full rounded-lg border border-slate-300 bg-white px-2 dark:border-slate-600 dark:bg-slate-900"
              value={selected ?? ""}
              onChange={(e) => setSelected(e.target.value === "" ? null : Number(e.target.value))}
            >
              <option value="">None</option>
              {answers.map((a, i) => (
                <option key={`${a.node.id}-${a.path.map((e) => e.grantId ?? e.kind).join()}`} value={i}>
                  {a.node.name} as {a.role}
                </option>
              ))}
            </select>
          </label>
          <div
            className="h-[28rem] rounded-xl bg-white ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
            role="img"
            aria-label={`Access map with ${graph.nodes.length} items and ${graph.edges.length} connections`}
          >
            <ReactFlow
              nodes={graph.nodes}
              edges={graph.edges}
              fitView
              nodesDraggable={false}
              nodesConnectable={false}
              proOptions={{ hideAttribution: true }}
            >
              <Background />
              <Controls showInteractive={false} />
            </ReactFlow>
          </div>
        </div>
      )}
    </AppShell>
  );
}
