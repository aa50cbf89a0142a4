/** The guide site's whole stylesheet, inlined in each page (no render-blocking request). */
export const GUIDE_CSS = `
:root{--bg:#f8fafc;--fg:#0f172a;--muted:#475569;--card:#fff;--line:#e2e8f0;--brand:#0f766e;--brand-fg:#fff;--link:#0f766e;--ok:#065f46;--ok-bg:#ecfdf5;--warn-bg:#fffbeb;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]){--bg:#020617;--fg:#e2e8f0;--muted:#94a3b8;--card:#0f172a;--line:#1e293b;--link:#5eead4;--ok:#a7f3d0;--ok-bg:#022c22;--warn-bg:#1c1917}}
:root[data-theme=dark]{--bg:#020617;--fg:#e2e8f0;--muted:#94a3b8;--card:#0f172a;--line:#1e293b;--link:#5eead4;--ok:#a7f3d0;--ok-bg:#022c22;--warn-bg:#1c1917}
*{box-sizing:border-box}body{margin:0;font:17px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--link)}a:focus-visible,button:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid #0d9488;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--card);padding:8px;z-index:9}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.top{display:flex;gap:8px;align-items:center;padding:10px 16px;border-bottom:1px solid var(--line);background:var(--card);flex-wrap:wrap}
.brand{font-weight:700;text-decoration:none;display:flex;align-items:center;gap:8px;color:var(--fg)}
.logo{display:inline-grid;place-items:center;width:28px;height:28px;border-radius:7px;background:var(--brand);color:#fff;font-weight:800}
.search{display:flex;gap:6px;flex:1;min-width:220px;order:3;width:100%}@media(min-width:720px){.search{order:0;width:auto;max-width:420px;margin-left:auto}}
.search input{flex:1;min-height:44px;padding:8px 12px;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg);font:inherit}
button,.button{min-height:44px;padding:8px 16px;border-radius:8px;border:0;background:var(--brand);color:var(--brand-fg);font:inherit;font-weight:600;cursor:pointer;text-decoration:none;display:inline-flex;align-items:center}
.theme{background:transparent;color:var(--fg);border:1px solid var(--line);margin-left:auto}@media(min-width:720px){.theme{margin-left:0}}
main{max-width:760px;margin:0 auto;padding:16px 16px 48px}
h1{font-size:1.8rem;line-height:1.2;margin:.3em 0}h2{font-size:1.3rem;margin:1.6em 0 .5em}h3{font-size:1.05rem;margin:0 0 .3em}
.kind,.crumbs,.meta,.where{color:var(--muted);font-size:.92rem}.kind{text-transform:uppercase;letter-spacing:.05em;font-weight:600;margin:0}
.summary{font-size:1.1rem;color:var(--muted)}
.steps{padding-left:0;list-style:none;counter-reset:s}.steps>li{counter-increment:s;position:relative;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 14px 14px 56px;margin:12px 0}
.steps>li::before{content:counter(s);position:absolute;left:14px;top:14px;width:30px;height:30px;border-radius:50%;background:var(--brand);color:#fff;display:grid;place-items:center;font-weight:700}
.confirm{background:var(--ok-bg);color:var(--ok);border-radius:8px;padding:8px 10px}.fails{font-weight:600}
.checks{padding-left:1.1em}.checks p{margin:.2em 0}
.situations{background:var(--warn-bg);border:1px solid var(--line);border-radius:12px;padding:4px 16px}
details{border:1px solid var(--line);border-radius:10px;padding:10px 14px;margin:8px 0;background:var(--card)}summary{cursor:pointer;font-weight:600}
.table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;margin:12px 0;font-size:.95rem}caption{text-align:left;font-weight:700;padding:6px 0}th,td{border:1px solid var(--line);padding:8px;text-align:left;vertical-align:top}
.cards{list-style:none;padding:0;display:grid;gap:10px}.cards a{display:block;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:12px 14px;text-decoration:none;color:var(--fg)}.cards strong{display:block;color:var(--link)}.cards span{color:var(--muted);font-size:.95rem}
@media(min-width:720px){.cards.two{grid-template-columns:1fr 1fr}}
.feedback{margin:24px 0}.feedback fieldset{border:1px solid var(--line);border-radius:12px;padding:12px}.feedback legend{font-weight:700}
.closing{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:4px 16px 12px;margin-top:24px}
.foot{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem;padding:16px;text-align:center}
@media print{.top,.feedback,.closing,.foot,.skip{display:none}body{background:#fff;color:#000;font-size:12pt}a{color:#000}.steps>li{break-inside:avoid;border-color:#999}details{border:0}details>*{display:block}}
`
  .replace(/\n/g, "")
  .replace(/\s{2,}/g, " ");
