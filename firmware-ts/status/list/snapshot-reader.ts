/**
 * Synchronous lookups in a verified snapshot file kept on disk as received: the sparse index
 * picks the block, one positioned read fetches it, a binary search finds the key.
 *
 * The file descriptor stays open for the reader's life: when a sync (in this process or another)
 * replaces the snapshot and deletes the old file, this reader keeps answering from the old list
 * until its owner switches to the new one; it never sees half of either.
 *
 * Nothing read from the card is trusted blindly: the index proves itself at open, each block
 * read proves itself against its CRC-32, and a block that fails throws SnapshotDamagedError
 * (the store then reads the list as never synced until a fresh copy is fetched).
 * @module
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { KEY_BYTES, RECORD_BYTES, SNAPSHOT_HEADER_BYTES, SNAPSHOT_MAGIC, compareKeys, readSnapshotHeader, snapshotBytes } from './status-file-format.js';
import { BLOCK_BYTES, BLOCK_RECORDS, blockChecksum, encodeIndexFile, findBlock, readIndexFile, verifyWholeSnapshot, type IndexData } from './sparse-index.js';

export interface SnapshotExpectation {
  seq: number;
  count: number;
  /** The manifest's SHA-256 of the file (recorded in the state row); null: none known. */
  sha256: Uint8Array | null;
}

/** A kept snapshot failed a check at rest: a block's CRC, its SHA-256, its size or header. */
export class SnapshotDamagedError extends Error {
  override readonly name = 'SnapshotDamagedError';
}

export class SnapshotReader {
  private readonly block = Buffer.alloc(BLOCK_BYTES);
  private closed = false;

  private constructor(
    private readonly fd: number,
    private readonly index: Buffer,
    private readonly sums: Buffer,
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
        throw new SnapshotDamagedError(`snapshot file ${file} has ${size} bytes, expected ${snapshotBytes(expect.count)}`);
      }
      const head = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
      readSync(fd, head, 0, SNAPSHOT_HEADER_BYTES, 0);
      const h = readSnapshotHeader(head);
      if (h.magic !== SNAPSHOT_MAGIC || h.seq !== expect.seq || h.count !== expect.count) {
        throw new SnapshotDamagedError(`snapshot file ${file} does not carry seq ${expect.seq} and count ${expect.count}`);
      }
      if (!expect.sha256) throw new SnapshotDamagedError(`snapshot file ${file} has no recorded SHA-256 to be checked against`);
      let index = readIndexFile(idxFile, expect.count, expect.sha256);
      if (!index) {
        try {
          index = verifyWholeSnapshot(fd, expect.count, expect.sha256, file);
        } catch (err) {
          throw new SnapshotDamagedError((err as Error).message);
        }
        rewriteIndex(idxFile, index, expect.sha256);
      }
      return new SnapshotReader(fd, index.keys, index.sums, expect.count, expect.seq, file);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Reads the whole file once against its SHA-256 (`roadscan status --verify`); throws SnapshotDamagedError. */
  static verifyFile(file: string, expect: SnapshotExpectation): void {
    const fd = openSync(file, 'r');
    try {
      if (!expect.sha256) throw new SnapshotDamagedError(`snapshot file ${file} has no recorded SHA-256 to be checked against`);
      if (fstatSync(fd).size !== snapshotBytes(expect.count)) throw new SnapshotDamagedError(`snapshot file ${file} has the wrong size`);
      try {
        verifyWholeSnapshot(fd, expect.count, expect.sha256, file);
      } catch (err) {
        throw new SnapshotDamagedError((err as Error).message);
      }
    } finally {
      closeSync(fd);
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
    if (got !== want) throw new SnapshotDamagedError(`snapshot file ${this.file} was truncated`);
    if (blockChecksum(this.block.subarray(0, want)) !== this.sums.readUInt32BE(b * 4)) {
      throw new SnapshotDamagedError(`snapshot file ${this.file}: block ${b} fails its CRC-32 (damaged at rest)`);
    }
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

/** Writes a rebuilt index file atomically; a read-only data dir keeps the rebuilt index in memory only. */
function rewriteIndex(idxFile: string, index: IndexData, sha256: Uint8Array): void {
  try {
    writeFileSync(`${idxFile}.new`, encodeIndexFile(index, sha256));
    renameSync(`${idxFile}.new`, idxFile);
  } catch {
    // Rebuilt again at the next open.
  }
}
