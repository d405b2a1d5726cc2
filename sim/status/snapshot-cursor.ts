/**
 * Walks the records of a snapshot file in order, reading 1 MB at a time and allocating nothing
 * per record: `buf` and `off` point at the current record after each `next()`.
 * @module
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { RECORD_BYTES, SNAPSHOT_HEADER_BYTES, readSnapshotHeader, snapshotBytes } from '../../firmware-ts/status/list/index.js';

const CHUNK_RECORDS = 61_680;

export class SnapshotCursor {
  readonly buf = Buffer.alloc(CHUNK_RECORDS * RECORD_BYTES);
  /** Offset of the current record in `buf`. */
  off = -RECORD_BYTES;
  readonly count: number;
  readonly seq: number;
  private readonly fd: number;
  private loaded = 0;
  private consumed = 0;
  private filePos = SNAPSHOT_HEADER_BYTES;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
    const head = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
    readSync(this.fd, head, 0, head.length, 0);
    const h = readSnapshotHeader(head);
    if (h.magic !== 'RSS1' || h.seq === null) throw new Error(`${file}: not a snapshot`);
    this.count = h.count;
    this.seq = h.seq;
    if (snapshotBytes(h.count) < SNAPSHOT_HEADER_BYTES) throw new Error(`${file}: bad count`);
  }

  /** Moves to the next record; false at the end. */
  next(): boolean {
    this.off += RECORD_BYTES;
    if (this.off < this.loaded) return true;
    if (this.consumed >= this.count) return false;
    const records = Math.min(CHUNK_RECORDS, this.count - this.consumed);
    const want = records * RECORD_BYTES;
    if (readSync(this.fd, this.buf, 0, want, this.filePos) !== want) throw new Error('snapshot file is truncated');
    this.filePos += want;
    this.consumed += records;
    this.loaded = want;
    this.off = 0;
    return true;
  }

  close(): void {
    closeSync(this.fd);
  }
}
