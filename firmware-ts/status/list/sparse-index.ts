/**
 * The in-memory index over a sorted snapshot file: every 256th key, so a lookup is a binary
 * search in memory plus ONE positioned read of a 4,352-byte block. Ten million entries need
 * 39,063 index keys (625 KB), where holding the list itself would take 170 MB.
 *
 * The index is written next to the snapshot (`.idx`) while the snapshot streams in, so a
 * scanner that boots does not read 170 MB from an SD card before its first scan; a missing or
 * inconsistent index file is rebuilt from the snapshot.
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { KEY_BYTES, RECORD_BYTES, SNAPSHOT_HEADER_BYTES, compareKeys } from './status-file-format.js';

/** Records per block: one positioned read per lookup fetches one block. */
export const BLOCK_RECORDS = 256;
export const BLOCK_BYTES = BLOCK_RECORDS * RECORD_BYTES;

export function indexBytesFor(count: number): number {
  return Math.ceil(count / BLOCK_RECORDS) * KEY_BYTES;
}

/** Collects the first key of every block while a snapshot streams past, in record order. */
export class SparseIndexBuilder {
  private readonly keys: Buffer;
  private used = 0;

  constructor(count: number) {
    this.keys = Buffer.alloc(indexBytesFor(count));
  }

  /** Called for every record with its index; keeps the key when it starts a block. */
  offer(recordIndex: number, buf: Uint8Array, offset: number): void {
    if (recordIndex % BLOCK_RECORDS !== 0) return;
    this.keys.set(buf.subarray(offset, offset + KEY_BYTES), this.used);
    this.used += KEY_BYTES;
  }

  /** The finished index; throws when fewer blocks were seen than the count promised. */
  finish(): Buffer {
    if (this.used !== this.keys.length) throw new Error('sparse index: snapshot ended early');
    return this.keys;
  }
}

/** Rebuilds the index from an open snapshot file (used when the `.idx` file is unusable). */
export function rebuildSparseIndex(fd: number, count: number): Buffer {
  const builder = new SparseIndexBuilder(count);
  const blocksPerRead = 241; // about 1 MB per read
  const buf = Buffer.alloc(blocksPerRead * BLOCK_BYTES);
  for (let first = 0; first < count; first += blocksPerRead * BLOCK_RECORDS) {
    const records = Math.min(blocksPerRead * BLOCK_RECORDS, count - first);
    const want = records * RECORD_BYTES;
    const got = readSync(fd, buf, 0, want, SNAPSHOT_HEADER_BYTES + first * RECORD_BYTES);
    if (got !== want) throw new Error('sparse index: snapshot file is shorter than its count');
    for (let r = 0; r < records; r += BLOCK_RECORDS) builder.offer(first + r, buf, r * RECORD_BYTES);
  }
  return builder.finish();
}

/** Reads an index file; null when it is missing or does not have the size `count` implies. */
export function readSparseIndexFile(file: string, count: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = indexBytesFor(count);
    if (fstatSync(fd).size !== size) return null;
    const buf = Buffer.alloc(size);
    return readSync(fd, buf, 0, size, 0) === size ? buf : null;
  } finally {
    closeSync(fd);
  }
}

/** Index of the last block whose first key is <= key, or -1 when key sorts before them all. */
export function findBlock(index: Buffer, key: Uint8Array): number {
  let lo = 0;
  let hi = index.length / KEY_BYTES - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(index, mid * KEY_BYTES, key, 0) <= 0) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
