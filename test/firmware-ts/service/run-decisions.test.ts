/**
 * The simulator's keys answer the operator's decisions: `roadscan run --hal sim --events json` as
 * a process, codes and keys typed on its standard input. At a gate a refuse (`r`) undoes the
 * boarding so the same ticket boards on its next scan, and a confirm (`c`) keeps it; at a window
 * a confirm records the voucher swap and the next swap of that ticket is VOUCHER_ISSUED. Every
 * answer is in the audit log with the scan it answers.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createDemoWorld } from '../../../sim/scenarios/demo.js';
import { runHarness } from '../../helpers/run-harness.js';

const NOW_SEC = Date.parse('2026-11-20T10:00:00+08:00') / 1000;
const STATION = 'S110105001';
const harness = runHarness();

async function startRun(profile: 'gate' | 'window') {
  const dir = harness.tempDir('roadscan-keys-');
  const world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  const run = await harness.start({
    dir,
    stdin: true,
    config: { device: { id: `${profile}-1`, operator: '' } },
    args: ['--profile', profile, '--station', STATION, '--trust', world.trustFile, '--db', join(dir, 'run.db'), '--now', new Date(NOW_SEC * 1000).toISOString()],
  });
  /** The next event of a kind not yet waited for. */
  const next = (name: string) => run.nextEvent(name);
  const stop = async () => {
    await run.stop('SIGTERM');
    return new Database(join(dir, 'run.db'), { readonly: true });
  };
  return { world, type: run.type, next, of: run.of, stop };
}

describe('roadscan run --hal sim: keys confirm and refuse', () => {
  it('at a gate: r undoes the boarding (the next scan boards), c keeps it (the next is ALREADY_BOARDED)', async () => {
    const run = await startRun('gate');
    await run.next('scanner');
    const ticket = run.world.authority.code({ type: 'TK', now: NOW_SEC }).text;
    run.type(ticket);
    expect(await run.next('scan')).toMatchObject({ verdict: 'warn', reasons: ['CHECK_ID', 'STATUS_LIST_STALE'] });
    const first = await run.next('decision');
    expect(first).toEqual({ event: 'decision', scanId: expect.stringMatching(/^[0-9a-f]{16}$/), kind: 'check-id' });
    run.type('r');
    expect(await run.next('action')).toEqual({ event: 'action', scanId: first.scanId, action: 'refuse', source: 'keyboard', result: 'boarding-undone' });
    run.type(ticket);
    expect(await run.next('scan')).toMatchObject({ verdict: 'warn', reasons: ['CHECK_ID', 'STATUS_LIST_STALE'] });
    const second = await run.next('decision');
    expect(second.scanId).not.toBe(first.scanId);
    run.type('C');
    expect(await run.next('action')).toMatchObject({ scanId: second.scanId, action: 'confirm', result: 'boarding-kept' });
    run.type(ticket);
    expect(await run.next('scan')).toMatchObject({ verdict: 'reject', reasons: ['ALREADY_BOARDED', 'CHECK_ID', 'STATUS_LIST_STALE'] });
    // A key with nothing pending does nothing, and is not taken for a code.
    run.type('r');
    run.type('RS1:not-a-code');
    await run.next('scan');
    expect(run.of('action')).toHaveLength(2);
    const db = await run.stop();
    const rows = db.prepare('SELECT scan_id, action, action_source, action_result, verdict, reasons FROM audit_log ORDER BY seq').all();
    db.close();
    expect(rows).toEqual([
      { scan_id: first.scanId, action: null, action_source: null, action_result: null, verdict: 'warn', reasons: 'CHECK_ID STATUS_LIST_STALE' },
      { scan_id: first.scanId, action: 'refuse', action_source: 'keyboard', action_result: 'boarding-undone', verdict: 'warn', reasons: 'CHECK_ID STATUS_LIST_STALE' },
      { scan_id: second.scanId, action: null, action_source: null, action_result: null, verdict: 'warn', reasons: 'CHECK_ID STATUS_LIST_STALE' },
      { scan_id: second.scanId, action: 'confirm', action_source: 'keyboard', action_result: 'boarding-kept', verdict: 'warn', reasons: 'CHECK_ID STATUS_LIST_STALE' },
      expect.objectContaining({ action: null, verdict: 'reject', reasons: 'ALREADY_BOARDED CHECK_ID STATUS_LIST_STALE' }),
      expect.objectContaining({ action: null, verdict: 'reject', reasons: 'MALFORMED STATUS_LIST_STALE' }),
    ]);
  });

  it('at a window: c records the voucher swap, and the next swap of that ticket is VOUCHER_ISSUED', async () => {
    const run = await startRun('window');
    await run.next('scanner');
    const ticket = run.world.authority.code({ type: 'TK', now: NOW_SEC }).text;
    run.type(ticket);
    expect(await run.next('scan')).toMatchObject({ verdict: 'warn', reasons: ['CHECK_ID', 'STATUS_LIST_STALE'] });
    const first = await run.next('decision');
    expect(first.kind).toBe('voucher');
    run.type('c');
    expect(await run.next('action')).toMatchObject({ scanId: first.scanId, result: 'voucher-recorded' });
    run.type(ticket);
    expect(await run.next('scan')).toMatchObject({ verdict: 'reject', reasons: ['VOUCHER_ISSUED', 'CHECK_ID', 'STATUS_LIST_STALE'] });
    const db = await run.stop();
    expect(db.prepare('SELECT action, device, scan_id FROM once_only').all()).toEqual([{ action: 'voucher', device: 'window-1', scan_id: first.scanId }]);
    db.close();
  });
});
