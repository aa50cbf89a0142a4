import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { GUIDE_PLATFORMS, type Guide, GuideFrontMatter } from "../../core/guides/schema.ts";
import { createGuideSearch } from "../../core/guides/search.ts";
import { type GuideProblem, validateLibrary } from "../../core/guides/validate.ts";

export interface GuideLibrary {
  guides: Guide[];
  byRef: Map<string, Guide>;
  byPlatform: Map<string, Guide[]>;
  search: ReturnType<typeof createGuideSearch>;
}

export class GuideContentError extends Error {
  readonly problems: GuideProblem[];
  constructor(problems: GuideProblem[]) {
    super(
      `The guide content has ${problems.length} problem(s):\n${problems.map((p) => `  ${p.ref} ${p.field}: ${p.message}`).join("\n")}`,
    );
    this.problems = problems;
  }
}

/** Split `---\nyaml\n---\nmarkdown`. */
function splitFrontMatter(text: string): { yaml: string; body: string } | null {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  return m ? { yaml: m[1]!, body: m[2]!.trim() } : null;
}

/** Parse and check every guide under `dir` (`<platform>/<slug>.md`); problems are collected, not thrown one by one. */
export function readGuides(dir: string): { guides: Guide[]; problems: GuideProblem[] } {
  const guides: Guide[] = [];
  const problems: GuideProblem[] = [];
  let platforms: string[] = [];
  try {
    platforms = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith("_"))
      .map((d) => d.name);
  } catch {
    return { guides, problems: [{ ref: dir, field: "", message: "the guide folder does not exist" }] };
  }
  for (const platform of platforms.sort()) {
    for (const file of readdirSync(join(dir, platform))
      .filter((f) => f.endsWith(".md"))
      .sort()) {
      const slug = file.slice(0, -3);
      const ref = `${platform}/${slug}`;
      const split = splitFrontMatter(readFileSync(join(dir, platform, file), "utf8"));
      if (!split) {
        problems.push({ ref, field: "", message: "no front matter between --- lines" });
        continue;
      }
      let data: unknown;
      try {
        data = parseYaml(split.yaml);
      } catch (err) {
        problems.push({
          ref,
          field: "front matter",
          message: `not valid YAML: ${(err as Error).message.split("\n")[0]}`,
        });
        continue;
      }
      const parsed = GuideFrontMatter.safeParse(data);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          problems.push({ ref, field: issue.path.join("."), message: issue.message });
        continue;
      }
      guides.push({ ...parsed.data, ref, slug, body: split.body });
    }
  }
  problems.push(...validateLibrary(guides));
  return { guides, problems };
}

export function buildLibrary(guides: Guide[]): GuideLibrary {
  const byPlatform = new Map<string, Guide[]>();
  for (const g of guides) {
    const list = byPlatform.get(g.platform);
    if (list) list.push(g);
    else byPlatform.set(g.platform, [g]);
  }
  const names = Object.fromEntries(GUIDE_PLATFORMS.map((p) => [p.key, p.name]));
  return {
    guides,
    byRef: new Map(guides.map((g) => [g.ref, g])),
    byPlatform,
    search: createGuideSearch(guides, names),
  };
}

/** Load the library once at start-up; invalid content stops start-up with every problem listed. */
export function loadGuideLibrary(dir: string): GuideLibrary {
  const { guides, problems } = readGuides(dir);
  if (problems.length) throw new GuideContentError(problems);
  return buildLibrary(guides);
}
