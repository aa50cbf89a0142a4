// biome-ignore lint/style/noRestrictedImports: this test reads the source tree; core code itself stays pure
import { readdirSync, readFileSync } from "node:fs";
// biome-ignore lint/style/noRestrictedImports: as above
import { join, relative } from "node:path";
import { check } from "recheck";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * ReDoS guard: every regular expression written in the source, as a /literal/ or as
 * `new RegExp("literal")`, must be one that recheck proves safe (no exponential or polynomial
 * backtracking). Found with the TypeScript parser, so regexes in strings and comments do not count
 * and division does not confuse it. A pattern built at run time is not checked here.
 */

const ROOT = join(import.meta.dirname, "..");

interface Found {
  where: string;
  source: string;
  flags: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === "node_modules" || entry.name === "dist" ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

function regexesIn(file: string): Found[] {
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const out: Found[] = [];
  const where = (node: ts.Node) =>
    `${relative(join(ROOT, ".."), file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
  const visit = (node: ts.Node) => {
    if (ts.isRegularExpressionLiteral(node)) {
      const literal = node.text;
      const end = literal.lastIndexOf("/");
      out.push({ where: where(node), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "RegExp"
    ) {
      const [pattern, flags] = node.arguments ?? [];
      if (pattern && ts.isStringLiteralLike(pattern))
        out.push({
          where: where(node),
          source: pattern.text,
          flags: flags && ts.isStringLiteralLike(flags) ? flags.text : "",
        });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/**
 * Regexes recheck does not prove safe, each a known bug to fix (then delete its line: its
 * `it.fails` below starts failing once the pattern is safe or gone, so this list cannot go stale).
 */
const KNOWN_UNSAFE: { pattern: string; file: string; why: string }[] = [
  { pattern: "/<script[^>]+src=/", file: "src/server/guides/site.test.ts", why: "test code, trusted input" },
  {
    pattern: '/<script type="application\\/ld\\+json">(.*?)<\\/script>/g',
    file: "src/server/guides/site.test.ts",
    why: "test code, trusted input",
  },
];

const key = (f: { source: string; flags: string }) => `/${f.source}/${f.flags}`;
const known = new Set(KNOWN_UNSAFE.map((k) => k.pattern));
const recheck = (source: string, flags: string) => check(source, flags, { randomSeed: 1, timeout: 10_000 });

describe("regular expressions in the source", () => {
  const found = sourceFiles(ROOT).flatMap(regexesIn);

  it("finds the regexes it is meant to check", () => {
    // A parse that silently found nothing would make the check below pass vacuously.
    expect(found.length).toBeGreaterThan(50);
    expect(found.some((f) => f.where.includes("src/server/problem.ts"))).toBe(true);
  });

  it("every one is safe from catastrophic backtracking (recheck)", async () => {
    const unique = new Map<string, Found[]>();
    for (const f of found) unique.set(key(f), [...(unique.get(key(f)) ?? []), f]);
    const unsafe: string[] = [];
    for (const [pattern, sites] of unique) {
      if (known.has(pattern)) continue;
      const result = await recheck(sites[0]!.source, sites[0]!.flags);
      if (result.status !== "safe") {
        const why =
          result.status === "vulnerable"
            ? `vulnerable (${result.complexity.type}), attack: ${result.attack.pattern}`
            : `unknown (${result.error.kind})`;
        unsafe.push(`${pattern} at ${sites.map((s) => s.where).join(", ")}: ${why}`);
      }
    }
    console.log(
      `regex-safety: ${found.length} regexes (${unique.size} distinct) checked, ${unsafe.length} new not safe, ${KNOWN_UNSAFE.length} known not safe`,
    );
    expect(unsafe, `regexes recheck does not prove safe:\n${unsafe.join("\n")}`).toEqual([]);
  }, 120_000);

  for (const k of KNOWN_UNSAFE) {
    // Known bugs: these fail today. When one passes, the regex was fixed: remove it from KNOWN_UNSAFE.
    it.fails(`known unsafe, to fix: ${k.pattern} in ${k.file} (${k.why})`, async () => {
      const site = found.find((f) => key(f) === k.pattern && f.where.startsWith(`${k.file}:`));
      if (!site) return; // gone from the source: fixed
      expect((await recheck(site.source, site.flags)).status).toBe("safe");
    });
  }
});
