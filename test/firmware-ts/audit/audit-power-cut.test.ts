/**
 * Cuts a process that records scans and uploads them (SIGKILL, no chance to clean up) again and
 * again, then checks that every scan whose `record()` had returned is in the log exactly once,
 * that no row is half-written, and that the collector holds every record it acknowledged, once,
 * with the same content as the device; after every cut the audit chain is whole (no hole in the
 * sequence, every link and signed checkpoint holds) and the collector refused no batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import { auditRecordOf, type AuditRow } from '../../../firmware-ts/audit/audit-record.js';
import { AuditUploader } from '../../../firmware-ts/audit/audit-uploader.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { chainAfterCut } from './fixtures/chain-whole.js';
import { AuditCollector } from '../../../sim/audit/audit-collector.js';
import { expectedScan } from './fixtures/expected-scan.js';
import { runAndKill } from './fixtures/kill-after.js';

const CYCLES = 6;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-powercut-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CycleOutput {
  /** seq -> status key of every scan acknowledged to the caller. */
  acknowledged: Map<number, string>;
  /** The collector's acknowledgement mark reported by the child, highest seen. */
  uploadedThrough: number;
}

/** Runs the scan burst until it has acknowledged `killAfter` scans, then SIGKILLs it. */
async function scanAndKill(db: string, cycle: number, url: string | null, killAfter: number): Promise<CycleOutput> {
  let uploadedThrough = 0;
  const acknowledged = await runAndKill('scan-burst.ts', [db, String(cycle), ...(url ? [url] : [])], killAfter, (tag, a) => {
    if (tag === 'A') uploadedThrough = Math.max(uploadedThrough, Number(a));
  });
  return { acknowledged, uploadedThrough };
}

describe('audit log under power cuts (SIGKILL during bursts of scans and uploads)', () => {
  it('keeps every acknowledged scan exactly once, whole, and uploads each record once', async () => {
    const collector = new AuditCollector();
    const { url } = await collector.start();
    const dbFile = join(dir, 'unit.db');
    const acknowledged = new Map<number, string>();
    try {
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        // Faults on the wire too: refused batches and replies lost after the collector stored them.
        if (cycle % 2 === 0) collector.dropRepliesNext(2);
        if (cycle % 3 === 0) collector.refuseNext(3);
        const killAfter = 150 + Math.floor(Math.random() * 400);
        const out = await scanAndKill(dbFile, cycle, cycle === 1 ? null : url, killAfter);
        for (const [seq, key] of out.acknowledged) {
          expect(acknowledged.has(seq), `seq ${seq} acknowledged twice`).toBe(false);
          acknowledged.set(seq, key);
        }

        const db = openDatabase(dbFile);
        try {
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
          const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
          const log = new AuditLog(db, { deviceId: 'kill-test-unit', operator: 'op-0042' });
          const byKey = new Map<string, AuditRow[]>();
          for (const row of rows) byKey.set(row.status_key!, [...(byKey.get(row.status_key!) ?? []), row]);
          // Every row, acknowledged or caught between commit and print, is whole and unique.
          for (const row of rows) {
            expect(byKey.get(row.status_key!)).toHaveLength(1);
            const e = expectedScan(row.status_key!);
            expect(auditRecordOf(row)).toEqual({
              seq: row.seq,
              at: new Date(e.atSec * 1000).toISOString(),
              device: 'kill-test-unit',
              operator: 'op-0042',
              profile: e.profile,
              region: e.region,
              station: e.station,
              verdict: e.result.verdict,
              reasons: e.result.reasons,
              type: e.result.type,
              statusKey: e.result.statusKey,
              clockReliable: e.reliable,
              ms: e.result.ms,
              prev: expect.stringMatching(/^[0-9a-f]{64}$/),
              salt: expect.stringMatching(/^[0-9a-f]{32}$/),
            });
          }
          // Every acknowledged scan is there, under the seq record() returned.
          const bySeq = new Map(rows.map((r) => [r.seq, r]));
          for (const [seq, key] of acknowledged) expect(bySeq.get(seq)?.status_key, `acknowledged seq ${seq}`).toBe(key);
          // What the device holds as uploaded, the collector holds, identically and once.
          const acked = log.ackedThrough();
          expect(acked).toBeGreaterThanOrEqual(out.uploadedThrough);
          const held = new Map(collector.records().map((r) => [r.seq, r]));
          for (const row of rows) {
            if (row.seq <= acked) expect(held.get(row.seq)?.record).toEqual(auditRecordOf(row));
            if (held.has(row.seq)) expect(held.get(row.seq)!.record).toEqual(auditRecordOf(row));
          }
          expect(collector.conflicts).toBe(0);
          // The collector took every batch: each continued the chain it held.
          expect(collector.refusedBatches).toEqual([]);
          // The chain is whole after the cut: no hole, every link and checkpoint holds.
          const chain = chainAfterCut(db, dbFile);
          expect(chain.problems, `chain after cut ${cycle}`).toEqual([]);
          expect(chain.seqs).toEqual(chain.seqs.map((_, i) => i + 1));
          if (cycle > 1) expect(acked, `cycle ${cycle} uploaded something`).toBeGreaterThan(0);
        } finally {
          db.close();
        }
      }

      // Power back on for good: one clean round sends the rest; the collector then mirrors the log.
      const db = openDatabase(dbFile);
      try {
        const log = new AuditLog(db, { deviceId: 'kill-test-unit', operator: 'op-0042' });
        const round = await new AuditUploader(log, { url, batchSize: 200, timeoutMs: 10_000 }).uploadOnce();
        expect(round).toMatchObject({ ok: true, pending: 0 });
        const all = [...log.export(0)];
        expect(all.length).toBeGreaterThanOrEqual(acknowledged.size);
        expect(collector.records().map((r) => r.record)).toEqual(all);
        expect(collector.conflicts).toBe(0);
        expect(collector.duplicates).toBeGreaterThan(0); // resent batches really were resent
      } finally {
        db.close();
      }
    } finally {
      await collector.stop();
    }
  }, 300_000); // five child processes, each starting from the TypeScript sources: slow on a loaded machine
});
