import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

export const SCREENSHOTS = join(import.meta.dirname, "../test-results/screenshots");
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export interface Server {
  url: string;
  log: () => string;
  stop(): Promise<void>;
}

/** Start the real server (`delvia serve`) on a free port with a fresh SQLite file. */
export async function startServer(): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "delvia-e2e-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["src/cli/main.ts", "serve"], {
    env: {
      ...process.env,
      DELVIA_PORT: String(port),
      DELVIA_HOST: "127.0.0.1",
      DELVIA_DATA_DIR: dir,
      DELVIA_DATABASE_URL: join(dir, "delvia.db"),
      DELVIA_PUBLIC_URL: url,
      DELVIA_LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    log: () => output,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.DELVIA_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
  });
}

export async function newContext(
  browser: Browser,
  baseURL: string,
  viewport = PHONE,
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    viewport,
    deviceScaleFactor: 1,
    permissions: ["clipboard-read", "clipboard-write"],
  });
}

/** Save a screenshot of the whole page as test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A picture taken mid-load shows spinners and missing icons, which hides real layout faults.
  await page.waitForFunction(
    () =>
      document.querySelector("[data-loading]") === null &&
      Array.from(document.images).every((img) => img.complete),
    undefined,
    { timeout: 10_000 },
  );
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** One real server and one browser for a test file, started before its tests and stopped after. */
export function serverAndBrowser(): { server: () => Server; browser: () => Browser } {
  let server: Server | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return { server: () => server!, browser: () => browser! };
}
