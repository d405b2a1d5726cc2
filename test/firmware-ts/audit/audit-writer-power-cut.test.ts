/**
 * The power cut on the service's own path (audit-writer.ts: acknowledged only once committed, in
 * group commits, off the event loop): a child submits scans in bursts and is killed with SIGKILL
 * again and again. Every record the writer acknowledged is in the log under its sequence number,
 * whole, exactly once, and the database opens clean (integrity_check ok) after every cut; the
 * audit chain is whole after every cut (no hole in the sequence, every link and checkpoint holds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecordOf, type AuditRow } from '../../../firmware-ts/audit/audit-record.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { chainAfterCut } from './fixtures/chain-whole.js';
import { expectedScan } from './fixtures/expected-scan.js';
import { runAndKill } from './fixtures/kill-after.js';

const CYCLES = 5;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-writer-cut-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the audit writer under power cuts (SIGKILL during bursts)', () => {
  it('keeps every record it acknowledged, whole, exactly once; the database opens clean', async () => {
    const dbFile = join(dir, 'unit.db');
    const acknowledged = new Map<number, string>();
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const out = await runAndKill('writer-burst.ts', [dbFile, String(cycle)], 200 + Math.floor(Math.random() * 600));
      for (const [seq, key] of out) {
        expect(acknowledged.has(seq), `seq ${seq} acknowledged twice`).toBe(false);
        acknowledged.set(seq, key);
      }
      const db = openDatabase(dbFile);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
        const keys = new Set<string>();
        for (const row of rows) {
          expect(keys.has(row.status_key!), `${row.status_key} twice`).toBe(false);
          keys.add(row.status_key!);
          const e = expectedScan(row.status_key!);
          expect(auditRecordOf(row)).toMatchObject({
            at: new Date(e.atSec * 1000).toISOString(),
            verdict: e.result.verdict,
            reasons: e.result.reasons,
            type: e.result.type,
            ms: e.result.ms,
          });
        }
        const bySeq = new Map(rows.map((r) => [r.seq, r]));
        for (const [seq, key] of acknowledged) expect(bySeq.get(seq)?.status_key, `acknowledged seq ${seq}`).toBe(key);
        const chain = chainAfterCut(db, dbFile);
        expect(chain.problems, `chain after cut ${cycle}`).toEqual([]);
        expect(chain.seqs).toEqual(chain.seqs.map((_, i) => i + 1));
      } finally {
        db.close();
      }
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(CYCLES * 200);
  }, 300_000); // five child processes, each starting from the TypeScript sources: slow on a loaded machine
});
