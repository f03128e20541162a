/**
 * Draws Warden's Teams icons — a shield — and writes them as PNGs into appPackage/. No image tool is installed,
 * so this encodes PNG itself (RGBA, deflate, CRC-32 per chunk). Run once after changing the drawing:
 *   npx tsx scripts/make-icons.ts
 * Teams wants color.png 192x192 full colour and outline.png 32x32 white on transparent.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

type Rgba = readonly [number, number, number, number];
interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const ACCENT: Rgba = [0x1f, 0x4e, 0x79, 255]; // the manifest's accentColor
const LIGHT: Rgba = [0x2e, 0x75, 0xb6, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [255, 255, 255, 0];

/** A shield in a box: shoulders at the top corners, straight sides, then a curve down to a point. */
function inShield(box: Box, x: number, y: number): boolean {
  const u = (x - box.x) / box.w;
  const v = (y - box.y) / box.h;
  if (u < 0 || u > 1 || v > 1) return false;
  const top = 0.08 * (1 - (2 * u - 1) ** 2);
  if (v < top) return false;
  const t = Math.max(0, (v - 0.45) / 0.55);
  return Math.abs(u - 0.5) <= 0.5 * (1 - t * t);
}

function inset(box: Box, side: number, top: number, bottom: number): Box {
  return { x: box.x + side, y: box.y + top, w: box.w - 2 * side, h: box.h - top - bottom };
}

/** Renders with 4x4 supersampling so the edges are smooth; `paint` gives the colour at a point. */
function render(size: number, paint: (x: number, y: number) => Rgba): Uint8Array {
  const n = 4;
  const pixels = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const [r, g, b, a] = paint(px + (sx + 0.5) / n, py + (sy + 0.5) / n);
          // Premultiplied, so a transparent sample does not darken the edge.
          sum[0] = (sum[0] ?? 0) + (r * a) / 255;
          sum[1] = (sum[1] ?? 0) + (g * a) / 255;
          sum[2] = (sum[2] ?? 0) + (b * a) / 255;
          sum[3] = (sum[3] ?? 0) + a;
        }
      }
      const alpha = (sum[3] ?? 0) / (n * n);
      const at = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) {
        pixels[at + c] = alpha === 0 ? 255 : Math.round(((sum[c] ?? 0) / (n * n)) * (255 / alpha));
      }
      pixels[at + 3] = Math.round(alpha);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** Encodes RGBA pixels as a PNG: 8 bits per channel, colour type 6, no interlace, filter 0 on every row. */
function encodePng(size: number, pixels: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows.set(pixels.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Full colour: a white shield on the accent colour, its inner right half filled in a lighter blue. */
function colorIcon(): Buffer {
  const size = 192;
  const outer: Box = { x: 44, y: 30, w: 104, h: 132 };
  const inner = inset(outer, 14, 14, 22);
  return encodePng(
    size,
    render(size, (x, y) => {
      if (!inShield(outer, x, y)) return ACCENT;
      if (inShield(inner, x, y) && x >= inner.x + inner.w / 2) return LIGHT;
      return WHITE;
    }),
  );
}

/** Outline: the shield's border in white on transparent, as Teams draws it in its app bar. */
function outlineIcon(): Buffer {
  const size = 32;
  const outer: Box = { x: 4, y: 1, w: 24, h: 30 };
  const inner = inset(outer, 2.5, 2.5, 4);
  return encodePng(
    size,
    render(size, (x, y) => (inShield(outer, x, y) && !inShield(inner, x, y) ? WHITE : CLEAR)),
  );
}

const appPackage = join(dirname(fileURLToPath(import.meta.url)), '..', 'appPackage');
writeFileSync(join(appPackage, 'color.png'), colorIcon());
writeFileSync(join(appPackage, 'outline.png'), outlineIcon());
console.log(`wrote color.png and outline.png to ${appPackage}`);
