// A worker thread that reads one range of a workspace's grants (by target account) from the
// SQLite file and sends them to the access index as EncodedGrants batches: the strings are turned
// into numbers here, so the thread building the index makes no object per grant.
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import { ENCODED_FIELDS, expiryValue, STATUS, SUBJECT, uuidBytes } from "../core/access/index.ts";
import type { EncodedGrants } from "../core/access/types.ts";

export interface SnapshotWorkerData {
  path: string;
  workspaceId: string;
  /** Target accounts from (inclusive) and to (exclusive); null: unbounded. */
  from: string | null;
  to: string | null;
  stream: number;
  batchSize: number;
}

const job = workerData as SnapshotWorkerData;
const db = new DatabaseSync(job.path, { readOnly: true });
db.exec("PRAGMA query_only = ON");
const stmt = db.prepare(
  `select id, subject_type, coalesce(subject_person_id, subject_account_id, subject_shared_login_id),
     subject_name, target_account_id, target_asset_id, role, status, expires_on
   from access_grant
   where workspace_id = ?${job.from === null ? "" : " and target_account_id >= ?"}${job.to === null ? "" : " and target_account_id < ?"}
   order by target_account_id`,
);
stmt.setReturnArrays(true);

class Dictionary {
  readonly #map = new Map<string, number>();
  fresh: string[] = [];
  ref(key: string): number {
    let i = this.#map.get(key);
    if (i === undefined) {
      i = this.#map.size;
      this.#map.set(key, i);
      this.fresh.push(key);
    }
    return i;
  }
  take(): string[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }
}

const people = new Dictionary();
const accounts = new Dictionary();
const assets = new Dictionary();
const logins = new Dictionary();
const roles = new Dictionary();
let systemUsers: string[] = [];
let systemUserCount = 0;
const statuses: Record<string, number> = STATUS;

let ids = new Uint8Array(job.batchSize * 16);
let fields = new Int32Array(job.batchSize * ENCODED_FIELDS);
let count = 0;

function send(): void {
  const batch: EncodedGrants = {
    stream: job.stream,
    count,
    ids,
    fields,
    people: people.take(),
    accounts: accounts.take(),
    assets: assets.take(),
    logins: logins.take(),
    roles: roles.take(),
    systemUsers,
  };
  parentPort!.postMessage(batch, [ids.buffer, fields.buffer]);
  ids = new Uint8Array(job.batchSize * 16);
  fields = new Int32Array(job.batchSize * ENCODED_FIELDS);
  systemUsers = [];
  count = 0;
}

const params = [
  job.workspaceId,
  ...(job.from === null ? [] : [job.from]),
  ...(job.to === null ? [] : [job.to]),
];
for (const row of stmt.iterate(...params) as Iterable<unknown> as Iterable<(string | null)[]>) {
  const id = row[0]!;
  const type = row[1]!;
  const o = count * ENCODED_FIELDS;
  uuidBytes(id, ids, count * 16);
  if (type === "person") {
    fields[o] = SUBJECT.person;
    fields[o + 1] = people.ref(row[2]!);
  } else if (type === "partner") {
    fields[o] = SUBJECT.partner;
    fields[o + 1] = accounts.ref(row[2]!);
  } else if (type === "shared_login") {
    fields[o] = SUBJECT.shared_login;
    fields[o + 1] = logins.ref(row[2]!);
  } else {
    fields[o] = SUBJECT.system_user;
    fields[o + 1] = systemUserCount++;
    systemUsers.push(id, row[3] ?? "");
  }
  fields[o + 2] = accounts.ref(row[4]!);
  fields[o + 3] = row[5] ? assets.ref(row[5]) : -1;
  fields[o + 4] = roles.ref(row[6]!);
  fields[o + 5] = statuses[row[7]!] ?? STATUS.revoked;
  fields[o + 6] = expiryValue(row[8] ?? null);
  if (++count === job.batchSize) send();
}
if (count > 0 || systemUsers.length > 0) send();
db.close();
parentPort!.postMessage("done");
