/**
 * The Record's writes and reads, one module per kind of record. Each write runs in a transaction
 * that also appends its history event; every query filters on the workspace.
 */

export * from "./record/accounts.ts";
export * from "./record/grants.ts";
export * from "./record/organizations.ts";
export * from "./record/people.ts";
export type { WriteContext } from "./record/shared.ts";
export { grantView } from "./record/shared.ts";
export * from "./record/shared-logins.ts";
