import { Worker } from "node:worker_threads";
import type { Kysely } from "kysely";
import { findingsCatalog } from "../core/catalog/findings-catalog.ts";
import { type Finding, scanFindings } from "../core/findings/rules.ts";
import { sqliteOf } from "./bulk-insert.ts";
import { loadFindingsInput } from "./findings.ts";
import type { ScanWorkerData } from "./findings-scan-worker.ts";
import type { DB } from "./schema.ts";

const THREADED = new WeakSet<Kysely<DB>>();

/** How many scans this process has run in worker threads (for tests and diagnostics). */
export const scanThreads = { started: 0 };

/**
 * Let full findings scans on `db` run in a worker thread when it is a SQLite file (the server):
 * reading a large workspace's record through node:sqlite holds the thread that reads it, for
 * seconds at a million grants, and every request would wait.
 */
export function scanInThreads(db: Kysely<DB>): void {
  THREADED.add(db);
}

/**
 * Every finding of a workspace as of `day`: the record read and scanned whole. In a worker thread
 * with a connection of its own where `scanInThreads` allowed it and the database is a SQLite
 * file; here otherwise (PostgreSQL reads without holding the event loop).
 */
export async function scanWorkspace(db: Kysely<DB>, workspaceId: string, day: string): Promise<Finding[]> {
  const path = sqliteOf(db)?.path;
  if (THREADED.has(db) && path && path !== ":memory:") return scanInThread({ path, workspaceId, day });
  return scanFindings(await loadFindingsInput(db, workspaceId, day), findingsCatalog);
}

function scanInThread(job: ScanWorkerData): Promise<Finding[]> {
  scanThreads.started++;
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./findings-scan-worker.ts", import.meta.url), { workerData: job });
    let found: Finding[] | undefined;
    worker.once("message", (m: Finding[]) => {
      found = m;
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (found) resolve(found);
      else reject(new Error(`The findings scan thread stopped without an answer (exit code ${code}).`));
    });
  });
}
