import { html } from "hono/html";

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
  "x-delvia-access"?: string;
}

const ACCESS_WORDS: Record<string, string> = {
  public: "anyone",
  user: "signed-in users",
  "workspace:read": "workspace viewers and above",
  "workspace:write": "workspace editors and above",
  "workspace:manageMembers": "workspace admins and owners",
  "workspace:manageWorkspace": "workspace owners",
};

/** A plain, server-rendered reference of the OpenAPI document: readable with no JavaScript. */
export function apiReferencePage(doc: {
  info: { title: string; version: string; description?: string };
  paths?: object;
}) {
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {}) as [string, Record<string, unknown>][]) {
    for (const [method, value] of Object.entries(item)) {
      const op = value as Operation;
      if (!op || typeof op !== "object" || !op.responses) continue;
      const tag = op.tags?.[0] ?? "Other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ method: method.toUpperCase(), path, op });
    }
  }
  const sections = [...byTag.entries()].map(
    ([tag, ops]) =>
      html`<section><h2>${tag}</h2>${ops.map(
        ({ method, path, op }) => html`<article>
        <h3><code class="m m-${method.toLowerCase()}">${method}</code> <code>${path}</code></h3>
        <p>${op.summary ?? ""}</p>
        <p class="who">Who may call it: ${ACCESS_WORDS[op["x-delvia-access"] ?? ""] ?? "see /api/auth"}</p>
        ${op.requestBody?.content?.["application/json"]?.schema ? html`<details><summary>Request body</summary><pre>${JSON.stringify(op.requestBody.content["application/json"].schema, null, 2)}</pre></details>` : ""}
        <ul>${Object.entries(op.responses ?? {}).map(([code, r]) => html`<li><code>${code}</code> ${r.description ?? ""}</li>`)}</ul>
      </article>`,
      )}</section>`,
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${doc.info.title} reference</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
@media (prefers-color-scheme:dark){body{color:#eee;background:#111}pre{background:#222!important}}
h1{margin-bottom:.2rem} article{border-top:1px solid #8884;padding:.5rem 0} pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:.85rem}
.m{font-weight:700}.m-get{color:#0a7a35}.m-post{color:#0b5cad}.m-patch{color:#8a5a00}.m-delete{color:#b3261e}.who{font-size:.9rem;opacity:.8}
@media (prefers-color-scheme:dark){.m-get{color:#6fd69b}.m-post{color:#8cc2ff}.m-patch{color:#f2c46d}.m-delete{color:#ff9a90}}
</style></head>
<body><main><h1>${doc.info.title}</h1><p>Version ${doc.info.version}. ${doc.info.description ?? ""}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Errors are <code>application/problem+json</code> (RFC 9457) with a <code>detail</code> to show and <code>problems</code> naming each field.</p>
<p>Authentication endpoints (sign up, sign in, passkeys, two-factor, password reset) live under <code>/api/auth</code>.</p>
${sections}
</main></body></html>`;
}
