import MiniSearch from "minisearch";
import type { Guide } from "./schema.ts";

export interface SearchHit {
  ref: string;
  title: string;
  summary: string;
  platform: string;
  kind: string;
  score: number;
}

/** Ranked, typo-tolerant search over titles, summaries, steps and FAQs. */
export function createGuideSearch(guides: Guide[], platformNames: Record<string, string>) {
  const index = new MiniSearch<{
    id: string;
    title: string;
    summary: string;
    platform: string;
    text: string;
    kind: string;
  }>({
    fields: ["title", "summary", "platform", "text"],
    storeFields: ["title", "summary", "platform", "kind"],
    searchOptions: {
      boost: { title: 4, platform: 2, summary: 2 },
      fuzzy: 0.25,
      prefix: true,
      combineWith: "AND",
    },
  });
  index.addAll(
    guides.map((g) => ({
      id: g.ref,
      title: g.title,
      summary: g.summary,
      kind: g.kind,
      platform: `${g.platform} ${platformNames[g.platform] ?? ""}`,
      text: [
        g.body,
        ...(g.kind === "action" ? g.steps.map((s) => `${s.title} ${s.body}`) : []),
        ...(g.kind === "troubleshooting" ? [g.symptom] : []),
        ...g.faq.map((f) => f.q),
      ].join(" "),
    })),
  );
  return (query: string, limit = 20): SearchHit[] => {
    const q = query.trim().slice(0, 200);
    if (!q) return [];
    let hits = index.search(q);
    if (hits.length === 0) hits = index.search(q, { combineWith: "OR" });
    return hits.slice(0, limit).map((h) => ({
      ref: h.id as string,
      title: h.title,
      summary: h.summary,
      platform: h.platform,
      kind: h.kind,
      score: h.score,
    }));
  };
}
