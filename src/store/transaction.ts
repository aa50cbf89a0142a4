import type { Kysely, Transaction } from "kysely";

/**
 * Run `fn` in a transaction, joining the caller's one if there is one, so store functions
 * compose: an import can call many of them and still commit or roll back as one.
 */
export function inTransaction<DB, T>(
  db: Kysely<DB>,
  fn: (trx: Transaction<DB> | Kysely<DB>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
