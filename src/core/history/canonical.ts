/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` dropped. Two equal values always
 * serialise to the same text, so a hash of it identifies a history event across databases.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new Error(`cannot serialise ${typeof value}`);
}

/** The fields of a history event that its hash covers, in one fixed shape. */
export interface HistoryEventBody {
  workspaceId: string;
  seq: number;
  id: string;
  at: string;
  actorUserId: string | null;
  actorLabel: string;
  entityType: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
}

/** The text that is hashed: the previous event's hash, then the event itself. */
export function chainInput(prevHash: string, event: HistoryEventBody): string {
  return `${prevHash}\n${canonicalJson(event)}`;
}

/** The hash the first event of every workspace chains from. */
export const GENESIS_HASH = "0".repeat(64);
