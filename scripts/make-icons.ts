// Draws the app icons as PNGs (no image tools needed): a teal tile with a white "D" ring and a
// mint dot, the same mark as icon.svg. Run once after changing the mark: node scripts/make-icons.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

const TEAL = [15, 118, 110];
const WHITE = [255, 255, 255];
const MINT = [94, 234, 212];

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function icon(size: number, maskable: boolean): Buffer {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const s = size / 512;
  const inset = maskable ? 0.8 : 1; // maskable icons keep the mark inside the safe zone
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      // position in the 512 design grid, scaled about the centre for maskable icons
      const u = (x / s - 256) / inset + 256;
      const v = (y / s - 256) / inset + 256;
      const r = 112;
      const inTile =
        maskable ||
        !(
          (x / s < r && y / s < r && Math.hypot(x / s - r, y / s - r) > r) ||
          (x / s > 512 - r && y / s < r && Math.hypot(x / s - (512 - r), y / s - r) > r) ||
          (x / s < r && y / s > 512 - r && Math.hypot(x / s - r, y / s - (512 - r)) > r) ||
          (x / s > 512 - r && y / s > 512 - r && Math.hypot(x / s - (512 - r), y / s - (512 - r)) > r)
        );
      let color = inTile ? TEAL : null;
      // the "D": a stroke 44 wide along a rectangle-with-half-circle path
      const inD = (() => {
        const half = 22;
        if (u >= 148 - half && u <= 148 + half && v >= 132 - half && v <= 380 + half) return true;
        if (u >= 148 && u <= 260 && (Math.abs(v - 132) <= half || Math.abs(v - 380) <= half)) return true;
        if (u >= 260) {
          const d = Math.hypot((u - 260) / 136, (v - 256) / 124);
          const rr = Math.hypot(u - 260, v - 256);
          return Math.abs(d - 1) * Math.min(136, 124) <= half && rr > 0;
        }
        return false;
      })();
      if (inTile && inD) color = WHITE;
      if (inTile && Math.hypot(u - 258, v - 256) <= 34) color = MINT;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      if (color) {
        raw[o] = color[0]!;
        raw[o + 1] = color[1]!;
        raw[o + 2] = color[2]!;
        raw[o + 3] = 255;
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const out = join(import.meta.dirname, "../src/web/public");
writeFileSync(join(out, "icon-192.png"), icon(192, false));
writeFileSync(join(out, "icon-512.png"), icon(512, false));
writeFileSync(join(out, "icon-maskable-512.png"), icon(512, true));
console.log("icons written");
