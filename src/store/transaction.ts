import type { Kysely, Transaction } from "kysely";
import { durable } from "./bulk-insert.ts";
import type { DB as Schema } from "./schema.ts";

/**
 * Run `fn` in a transaction, joining the caller's one if there is one, so store functions
 * compose: an import can call many of them and still commit or roll back as one. The outermost
 * call returns only once the commit is durable.
 */
export async function inTransaction<DB, T>(
  db: Kysely<DB>,
  fn: (trx: Transaction<DB> | Kysely<DB>) => Promise<T>,
  /**
   * sync false: return at commit, without waiting for it to reach stable storage. Only for
   * writes nobody asked for and that are derived again if lost (a findings refresh); the next
   * synced write covers them, as the WAL is synced in order.
   */
  options: { sync?: boolean } = {},
): Promise<T> {
  if (db.isTransaction) return fn(db);
  const result = await db.transaction().execute(fn);
  // Not returned (and so not acknowledged) before the commit is on stable storage.
  if (options.sync !== false) await durable(db as unknown as Kysely<Schema>);
  return result;
}
