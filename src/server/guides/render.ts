import { createHash } from "node:crypto";
import { Marked } from "marked";
import { GUIDE_KINDS, GUIDE_PLATFORMS, type Guide, KIND_LABELS } from "../../core/guides/schema.ts";
import { GUIDE_CSS } from "./style.ts";

const marked = new Marked({ gfm: true, breaks: false });

/** Escape text for HTML. Everything not written by us passes through here. */
export function esc(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** Our own Markdown (trusted content files) to HTML; `guide:platform/slug` links become site links. */
export function md(text: string, inline = false): string {
  const src = text.replace(/\(guide:([a-z0-9-]+)\/([a-z0-9-]+)\)/g, "(/guides/$1/$2)");
  return inline ? (marked.parseInline(src) as string) : (marked.parse(src) as string);
}

export const platformName = (key: string) => GUIDE_PLATFORMS.find((p) => p.key === key)?.name ?? key;

/** Remembers the reader's theme choice without cookies; the page follows the system without it. */
export const THEME_SCRIPT =
  "(function(){var k='delvia-theme',t=localStorage.getItem(k);if(t)document.documentElement.dataset.theme=t;document.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('[data-theme-toggle]');if(!b)return;var c=document.documentElement.dataset.theme||(matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light');var n=c==='dark'?'light':'dark';document.documentElement.dataset.theme=n;localStorage.setItem(k,n);});})();";
export const THEME_SCRIPT_HASH = `sha256-${createHash("sha256").update(THEME_SCRIPT).digest("base64")}`;

export interface PageMeta {
  title: string;
  description: string;
  path: string;
  publicUrl: string;
  jsonLd?: unknown[];
  type?: "website" | "article";
}

export function layout(meta: PageMeta, main: string): string {
  const url = `${meta.publicUrl}${meta.path}`;
  const ld = (meta.jsonLd ?? [])
    .map((j) => `<script type="application/ld+json">${JSON.stringify(j).replace(/</g, "\\u003c")}</script>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(meta.title)}</title>
<meta name="description" content="${esc(meta.description)}">
<link rel="canonical" href="${esc(url)}">
<meta property="og:type" content="${meta.type ?? "website"}">
<meta property="og:title" content="${esc(meta.title)}">
<meta property="og:description" content="${esc(meta.description)}">
<meta property="og:url" content="${esc(url)}">
<meta property="og:site_name" content="Delvia Guides">
<meta name="theme-color" content="#0f766e">
<link rel="icon" href="/app/icon.svg" type="image/svg+xml">
<style>${GUIDE_CSS}</style>
<script>${THEME_SCRIPT}</script>
${ld}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/"><span class="logo" aria-hidden="true">D</span> Delvia Guides</a>
<form class="search" action="/guides/search" method="get" role="search"><label for="q" class="sr">Search the guides</label><input id="q" name="q" type="search" placeholder="Search guides" autocomplete="off"><button type="submit">Search</button></form>
<button type="button" class="theme" data-theme-toggle aria-label="Switch between light and dark">◐</button></header>
<main id="main">${main}</main>
<footer class="foot"><p>Guides written for Delvia from the platforms' own documentation. Platforms change their menus: if a step no longer matches, tell us with the feedback buttons.</p><p><a href="/guides">All guides</a> · <a href="/app">Open your record</a></p></footer>
</body>
</html>`;
}

function refLink(library: Map<string, Guide>, ref: string): string {
  const g = library.get(ref);
  return `<a href="/guides/${esc(ref)}">${esc(g?.title ?? ref)}</a>`;
}

function closing(g: Guide): string {
  const record =
    g.kind === "action" && g.actions.length
      ? `<p><a class="button" href="/app/record?guide=${encodeURIComponent(g.ref)}">Record this in Delvia</a></p>`
      : `<p><a class="button" href="/app">Open your record</a></p>`;
  return `<aside class="closing" aria-label="Keep a record"><h2>Keep track of who has access</h2><p>Once access changes hands, write it down: who holds which role, who owns the account, and what must happen when someone leaves. Delvia keeps that record for your team and tells you when something needs attention.</p>${record}</aside>`;
}

/** The guide page: every section of its kind, in order. */
export function guideHtml(
  g: Guide,
  library: Map<string, Guide>,
  opts: { publicUrl: string; thanks?: boolean },
): string {
  const parts: string[] = [];
  parts.push(
    `<nav class="crumbs" aria-label="Breadcrumb"><a href="/guides">Guides</a> › <a href="/guides/${esc(g.platform)}">${esc(platformName(g.platform))}</a></nav>`,
  );
  parts.push(
    `<p class="kind">${esc(KIND_LABELS[g.kind])}</p><h1>${esc(g.title)}</h1><p class="summary">${md(g.summary, true)}</p>`,
  );
  if (g.kind === "action" && g.situations.length) {
    parts.push(
      `<section class="situations" aria-labelledby="sit"><h2 id="sit">If your situation is actually…</h2><ul>${g.situations.map((s) => `<li>${md(s.if, true)} → ${refLink(library, s.guide)}</li>`).join("")}</ul></section>`,
    );
  }
  if (g.body) parts.push(`<div class="body">${md(g.body)}</div>`);
  if (g.kind === "action") {
    parts.push(
      `<section aria-labelledby="before"><h2 id="before">Before you start</h2><ul class="checks">${g.prerequisites.map((p) => `<li><strong>${md(p.item, true)}</strong><p>Why: ${md(p.why, true)}</p><p>How to check: ${md(p.verify, true)}</p></li>`).join("")}</ul></section>`,
    );
    parts.push(
      `<section aria-labelledby="steps"><h2 id="steps">Steps</h2><ol class="steps">${g.steps
        .map(
          (s) =>
            `<li><h3>${md(s.title, true)}</h3><p class="where">Where: ${md(s.where, true)}</p>${md(s.body)}${s.confirm ? `<p class="confirm">You'll know it worked when ${md(s.confirm, true)}</p>` : `<p class="confirm">Nothing on screen confirms this step: ${md(s.no_confirm_reason ?? "", true)}</p>`}${s.if_fails ? `<p class="fails">If this fails → ${refLink(library, s.if_fails)}</p>` : ""}</li>`,
        )
        .join("")}</ol></section>`,
    );
    parts.push(
      `<section aria-labelledby="mistakes"><h2 id="mistakes">Common mistakes</h2><ul>${g.mistakes.map((m) => `<li><strong>${md(m.mistake, true)}</strong><p>${md(m.why, true)}</p>${m.already_happened ? `<p>Already happened? → ${refLink(library, m.already_happened)}</p>` : ""}</li>`).join("")}</ul></section>`,
    );
  }
  if (g.kind === "troubleshooting") {
    parts.push(
      `<section aria-labelledby="symptom"><h2 id="symptom">What you see</h2>${md(g.symptom)}</section>`,
    );
    parts.push(
      `<section aria-labelledby="causes"><h2 id="causes">Likely causes, most likely first</h2><ol class="steps">${g.causes.map((c) => `<li><h3>${md(c.cause, true)}</h3><p class="fix">Fix: </p>${md(c.fix)}</li>`).join("")}</ol></section>`,
    );
    parts.push(
      `<section aria-labelledby="escalate"><h2 id="escalate">When to take it further</h2>${md(g.escalate)}</section>`,
    );
  }
  if (g.kind === "governance") {
    parts.push(
      `<section aria-labelledby="principles"><h2 id="principles">The principles</h2><ul>${g.principles.map((p) => `<li><strong>${md(p.principle, true)}</strong><p>${md(p.why, true)}</p></li>`).join("")}</ul></section>`,
    );
    parts.push(
      `<section aria-labelledby="cadence"><h2 id="cadence">How often to check</h2><p>${md(g.review_cadence, true)}</p></section>`,
    );
    parts.push(
      `<section aria-labelledby="wrong"><h2 id="wrong">What usually goes wrong</h2><ul>${g.goes_wrong.map((w) => `<li>${md(w, true)}</li>`).join("")}</ul></section>`,
    );
    parts.push(
      `<section aria-labelledby="ra"><h2 id="ra">Related tasks</h2><ul>${g.related_actions.map((r) => `<li>${refLink(library, r)}</li>`).join("")}</ul></section>`,
    );
  }
  if (g.kind === "understanding") {
    for (const t of g.roles) {
      parts.push(
        `<div class="table-wrap"><table><caption>${md(t.caption, true)}</caption><thead><tr><th scope="col">Role</th><th scope="col">Where it lives</th><th scope="col">Can</th><th scope="col">Cannot</th></tr></thead><tbody>${t.rows.map((r) => `<tr><th scope="row">${md(r.role, true)}</th><td>${md(r.where, true)}</td><td>${md(r.can, true)}</td><td>${md(r.cannot, true)}</td></tr>`).join("")}</tbody></table></div>`,
      );
    }
  }
  if (g.faq.length)
    parts.push(
      `<section aria-labelledby="faq"><h2 id="faq">Questions people ask</h2>${g.faq.map((f) => `<details><summary>${md(f.q, true)}</summary>${md(f.a)}</details>`).join("")}</section>`,
    );
  if (g.related.length)
    parts.push(
      `<section aria-labelledby="rel"><h2 id="rel">Related guides</h2><ul>${g.related.map((r) => `<li>${refLink(library, r)}</li>`).join("")}</ul></section>`,
    );
  parts.push(
    opts.thanks
      ? `<p class="feedback" role="status">Thank you: your answer helps us fix the guides that don't help.</p>`
      : `<form class="feedback" method="post" action="/guides/${esc(g.ref)}/feedback"><fieldset><legend>Did this solve it?</legend><button name="helpful" value="yes">Yes</button> <button name="helpful" value="no">No</button></fieldset></form>`,
  );
  parts.push(
    `<p class="meta">Last reviewed ${esc(g.last_reviewed)}. Sources: ${g.sources.map((s) => `<a href="${esc(s)}" rel="nofollow noopener">${esc(new URL(s).hostname)}</a>`).join(", ")}.</p>`,
  );
  parts.push(closing(g));
  return `<article>${parts.join("\n")}</article>`;
}

export function guideJsonLd(g: Guide, publicUrl: string): unknown[] {
  const out: unknown[] = [];
  if (g.kind === "action") {
    out.push({
      "@context": "https://schema.org",
      "@type": "HowTo",
      name: g.title,
      description: g.summary,
      url: `${publicUrl}/guides/${g.ref}`,
      step: g.steps.map((s, i) => ({
        "@type": "HowToStep",
        position: i + 1,
        name: s.title,
        text: `${s.where}. ${s.body}`.replace(/\s+/g, " ").trim(),
      })),
    });
  }
  if (g.faq.length) {
    out.push({
      "@context": "https://schema.org",
      "@type": "FAQPage",
      mainEntity: g.faq.map((f) => ({
        "@type": "Question",
        name: f.q,
        acceptedAnswer: { "@type": "Answer", text: f.a },
      })),
    });
  }
  return out;
}

export function hubHtml(platform: string, guides: Guide[]): string {
  const groups = GUIDE_KINDS.map((k) => ({
    k,
    list: guides.filter((g) => g.kind === k).sort((a, b) => a.title.localeCompare(b.title)),
  })).filter((x) => x.list.length);
  return `<nav class="crumbs" aria-label="Breadcrumb"><a href="/guides">Guides</a></nav><h1>${esc(platformName(platform))}</h1><p class="summary">${esc(GUIDE_PLATFORMS.find((p) => p.key === platform)?.blurb ?? "")}</p>${groups
    .map(
      (x) =>
        `<section><h2>${esc(KIND_LABELS[x.k])}</h2><ul class="cards">${x.list.map((g) => `<li><a href="/guides/${esc(g.ref)}"><strong>${esc(g.title)}</strong><span>${esc(g.summary)}</span></a></li>`).join("")}</ul></section>`,
    )
    .join("")}`;
}
