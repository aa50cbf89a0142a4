/**
 * Sortable unique identifiers (UUIDv7, RFC 9562): the first 48 bits are the Unix time in
 * milliseconds, so IDs created later sort later, which keeps B-tree inserts append-mostly.
 * Uses the Web Crypto global, which both Node and browsers provide.
 */
let lastMs = 0;
let seq = 0;
// Random bytes are drawn 4 KiB at a time: one call to the CSPRNG per 256 IDs, not per ID.
const pool = new Uint8Array(4096);
let poolAt = pool.length;

function randomBytes16(out: Uint8Array): void {
  if (poolAt + 16 > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  out.set(pool.subarray(poolAt, poolAt + 16));
  poolAt += 16;
}

export function uuidv7(nowMs: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  randomBytes16(bytes);
  // Keep IDs monotonic within one millisecond: a 12-bit counter replaces rand_a.
  if (nowMs <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    nowMs = lastMs;
  } else {
    lastMs = nowMs;
    seq = bytes[6]! & 0x07;
  }
  const ms = BigInt(nowMs);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | ((seq >> 8) & 0x0f);
  bytes[7] = seq & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
