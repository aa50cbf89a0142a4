// npm run bench:guides — in-process render time and gzip size of guide pages.
import { gzipSync } from "node:zlib";
import pino from "pino";
import { parseConfig } from "../src/config/config.ts";
import { createInstance } from "../src/server/instance.ts";

const config = parseConfig({
  DELVIA_DATABASE_URL: ":memory:",
  DELVIA_SECRET: "bench-secret-bench-secret-bench-secret-00",
  DELVIA_PUBLIC_URL: "http://localhost:8080",
});
const instance = await createInstance(config, { logger: pino({ level: "silent" }), apiOnly: true });
const refs = instance.library.guides.map((g) => g.ref);
let largest = { ref: "", bytes: 0, gzip: 0 };
for (const ref of refs) {
  const html = await (await instance.app.request(`http://localhost/guides/${ref}`)).text();
  const gzip = gzipSync(html).length;
  if (gzip > largest.gzip) largest = { ref, bytes: html.length, gzip };
}
const N = 10_000;
const times: number[] = [];
for (let i = 0; i < N; i++) {
  const path = i % 10 === 0 ? "/guides/tiktok" : `/guides/${refs[i % refs.length]}`;
  const t0 = performance.now();
  const res = await instance.app.request(`http://localhost${path}`);
  await res.text();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const p = (q: number) => `${times[Math.floor(q * times.length)]!.toFixed(2)} ms`;
console.log("| guides | largest page | its HTML+CSS | gzip | render p50 | render p99 |");
console.log("|--------|--------------|--------------|------|------------|------------|");
console.log(
  `| ${refs.length} | ${largest.ref} | ${(largest.bytes / 1024).toFixed(1)} KiB | ${(largest.gzip / 1024).toFixed(1)} KiB | ${p(0.5)} | ${p(0.99)} |`,
);
console.log(
  `\n${N.toLocaleString("en")} in-process requests (hub and guide pages) through the whole middleware stack.`,
);
await instance.close();
