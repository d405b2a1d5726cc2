/**
 * The two binary files of docs/STATUS-LIST.md: the snapshot (`RSS1`) and the delta (`RSD1`).
 *
 * Both are a fixed big-endian header followed by 17-byte records (16-byte key, status byte).
 * The scanner keeps a verified snapshot on disk exactly as received, so this module is the one
 * place that knows the byte layout, for the receiver, the reader and the simulator's writers.
 * @module
 */

export const KEY_BYTES = 16;
export const RECORD_BYTES = 17;

export const SNAPSHOT_MAGIC = 'RSS1';
/** `RSS1`, seq u64, count u32. */
export const SNAPSHOT_HEADER_BYTES = 16;

export const DELTA_MAGIC = 'RSD1';
/** `RSD1`, from u64, to u64, count u32. */
export const DELTA_HEADER_BYTES = 24;

/** Highest status byte with a meaning (docs/STATUS-LIST.md); above it the entry counts as revoked. */
export const MAX_KNOWN_STATUS = 8;

/** A header field that does not fit a JS number exactly is refused rather than rounded. */
function u64(buf: Uint8Array, offset: number): number | null {
  const v = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).readBigUInt64BE(offset);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}

function u32(buf: Uint8Array, offset: number): number {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).readUInt32BE(offset);
}

function magicOf(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, 4).toString('latin1');
}

export interface SnapshotHeader {
  seq: number | null;
  count: number;
  magic: string;
}

export interface DeltaHeader {
  from: number | null;
  to: number | null;
  count: number;
  magic: string;
}

export function readSnapshotHeader(buf: Uint8Array): SnapshotHeader {
  return { magic: magicOf(buf), seq: u64(buf, 4), count: u32(buf, 12) };
}

export function readDeltaHeader(buf: Uint8Array): DeltaHeader {
  return { magic: magicOf(buf), from: u64(buf, 4), to: u64(buf, 12), count: u32(buf, 20) };
}

export function encodeSnapshotHeader(seq: number, count: number): Buffer {
  const b = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
  b.write(SNAPSHOT_MAGIC, 0, 'latin1');
  b.writeBigUInt64BE(BigInt(seq), 4);
  b.writeUInt32BE(count, 12);
  return b;
}

export function encodeDeltaHeader(from: number, to: number, count: number): Buffer {
  const b = Buffer.alloc(DELTA_HEADER_BYTES);
  b.write(DELTA_MAGIC, 0, 'latin1');
  b.writeBigUInt64BE(BigInt(from), 4);
  b.writeBigUInt64BE(BigInt(to), 12);
  b.writeUInt32BE(count, 20);
  return b;
}

export function snapshotBytes(count: number): number {
  return SNAPSHOT_HEADER_BYTES + RECORD_BYTES * count;
}

export function deltaBytes(count: number): number {
  return DELTA_HEADER_BYTES + RECORD_BYTES * count;
}

/**
 * Compares the 16-byte keys at `a[ao]` and `b[bo]` like memcmp. A plain loop: it allocates
 * nothing, and sorted random keys differ within their first few bytes.
 */
export function compareKeys(a: Uint8Array, ao: number, b: Uint8Array, bo: number): number {
  for (let i = 0; i < KEY_BYTES; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    if (d !== 0) return d;
  }
  return 0;
}
