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

const HEX_DIGIT = Array.from({ length: 16 }, (_, d) => d.toString(16).charCodeAt(0));
/** Where each of the 16 bytes' two hex digits go in the 36-character text. */
const BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const bytes = new Uint8Array(16);
const text: number[] = new Array(36).fill("-".charCodeAt(0));

export function uuidv7(nowMs: number = Date.now()): string {
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
  // 48 bits of milliseconds, most significant first (exact in a double).
  const high = Math.floor(nowMs / 0x1000000);
  const low = nowMs % 0x1000000;
  bytes[0] = high >>> 16;
  bytes[1] = high >>> 8;
  bytes[2] = high;
  bytes[3] = low >>> 16;
  bytes[4] = low >>> 8;
  bytes[5] = low;
  bytes[6] = 0x70 | ((seq >>> 8) & 0x0f);
  bytes[7] = seq;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  for (let i = 0; i < 16; i++) {
    const b = bytes[i]!;
    text[BYTE_AT[i]!] = HEX_DIGIT[b >>> 4]!;
    text[BYTE_AT[i]! + 1] = HEX_DIGIT[b & 0x0f]!;
  }
  // One flat string (not a chain of concatenations): IDs are map keys and compared often.
  return String.fromCharCode.apply(null, text);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
