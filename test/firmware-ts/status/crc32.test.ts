/**
 * The CRC-32 fallback of firmware-ts/status/list/crc32.ts gives zlib's values: on random buffers,
 * and with the running value carried across any split into chunks (how the index builder feeds
 * a snapshot as it streams in). The running Node has `zlib.crc32`, so it is the reference; a zlib
 * without it gets the table.
 */
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, pickCrc32, tableCrc32 } from '../../../firmware-ts/status/list/crc32.js';

const native = (zlib as unknown as { crc32: (d: Uint8Array, v?: number) => number }).crc32;

describe('CRC-32 without zlib.crc32', () => {
  it('gives the known check value and zlib values for the empty and one-byte inputs', () => {
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(tableCrc32(new Uint8Array(0))).toBe(0);
    for (let b = 0; b < 256; b++) expect(tableCrc32(Uint8Array.of(b))).toBe(native(Uint8Array.of(b)) >>> 0);
  });

  it('equals zlib.crc32 on random buffers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10_000 }), (data) => tableCrc32(data) === native(data) >>> 0),
      { numRuns: 300 },
    );
  });

  it('carries the running value across chunks as zlib does, from any starting value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.array(fc.nat(5000), { maxLength: 8 }), fc.nat(0xffffffff), (data, cuts, start) => {
        const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        let mine = start;
        let theirs = start;
        let from = 0;
        for (const to of [...at, data.length]) {
          mine = tableCrc32(data.subarray(from, to), mine);
          // zlib's crc32 of an empty view with no memory behind it is 0, not the running value.
          if (to > from) theirs = native(data.subarray(from, to), theirs) >>> 0;
          from = to;
        }
        return mine === theirs && (data.length === 0 ? mine === start : mine === native(data, start) >>> 0);
      }),
      { numRuns: 300 },
    );
  });

  it('is chosen once: zlib when it has crc32, the table when it does not', () => {
    expect(pickCrc32({})).toBe(tableCrc32);
    expect(pickCrc32({ crc32: 'not a function' })).toBe(tableCrc32);
    const data = Buffer.from('a block of the kept status list');
    expect(pickCrc32(zlib as unknown as { crc32?: unknown })(data)).toBe(tableCrc32(data));
    expect(crc32(data, 12345)).toBe(native(data, 12345) >>> 0);
    // An empty chunk keeps the running value, with either choice (zlib alone would answer 0).
    const empty = new Uint8Array(0).subarray(0, 0);
    expect(native(empty, 12345)).toBe(0);
    expect(crc32(empty, 12345)).toBe(12345);
    expect(tableCrc32(empty, 12345)).toBe(12345);
  });
});
