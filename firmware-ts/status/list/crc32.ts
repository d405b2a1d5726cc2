/**
 * CRC-32 (the zlib/PNG polynomial, reflected 0xEDB88320) for the per-block checks of the kept
 * status list. `zlib.crc32` exists only from Node 20.15 while `engines` allows any Node 20, so the
 * function is chosen once at load: zlib's (native) when present, else a table-driven one with the
 * same signature and results, including the running value carried from one chunk to the next.
 * The module is read as a namespace, never `import { crc32 }`, which would fail to link on an
 * older Node before any check could run.
 * @module
 */
import * as zlib from 'node:zlib';

/** `crc32(data, running)`: the CRC of everything so far, `running` being the CRC before `data` (0 to start). */
export type Crc32 = (data: Uint8Array, running?: number) => number;

let tables: Uint32Array | null = null;

/** Eight 256-entry tables (slicing-by-8): table k holds the CRC of a byte followed by k zero bytes. */
function crcTables(): Uint32Array {
  if (tables) return tables;
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 0xff]!;
  tables = t;
  return t;
}

/**
 * The table-driven CRC-32: the fallback for a Node without `zlib.crc32`. Eight bytes per step
 * (slicing-by-8), the tail one byte per step: about 3 times the speed of one table, so a block
 * check stays well inside the lookup budget.
 */
export const tableCrc32: Crc32 = (data, running = 0) => {
  const t = crcTables();
  let c = (running ^ 0xffffffff) >>> 0;
  let i = 0;
  const n8 = data.length - (data.length % 8);
  for (; i < n8; i += 8) {
    const lo = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    c =
      t[7 * 256 + (lo & 0xff)]! ^
      t[6 * 256 + ((lo >>> 8) & 0xff)]! ^
      t[5 * 256 + ((lo >>> 16) & 0xff)]! ^
      t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + data[i + 4]!]! ^
      t[2 * 256 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/**
 * zlib's own when the module has it, else the table; results always unsigned. An empty chunk
 * keeps the running value: zlib's `crc32(crc, NULL, 0)` answers its initial value 0 instead, which
 * `zlib.crc32` does for an empty view with no memory behind it.
 */
export function pickCrc32(z: { crc32?: unknown }): Crc32 {
  const native = z.crc32;
  if (typeof native !== 'function') return tableCrc32;
  return (data, running = 0) => (data.length === 0 ? running >>> 0 : (native as (d: Uint8Array, v: number) => number)(data, running) >>> 0);
}

/** The CRC-32 this process uses, chosen once. */
export const crc32: Crc32 = pickCrc32(zlib as { crc32?: unknown });
