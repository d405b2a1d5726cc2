/**
 * The snapshot on disk: the receiver checks a stream however the network cuts it into chunks,
 * and the reader finds every key (block edges included) with one positioned read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK_RECORDS, encodeIndexFile, indexBytesFor } from '../../../firmware-ts/status/list/index.js';
import { SnapshotReader } from '../../../firmware-ts/status/list/index.js';
import { SnapshotReceiver } from '../../../firmware-ts/status/sync/index.js';
import { KEY_BYTES, RECORD_BYTES, encodeSnapshotHeader } from '../../../firmware-ts/status/list/index.js';
import { tempDir } from './status-fixture.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A sorted snapshot of `count` random keys; statuses cycle through 0..9 (9 is unknown). */
function snapshot(count: number, seq = 1): { bytes: Buffer; keys: Buffer[]; statuses: number[] } {
  const keys = Array.from({ length: count }, () => randomBytes(KEY_BYTES)).sort(Buffer.compare);
  const statuses = keys.map((_, i) => i % 10);
  const bytes = Buffer.concat([encodeSnapshotHeader(seq, count), ...keys.map((k, i) => Buffer.concat([k, Buffer.of(statuses[i]!)]))]);
  return { bytes, keys, statuses };
}

async function receive(bytes: Buffer, cuts: number[], expect_: { seq?: number; count: number; sha256?: Buffer }) {
  const file = join(dir, `r${n++}.rss`);
  const rx = new SnapshotReceiver(file, {
    seq: expect_.seq ?? 1,
    count: expect_.count,
    sha256: expect_.sha256 ?? createHash('sha256').update(bytes).digest(),
    label: 'snap.bin',
  });
  try {
    let at = 0;
    for (const c of [...cuts.filter((x) => x > 0 && x < bytes.length).sort((a, b) => a - b), bytes.length]) {
      if (c <= at) continue;
      await rx.write(bytes.subarray(at, c));
      at = c;
    }
    const out = await rx.finish();
    return { file, ...out };
  } catch (err) {
    await rx.abort();
    throw err;
  }
}

describe('SnapshotReceiver', () => {
  it('accepts a good snapshot however it is cut into chunks, and indexes every 256th key', async () => {
    const s = snapshot(700);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: s.bytes.length }), { maxLength: 40 }), async (cuts) => {
        const r = await receive(s.bytes, cuts, { count: 700 });
        expect(readFileSync(r.file).equals(s.bytes)).toBe(true);
        expect(r.info).toEqual({ listed: 630, unknownStatus: 70 });
        expect(r.index.length).toBe(indexBytesFor(700));
        expect(r.index.subarray(16, 32).equals(s.keys[BLOCK_RECORDS]!)).toBe(true);
        rmSync(r.file);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a duplicate key even when it straddles chunks', async () => {
    const s = snapshot(50);
    const bytes = Buffer.from(s.bytes);
    s.keys[20]!.copy(bytes, 16 + 21 * RECORD_BYTES);
    for (const cut of [16 + 21 * RECORD_BYTES + 3, 16 + 21 * RECORD_BYTES, 17]) {
      await expect(receive(bytes, [cut], { count: 50 })).rejects.toThrow(/record 21 is not above the one before it/);
    }
  });

  it('refuses early on a wrong header, and at the end on a short body or a wrong hash', async () => {
    const s = snapshot(10);
    await expect(receive(s.bytes, [5], { count: 10, seq: 2 })).rejects.toThrow(/header seq 1 differs from the manifest's 2/);
    await expect(receive(s.bytes, [], { count: 11 })).rejects.toThrow(/header count 10 differs/);
    await expect(receive(s.bytes.subarray(0, 100), [], { count: 10, sha256: Buffer.alloc(32) })).rejects.toThrow(/truncated \(100 of 186 bytes\)/);
    await expect(receive(s.bytes, [], { count: 10, sha256: Buffer.alloc(32) })).rejects.toThrow(/SHA-256 differs/);
    await expect(receive(Buffer.concat([s.bytes, Buffer.alloc(1)]), [], { count: 10 })).rejects.toThrow(/longer than its count/);
  });
});

describe('SnapshotReader', () => {
  for (const count of [0, 1, 255, 256, 257, 513, 2000]) {
    it(`finds every key of a ${count}-entry snapshot, and no other`, async () => {
      const s = snapshot(count, 3);
      const r = await receive(s.bytes, [], { seq: 3, count });
      const idx = r.file.replace(/\.rss$/, '.idx');
      const sha256 = createHash('sha256').update(s.bytes).digest();
      writeFileSync(idx, encodeIndexFile({ keys: r.index, sums: r.sums }, sha256));
      const reader = SnapshotReader.open(r.file, idx, { seq: 3, count, sha256 });
      s.keys.forEach((k, i) => expect(reader.lookup(k)).toBe(s.statuses[i]));
      for (let i = 0; i < 200; i++) expect(reader.lookup(randomBytes(16))).toBe(0);
      expect(reader.lookup(Buffer.alloc(16, 0))).toBe(0);
      expect(reader.lookup(Buffer.alloc(16, 0xff))).toBe(0);
      reader.close();
      // Without its index file, or with a wrong one, the index is rebuilt from the snapshot.
      writeFileSync(idx, Buffer.alloc(r.index.length, 0x55));
      const rebuilt = SnapshotReader.open(r.file, idx, { seq: 3, count, sha256 });
      s.keys.forEach((k, i) => expect(rebuilt.lookup(k)).toBe(s.statuses[i]));
      rebuilt.close();
      rmSync(idx);
      expect(existsSync(idx)).toBe(false);
      const again = SnapshotReader.open(r.file, idx, { seq: 3, count, sha256 });
      s.keys.forEach((k, i) => expect(again.lookup(k)).toBe(s.statuses[i]));
      again.close();
    });
  }

  it('refuses a file whose size or header does not match the state', async () => {
    const s = snapshot(5, 3);
    const r = await receive(s.bytes, [], { seq: 3, count: 5 });
    const sha256 = createHash('sha256').update(s.bytes).digest();
    expect(() => SnapshotReader.open(r.file, `${r.file}.idx`, { seq: 3, count: 6, sha256 })).toThrow(/expected/);
    expect(() => SnapshotReader.open(r.file, `${r.file}.idx`, { seq: 4, count: 5, sha256 })).toThrow(/does not carry seq 4/);
    expect(() => SnapshotReader.open(r.file, `${r.file}.idx`, { seq: 3, count: 5, sha256: Buffer.alloc(32) })).toThrow(/damaged/);
  });
});
