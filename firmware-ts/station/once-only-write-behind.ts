/**
 * The once-only records (boardings, voucher swaps) written behind the answer: in the service they
 * become durable in the audit writer's group commits (audit/audit-writer.ts `writeInSameCommit`),
 * in the same transaction as the scan's audit record, so one connection holds the write lock, a
 * boarding never waits on the disk behind an audit commit, and neither row is durable without the
 * other. The writer runs statements it is handed and knows nothing of once-only: the concept, its
 * SQL (local-once-only-store.ts) and the name its faults are reported under live here, in station/.
 * @module
 */
import type { OnceAction, OnceRecord } from './once-only.js';

/**
 * The storage-health source a failing once-only write is reported as: `boarding`, the label
 * operators already know (`roadscan_storage_failures_total{store="boarding"}`, /healthz, screen).
 */
export const ONCE_ONLY_HEALTH_SOURCE = 'boarding';

/** One once-only statement and its values (the store's own `?` statements). */
export interface OnceWrite {
  sql: string;
  values: (string | number | null)[];
}

/** Where the store's writes become durable off the event loop. */
export interface OnceWriteBehind {
  /** Resolves once durable, with the rows changed (-1: given up); never rejects. */
  writeOnce(write: OnceWrite): Promise<number>;
}

/** A write handed behind that did not turn out as answered: reported, never hidden. */
export interface OnceWriteProblem {
  key: string;
  action: OnceAction;
  /** `taken-meanwhile`: another process had recorded this ticket first; `given-up`: never written. */
  kind: 'taken-meanwhile' | 'given-up';
  record: OnceRecord | null;
}

/** What the once-only store needs of a writer that commits other stores' rows with its own (the audit writer). */
export interface SameCommitWriter {
  writeInSameCommit(write: OnceWrite & { source: string }): Promise<number>;
}

/** The once-only store's writes, made durable in `writer`'s commits and reported as `boarding` when they fail. */
export function onceOnlyWriteBehind(writer: SameCommitWriter): OnceWriteBehind {
  return { writeOnce: (write) => writer.writeInSameCommit({ sql: write.sql, values: write.values, source: ONCE_ONLY_HEALTH_SOURCE }) };
}
