/**
 * Writes a verified delta's records into the overlay as rows of version `to`. The rows stay
 * invisible (the state row's seq is still lower) until the sync commits, so they go in chunks,
 * each its own short transaction without an fsync of its own (relaxed-sync), and scans run in
 * between. A key listed twice in one delta
 * is refused (the primary key catches it).
 * @module
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Db } from '../../store/database.js';
import type { DeltaRef } from './manifest.js';
import type { SnapshotReader } from '../list/index.js';
import { DELTA_HEADER_BYTES, KEY_BYTES, MAX_KNOWN_STATUS, RECORD_BYTES } from '../list/index.js';
import { SyncError } from './sync-error.js';
import { withRelaxedSync } from '../list/index.js';

const CHUNK_RECORDS = 8192;

export interface DeltaTarget {
  db: Db;
  /** The snapshot generation the rows belong to. */
  baseId: number;
  base: SnapshotReader;
  /** Called between chunks: progress and lock renewal. */
  onChunk?(done: number, total: number): void;
}

export interface AppliedDelta {
  /** Change in the number of listed keys (status other than 0). */
  listedChange: number;
  unknownStatus: number;
}

/** Applies the delta stored in `file` (already checked against `ref`). Throws SyncError. */
export async function applyDeltaFile(file: string, ref: DeltaRef, t: DeltaTarget): Promise<AppliedDelta> {
  const before = t.db.prepare('SELECT status FROM status_overlay WHERE base_id = ? AND key = ? AND seq <= ? ORDER BY seq DESC LIMIT 1').pluck();
  const insert = t.db.prepare('INSERT INTO status_overlay (base_id, key, seq, status) VALUES (?, ?, ?, ?)');
  // The first delta on a snapshot (the common case) has no earlier rows to look through.
  const earlierRows = t.db.prepare('SELECT 1 FROM status_overlay WHERE base_id = ? AND seq <= ? LIMIT 1').get(t.baseId, ref.from) !== undefined;
  let listedChange = 0;
  let unknownStatus = 0;
  const applyChunk = t.db.transaction((buf: Buffer, n: number) => {
    for (let i = 0; i < n; i++) {
      const o = i * RECORD_BYTES;
      const key = buf.subarray(o, o + KEY_BYTES);
      const status = buf[o + KEY_BYTES]!;
      const held = earlierRows ? (before.get(t.baseId, key, ref.from) as number | undefined) : undefined;
      const prev = held ?? t.base.lookup(key);
      if (prev === 0 && status !== 0) listedChange++;
      if (prev !== 0 && status === 0) listedChange--;
      if (status > MAX_KNOWN_STATUS) unknownStatus++;
      insert.run(t.baseId, key, ref.to, status);
    }
  });
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK_RECORDS * RECORD_BYTES);
    for (let done = 0; done < ref.count; ) {
      const n = Math.min(CHUNK_RECORDS, ref.count - done);
      const want = n * RECORD_BYTES;
      if (readSync(fd, buf, 0, want, DELTA_HEADER_BYTES + done * RECORD_BYTES) !== want) {
        throw new SyncError(`${ref.path}: temporary copy is shorter than verified`);
      }
      try {
        withRelaxedSync(t.db, () => applyChunk(buf, n));
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new SyncError(`${ref.path}: a key is listed twice`);
        }
        throw err;
      }
      done += n;
      t.onChunk?.(done, ref.count);
      await yieldToLoop();
    }
  } finally {
    closeSync(fd);
  }
  return { listedChange, unknownStatus };
}
