/**
 * The entity type of an event that lists grants created together on one account (an import):
 * its entity ID is the account, its after image `{ accountId, grants: [grant image with id…] }`.
 */
export const GRANT_BATCH_ENTITY = "grant_batch";

/** The grant images a grant-batch event's after image lists. */
export function batchGrants(after: unknown): Record<string, unknown>[] {
  const grants = after && typeof after === "object" ? (after as { grants?: unknown }).grants : undefined;
  return Array.isArray(grants) ? (grants as Record<string, unknown>[]) : [];
}

/**
 * The accounts and people a history event concerns besides its own entity, as its before and
 * after images name them: a grant's target account and its person or partner account (in the
 * view's shape or an import's column names), an asset's account, a request's or review's account.
 * The store lists each event under these (`history_ref`), so an account's or a person's timeline
 * is read by that one ID, however many grants it has.
 */
export function namedRefs(entityType: string, before: unknown, after: unknown): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === "string" && v !== "") out.add(v);
  };
  for (const image of [before, after]) {
    if (!image || typeof image !== "object") continue;
    const o = image as Record<string, unknown>;
    if (entityType === "grant") grantRefs(o, add);
    else if (entityType === GRANT_BATCH_ENTITY) {
      add(o.accountId);
      for (const g of batchGrants(o)) grantRefs(g, add);
    } else if (entityType === "asset" || entityType === "request" || entityType === "review") {
      add(o.accountId);
    }
  }
  return [...out];
}

function grantRefs(o: Record<string, unknown>, add: (v: unknown) => void): void {
  const target = o.target as Record<string, unknown> | null | undefined;
  const subject = o.subject as Record<string, unknown> | null | undefined;
  add(target?.accountId);
  add(subject?.personId);
  add(subject?.accountId);
  add(o.subject_person_id);
  add(o.subject_account_id);
}
