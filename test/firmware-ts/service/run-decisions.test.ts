/**
 * The simulator's keys answer the operator's decisions: `roadscan run --hal sim --events json` as
 * a process, codes and keys typed on its standard input. At a gate a refuse (`r`) undoes the
 * boarding so the same ticket boards on its next scan, and a confirm (`c`) keeps it; at a window
 * a confirm records the voucher swap and the next swap of that ticket is VOUCHER_ISSUED. Every
 * answer is in the audit log with the scan it answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoWorld } from '../../../sim/scenarios/demo.js';
import { BIN } from '../../helpers/cli.js';
import { waitUntil } from '../../hal/helpers/events.js';

const NOW_SEC = Date.parse('2026-11-20T10:00:00+08:00') / 1000;
const STATION = 'S110105001';
let dir: string;
let child: ChildProcess | null = null;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
  rmSync(dir, { recursive: true, force: true });
});

function startRun(profile: 'gate' | 'window') {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-keys-'));
  const world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ device: { id: `${profile}-1`, operator: '' }, screen: { enabled: false }, health: { enabled: false } }));
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  const proc = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--hal',
      'sim',
      '--events',
      'json',
      '--config',
      join(dir, 'config.json'),
      '--profile',
      profile,
      '--station',
      STATION,
      '--trust',
      world.trustFile,
      '--db',
      join(dir, 'run.db'),
      '--now',
      new Date(NOW_SEC * 1000).toISOString(),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child = proc;
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const of = (name: string) => lines.filter((l) => l.event === name);
  const type = (text: string) => proc.stdin!.write(`${text}\n`);
  /** Waits for the n-th event of a kind (1-based). */
  const nth = (name: string, n: number) => waitUntil(() => of(name)[n - 1], `${name} #${n} (stderr: ${stderr.slice(-400)})`, 20_000);
  const stop = async () => {
    proc.stdin!.end();
    proc.kill('SIGTERM');
    await new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve())));
    return new Database(join(dir, 'run.db'), { readonly: true });
  };
  return { world, type, nth, of, stop };
}

describe('roadscan run --hal sim: keys confirm and refuse', () => {
  it('at a gate: r undoes the boarding (the next scan boards), c keeps it (the next is ALREADY_BOARDED)', async () => {
    const run = startRun('gate');
    await run.nth('scanner', 1);
    const ticket = run.world.authority.code({ type: 'TK', now: NOW_SEC }).text;
    run.type(ticket);
    expect(await run.nth('scan', 1)).toMatchObject({ verdict: 'warn', reasons: ['CHECK_ID', 'STATUS_LIST_STALE'] });
    const first = await run.nth('decision', 1);
    expect(first).toEqual({ event: 'decision', scanId: expect.stringMatching(/^[0-9a-f]{16}$/), kind: 'check-id' });
    run.type('r');
    expect(await run.nth('action', 1)).toEqual({ event: 'action', scanId: first.scanId, action: 'refuse', source: 'keyboard', result: 'boarding-undone' });
    run.type(ticket);
    expect(await run.nth('scan', 2)).toMatchObject({ verdict: 'warn', reasons: ['CHECK_ID', 'STATUS_LIST_STALE'] });
    const second = await run.nth('decision', 2);
    expect(second.scanId).not.toBe(first.scanId);
    run.type('C');
    expect(await run.nth('action', 2)).toMatchObject({ scanId: second.scanId, action: 'confirm', result: 'boarding-kept' });
    run.type(ticket);
    expect(await run.nth('scan', 3)).toMatchObject({ verdict: 'reject', reasons: ['ALREADY_BOARDED', 'CHECK_ID', 'STATUS_LIST_STALE'] });
    // A key with nothing pending does nothing, and is not taken for a code.
    run.type('r');
    run.type('RS1:not-a-code');
    await run.nth('scan', 4);
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
    const run = startRun('window');
    await run.nth('scanner', 1);
    const ticket = run.world.authority.code({ type: 'TK', now: NOW_SEC }).text;
    run.type(ticket);
    expect(await run.nth('scan', 1)).toMatchObject({ verdict: 'warn', reasons: ['CHECK_ID', 'STATUS_LIST_STALE'] });
    const first = await run.nth('decision', 1);
    expect(first.kind).toBe('voucher');
    run.type('c');
    expect(await run.nth('action', 1)).toMatchObject({ scanId: first.scanId, result: 'voucher-recorded' });
    run.type(ticket);
    expect(await run.nth('scan', 2)).toMatchObject({ verdict: 'reject', reasons: ['VOUCHER_ISSUED', 'CHECK_ID', 'STATUS_LIST_STALE'] });
    const db = await run.stop();
    expect(db.prepare('SELECT action, device, scan_id FROM once_only').all()).toEqual([{ action: 'voucher', device: 'window-1', scan_id: first.scanId }]);
    db.close();
  });
});
