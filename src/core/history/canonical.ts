/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` dropped. Two equal values always
 * serialise to the same text, so a hash of it identifies a history event across databases.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "bigint":
      return JSON.stringify(value.toString());
    case "object":
      break;
    default:
      throw new Error(`cannot serialise ${typeof value}`);
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i ? "," : "") + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `<` on strings does.
  const keys = Object.keys(record).sort();
  let out = "{";
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
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
  return chainText(
    prevHash,
    chainFrame(event),
    event,
    canonicalJson(event.before),
    canonicalJson(event.after),
  );
}

/** The parts of the hashed text that one actor's events at one moment in one workspace share. */
export interface ChainFrame {
  actor: string;
  at: string;
  workspace: string;
}

export function chainFrame(
  e: Pick<HistoryEventBody, "workspaceId" | "at" | "actorUserId" | "actorLabel">,
): ChainFrame {
  return {
    actor: `,"actorLabel":${JSON.stringify(e.actorLabel)},"actorUserId":${e.actorUserId == null ? "null" : JSON.stringify(e.actorUserId)},`,
    at: `,"at":${JSON.stringify(e.at)},`,
    workspace: `,"workspaceId":${JSON.stringify(e.workspaceId)}}`,
  };
}

/**
 * `chainInput` for writers of many events: the frame built once, the before and after images
 * already in canonical JSON (so the same text is stored and hashed). Keys in their sorted order.
 */
export function chainText(
  prevHash: string,
  frame: ChainFrame,
  e: Pick<HistoryEventBody, "action" | "entityId" | "entityType" | "id" | "seq">,
  beforeJson: string,
  afterJson: string,
): string {
  return `${prevHash}\n{"action":${JSON.stringify(e.action)}${frame.actor}"after":${afterJson}${frame.at}"before":${beforeJson},"entityId":${JSON.stringify(e.entityId)},"entityType":${JSON.stringify(e.entityType)},"id":${JSON.stringify(e.id)},"seq":${JSON.stringify(e.seq)}${frame.workspace}`;
}

/** The hash the first event of every workspace chains from. */
export const GENESIS_HASH = "0".repeat(64);
