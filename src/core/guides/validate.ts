import { GUIDE_PLATFORMS, type Guide } from "./schema.ts";

export interface GuideProblem {
  ref: string;
  field: string;
  message: string;
}

/** Every guide ref a guide mentions, with the field it is in (front matter and `guide:` links). */
export function refsOf(g: Guide): { field: string; ref: string }[] {
  const out: { field: string; ref: string }[] = [];
  const add = (field: string, ref: string | undefined) => {
    if (ref) out.push({ field, ref });
  };
  for (const [i, r] of g.related.entries()) add(`related.${i}`, r);
  if (g.kind === "action") {
    for (const [i, s] of g.situations.entries()) add(`situations.${i}.guide`, s.guide);
    for (const [i, s] of g.steps.entries()) add(`steps.${i}.if_fails`, s.if_fails);
    for (const [i, m] of g.mistakes.entries()) add(`mistakes.${i}.already_happened`, m.already_happened);
  }
  if (g.kind === "governance")
    for (const [i, r] of g.related_actions.entries()) add(`related_actions.${i}`, r);
  const text = JSON.stringify(g);
  for (const m of text.matchAll(/\(guide:([a-z0-9-]+\/[a-z0-9-]+)\)/g)) add("markdown link", m[1]);
  return out;
}

/**
 * Library-wide rules: refs resolve, platform matches the folder and is known, slugs are unique.
 * (Every guide is listed on its platform's hub by construction, so none is unreachable.)
 */
export function validateLibrary(guides: Guide[]): GuideProblem[] {
  const problems: GuideProblem[] = [];
  const known = new Set(GUIDE_PLATFORMS.map((p) => p.key));
  const refs = new Map<string, number>();
  for (const g of guides) refs.set(g.ref, (refs.get(g.ref) ?? 0) + 1);
  for (const g of guides) {
    if (!known.has(g.platform))
      problems.push({ ref: g.ref, field: "platform", message: `unknown platform "${g.platform}"` });
    if (g.ref !== `${g.platform}/${g.slug}`)
      problems.push({
        ref: g.ref,
        field: "platform",
        message: `platform "${g.platform}" does not match the folder`,
      });
    if ((refs.get(g.ref) ?? 0) > 1)
      problems.push({ ref: g.ref, field: "slug", message: "two guides have this reference" });
    for (const { field, ref } of refsOf(g)) {
      if (!refs.has(ref))
        problems.push({ ref: g.ref, field, message: `links to ${ref}, which does not exist` });
      if (ref === g.ref) problems.push({ ref: g.ref, field, message: "links to itself" });
    }
  }
  return problems;
}
