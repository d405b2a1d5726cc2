/**
 * Large synthetic status lists for benchmarks and load tests: `count` random-looking keys
 * generated directly in ascending order (each key owns a disjoint slice of the 32-bit prefix
 * space), so ten million entries stream to disk without ever being sorted or held in memory.
 * Deterministic for a given seed.
 * @module
 */
import { KEY_BYTES } from '../../firmware-ts/status/list/index.js';
import { RecordFileWriter, type WrittenFile } from './record-file-writer.js';

/** A small fast PRNG (sfc32): reproducible lists, not security. */
export function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 0;
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

export interface SyntheticList {
  written: WrittenFile;
  /** Every `sampleEvery`-th key, concatenated (16 bytes each), for lookups and deltas. */
  samples: Buffer;
  sampleStatuses: number[];
}

/** Writes a sorted snapshot of `count` entries with statuses 1..8. */
export function writeSyntheticSnapshot(file: string, seq: number, count: number, seed: number, sampleEvery = 100): SyntheticList {
  if (count > 0xffff_ffff) throw new Error('count must fit 32 bits');
  const rnd = seededRandom(seed);
  const w = new RecordFileWriter(file, { kind: 'snapshot', seq });
  const key = Buffer.alloc(KEY_BYTES);
  const width = 2 ** 32 / Math.max(count, 1);
  const samples: Buffer[] = [];
  const sampleStatuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const lo = Math.floor(i * width);
    const span = Math.floor((i + 1) * width) - lo;
    key.writeUInt32BE(lo + (rnd() % span), 0);
    key.writeUInt32BE(rnd(), 4);
    key.writeUInt32BE(rnd(), 8);
    key.writeUInt32BE(rnd(), 12);
    const status = 1 + (rnd() % 8);
    w.add(key, 0, status);
    if (i % sampleEvery === 0) {
      samples.push(Buffer.from(key));
      sampleStatuses.push(status);
    }
  }
  return { written: w.finish(), samples: Buffer.concat(samples), sampleStatuses };
}

/** `n` random keys (almost surely absent from any list), concatenated. */
export function randomKeys(n: number, seed: number): Buffer {
  const rnd = seededRandom(seed);
  const out = Buffer.alloc(n * KEY_BYTES);
  for (let i = 0; i < n * 4; i++) out.writeUInt32BE(rnd(), i * 4);
  return out;
}
