/**
 * The in-memory index over a sorted snapshot file: every 256th key, so a lookup is a binary
 * search in memory plus ONE positioned read of a 4,352-byte block. Ten million entries need
 * 39,063 index keys (625 KB), where holding the list itself would take 170 MB.
 *
 * The index is written next to the snapshot (`.idx`) while the snapshot streams in, so a
 * scanner that boots does not read 170 MB from an SD card before its first scan; a missing or
 * inconsistent index file is rebuilt from the snapshot.
 *
 * Data at rest goes bad (SD cards flip bits), so the index file also carries a CRC-32 of every
 * block and ends with a SHA-256 over itself and the snapshot's manifest hash: the index proves
 * itself at open (a few hundred KB to hash), each block read proves itself against its CRC
 * (4 KB), and an index that fails is rebuilt only from a snapshot whose whole SHA-256 matches.
 * A damaged list is never read as "nothing revoked" (docs/DESIGN.md, Faults).
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from './crc32.js';
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

export function blocksFor(count: number): number {
  return Math.ceil(count / BLOCK_RECORDS);
}

/** A CRC-32 of every block of records, big-endian, as the records stream past. */
export class BlockChecksumBuilder {
  private readonly sums: Buffer;
  private used = 0;
  private crc = 0;
  private fill = 0;

  constructor(count: number) {
    this.sums = Buffer.alloc(blocksFor(count) * 4);
  }

  /** The next record bytes (after the header), in file order. */
  update(buf: Uint8Array, from: number, to: number): void {
    for (let o = from; o < to; ) {
      const take = Math.min(BLOCK_BYTES - this.fill, to - o);
      this.crc = crc32(buf.subarray(o, o + take), this.crc);
      this.fill += take;
      o += take;
      if (this.fill === BLOCK_BYTES) this.push();
    }
  }

  private push(): void {
    this.sums.writeUInt32BE(this.crc >>> 0, this.used);
    this.used += 4;
    this.crc = 0;
    this.fill = 0;
  }

  finish(): Buffer {
    if (this.fill > 0) this.push();
    if (this.used !== this.sums.length) throw new Error('block checksums: snapshot ended early');
    return this.sums;
  }
}

/** The CRC-32 a block must have. */
export function blockChecksum(block: Uint8Array): number {
  return crc32(block) >>> 0;
}

export interface IndexData {
  keys: Buffer;
  sums: Buffer;
}

function trailerOf(keys: Buffer, sums: Buffer, snapshotSha256: Uint8Array): Buffer {
  return createHash('sha256').update(keys).update(sums).update(snapshotSha256).digest();
}

/** The `.idx` file: keys, block CRCs, and a SHA-256 binding both to the snapshot's hash. */
export function encodeIndexFile(idx: IndexData, snapshotSha256: Uint8Array): Buffer {
  return Buffer.concat([idx.keys, idx.sums, trailerOf(idx.keys, idx.sums, snapshotSha256)]);
}

/** Bytes of the `.idx` file of a `count`-entry snapshot. */
export function indexFileBytes(count: number): number {
  return indexBytesFor(count) + blocksFor(count) * 4 + 32;
}

/**
 * Reads and proves an index file; null when it is missing, of the wrong size, or fails its
 * SHA-256 (damaged at rest, or made for another snapshot).
 */
export function readIndexFile(file: string, count: number, snapshotSha256: Uint8Array): IndexData | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = indexFileBytes(count);
    if (fstatSync(fd).size !== size) return null;
    const buf = Buffer.alloc(size);
    if (readSync(fd, buf, 0, size, 0) !== size) return null;
    const k = indexBytesFor(count);
    const keys = buf.subarray(0, k);
    const sums = buf.subarray(k, size - 32);
    return trailerOf(keys, sums, snapshotSha256).equals(buf.subarray(size - 32)) ? { keys, sums } : null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a whole snapshot file once: its SHA-256 must be `snapshotSha256`, and the index and block
 * CRCs are rebuilt on the way. Throws an Error naming what is wrong.
 */
export function verifyWholeSnapshot(fd: number, count: number, snapshotSha256: Uint8Array, file: string): IndexData {
  const hash = createHash('sha256');
  const head = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
  if (readSync(fd, head, 0, head.length, 0) !== head.length) throw new Error(`snapshot file ${file} is truncated`);
  hash.update(head);
  const builder = new SparseIndexBuilder(count);
  const sums = new BlockChecksumBuilder(count);
  const blocksPerRead = 241; // about 1 MB per read
  const buf = Buffer.alloc(blocksPerRead * BLOCK_BYTES);
  for (let first = 0; first < count; first += blocksPerRead * BLOCK_RECORDS) {
    const records = Math.min(blocksPerRead * BLOCK_RECORDS, count - first);
    const want = records * RECORD_BYTES;
    const got = readSync(fd, buf, 0, want, SNAPSHOT_HEADER_BYTES + first * RECORD_BYTES);
    if (got !== want) throw new Error(`snapshot file ${file} is shorter than its count`);
    hash.update(buf.subarray(0, want));
    sums.update(buf, 0, want);
    for (let r = 0; r < records; r += BLOCK_RECORDS) builder.offer(first + r, buf, r * RECORD_BYTES);
  }
  if (!hash.digest().equals(snapshotSha256)) throw new Error(`snapshot file ${file} is damaged (its SHA-256 differs from the manifest's)`);
  return { keys: builder.finish(), sums: sums.finish() };
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
