/**
 * Synchronous lookups in a verified snapshot file kept on disk as received: the sparse index
 * picks the block, one positioned read fetches it, a binary search finds the key.
 *
 * The file descriptor stays open for the reader's life: when a sync (in this process or another)
 * replaces the snapshot and deletes the old file, this reader keeps answering from the old list
 * until its owner switches to the new one; it never sees half of either.
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  KEY_BYTES,
  RECORD_BYTES,
  SNAPSHOT_HEADER_BYTES,
  SNAPSHOT_MAGIC,
  compareKeys,
  readSnapshotHeader,
  snapshotBytes,
} from './status-file-format.js';
import { BLOCK_BYTES, BLOCK_RECORDS, findBlock, readSparseIndexFile, rebuildSparseIndex } from './sparse-index.js';

export interface SnapshotExpectation {
  seq: number;
  count: number;
}

export class SnapshotReader {
  private readonly block = Buffer.alloc(BLOCK_BYTES);
  private closed = false;

  private constructor(
    private readonly fd: number,
    private readonly index: Buffer,
    /** Number of records in the file. */
    readonly count: number,
    readonly seq: number,
    readonly file: string,
  ) {}

  /**
   * Opens a snapshot the store committed to; checks its size and header against the pointer and
   * its index file against the snapshot. Throws an Error with a one-line message.
   */
  static open(file: string, idxFile: string, expect: SnapshotExpectation): SnapshotReader {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size !== snapshotBytes(expect.count)) {
        throw new Error(`snapshot file ${file} has ${size} bytes, expected ${snapshotBytes(expect.count)}`);
      }
      const head = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
      readSync(fd, head, 0, SNAPSHOT_HEADER_BYTES, 0);
      const h = readSnapshotHeader(head);
      if (h.magic !== SNAPSHOT_MAGIC || h.seq !== expect.seq || h.count !== expect.count) {
        throw new Error(`snapshot file ${file} does not carry seq ${expect.seq} and count ${expect.count}`);
      }
      let index = readSparseIndexFile(idxFile, expect.count);
      if (!index || !indexMatches(fd, index, expect.count)) index = rebuildSparseIndex(fd, expect.count);
      return new SnapshotReader(fd, index, expect.count, expect.seq, file);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** The status byte held for `key` (16 bytes), or 0 when the snapshot does not list it. */
  lookup(key: Uint8Array): number {
    if (this.closed) throw new Error('snapshot reader is closed');
    const b = findBlock(this.index, key);
    if (b < 0) return 0;
    const first = b * BLOCK_RECORDS;
    const records = Math.min(BLOCK_RECORDS, this.count - first);
    const want = records * RECORD_BYTES;
    const got = readSync(this.fd, this.block, 0, want, SNAPSHOT_HEADER_BYTES + first * RECORD_BYTES);
    if (got !== want) throw new Error(`snapshot file ${this.file} was truncated`);
    let lo = 0;
    let hi = records - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(this.block, mid * RECORD_BYTES, key, 0);
      if (c === 0) return this.block[mid * RECORD_BYTES + KEY_BYTES]!;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** Spot-checks an index file against the snapshot: its first and last keys must be there. */
function indexMatches(fd: number, index: Buffer, count: number): boolean {
  if (count === 0) return index.length === 0;
  const key = Buffer.alloc(KEY_BYTES);
  const lastBlock = index.length / KEY_BYTES - 1;
  for (const b of [0, lastBlock]) {
    readSync(fd, key, 0, KEY_BYTES, SNAPSHOT_HEADER_BYTES + b * BLOCK_RECORDS * RECORD_BYTES);
    if (compareKeys(key, 0, index, b * KEY_BYTES) !== 0) return false;
  }
  return true;
}
