// A worker thread that runs one full findings scan of a workspace from the SQLite file, on a
// connection of its own, and sends the findings back. The scan reads every grant of the
// workspace: done here, the server's event loop stays free while it runs, and the garbage of a
// large workspace's input is collected with the thread rather than in the server's heap.
import { parentPort, workerData } from "node:worker_threads";
import { findingsCatalog } from "../core/catalog/findings-catalog.ts";
import { scanFindings } from "../core/findings/rules.ts";
import { openDatabase } from "./database.ts";
import { loadFindingsInput } from "./findings.ts";

export interface ScanWorkerData {
  path: string;
  workspaceId: string;
  day: string;
}

const job = workerData as ScanWorkerData;
const database = openDatabase({ kind: "sqlite", path: job.path });
try {
  const input = await loadFindingsInput(database.db, job.workspaceId, job.day);
  parentPort!.postMessage(scanFindings(input, findingsCatalog));
} finally {
  await database.close();
}
