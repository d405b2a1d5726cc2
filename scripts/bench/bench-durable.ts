/**
 * Feedback first, durable before it ends (docs/DESIGN.md, Feedback and Faults): the time from a
 * frame's last byte on a real pseudo-terminal to the appliance's verdict event, and the time from
 * that scan to its audit record being durable, with the database on this machine's disk:
 *
 * - baseline: the audit insert (synchronous=FULL) on the scan path, before the verdict, as before,
 *   on this disk and with every commit 200 ms longer;
 * - writer: records handed to the worker (audit-writer.ts), committed in groups off the loop;
 * - writer, slow store: the same with every commit 200 ms longer (an SD card at its worst);
 * - the audit chain's cost on the verdict: the baseline and the writer each with the chain (records
 *   hashed, checkpoints signed with a device key) and without, in interleaved rounds (goal 1.1x).
 *
 * Targets: verdict p99 at most 10 ms with the writer, slow store included; every record durable
 * within the feedback of its verdict (docs/DESIGN.md's table: 1 s for accept, 2 s for warn and reject).
 *
 * Run: npm run build && node dist/scripts/bench/bench-durable.js [SCANS]
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AuditLog, type AuditSink } from '../../firmware-ts/audit/audit-log.js';
import { AuditWriter } from '../../firmware-ts/audit/audit-writer.js';
import { makeDeviceKey } from '../../firmware-ts/audit/device-key.js';
import { buildChecker, buildScanPath, chooseTrust, openRuntime } from '../../firmware-ts/app/index.js';
import { buildOnceOnly } from '../../firmware-ts/app/once-only.js';
import { onceOnlyWriteBehind } from '../../firmware-ts/station/once-only-write-behind.js';
import { Appliance } from '../../firmware-ts/service/appliance.js';
import { SimIndicator } from '../../hal/indicator/sim-indicator.js';
import { patternFor } from '../../hal/indicator/patterns.js';
import { startPtyPair } from '../../hal/scanner/pty-pair.js';
import { SerialScanner } from '../../hal/scanner/serial-scanner.js';
import { createDemoWorld, syncDemoStatusList, type DemoWorld } from '../../sim/scenarios/demo.js';
import { frames, TimedFeeder } from './bench-hal.js';
import { formatRows, type BenchRow } from './bench-row.js';
import { percentile } from './bench-stats.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;

/**
 * `gate`: TK tickets at a gate, each boarding claimed before its verdict: `sync`, a transaction on
 * the service's connection (it waits for the audit worker's write lock); `behind`, answered from
 * memory and written in the worker's commits (local-once-only-store.ts, as the service runs).
 */
type Mode = { name: string; writer: boolean; flushDelayMs: number; gate?: 'sync' | 'behind'; unchained?: boolean };

const GATE_NOW_SEC = Date.parse('2026-11-20T10:00:00+08:00') / 1000;
const GATE_STATION = 'S110105001';

async function run(
  dir: string,
  world: DemoWorld,
  n: number,
  mode: Mode,
  round = 0,
): Promise<{ verdict: number[]; overFeedback: number; durableMax: number; records: number; boardings: number | null }> {
  const file = join(dir, `${mode.name.replace(/\W+/g, '-')}-${round}.db`);
  const nowSec = mode.gate ? GATE_NOW_SEC : NOW_SEC;
  const rt = await openRuntime({
    db: file,
    trust: world.trustFile,
    now: new Date(nowSec * 1000).toISOString(),
    ...(mode.gate ? { profile: 'gate', station: GATE_STATION } : { profile: 'roadside' }),
  });
  const status = await syncDemoStatusList(world, rt.db, rt.dbFile);
  // The synchronous path writes through this log: chained with the device key, or the unchained baseline.
  const log = new AuditLog(
    rt.db,
    { deviceId: 'bench', operator: '' },
    mode.writer ? {} : mode.unchained ? { unchainedForBenchmark: true } : { key: makeDeviceKey(file).key.signing },
  );
  const pair = await startPtyPair(join(dir, `dev-${mode.name.length}-${round}`), join(dir, `feed-${mode.name.length}-${round}`));
  const scanner = new SerialScanner({ ...rt.config.scanner, path: pair.devicePath });
  const verdict: number[] = [];
  const verdicts: string[] = [];
  const durableWaits: number[] = [];
  const writer = mode.writer
    ? new AuditWriter({
        file,
        meta: { deviceId: 'bench', operator: '' },
        flushDelayMs: mode.flushDelayMs,
        // As the service: checkpoints signed by a device key (every 100 here), unless the mode is the unchained baseline.
        ...(mode.unchained ? { unchainedForBenchmark: true } : { key: makeDeviceKey(file).key.signing, checkpointEvery: 100 }),
        onDurable: (rs) => durableWaits.push(...rs.map((r) => r.waitedMs)),
      })
    : null;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  // The old path with a slow disk: the insert, then the flush's extra time, before the verdict.
  const slowSync: AuditSink = { submit: (e) => (log.record(e), Atomics.wait(pause, 0, 0, mode.flushDelayMs)) };
  const sink: AuditSink = writer ?? (mode.flushDelayMs > 0 ? slowSync : log);
  const once = mode.gate ? buildOnceOnly(rt, mode.gate === 'behind' && writer ? { local: { writeBehind: onceOnlyWriteBehind(writer) } } : {}) : null;
  const feeder = new TimedFeeder();
  const path = buildScanPath(rt, { checker: buildChecker(rt, chooseTrust(rt, null), status), audit: sink, onceOnly: once });
  path.on('fault', (f) => f.part === 'once-only' && f.state === 'failing' && console.error(`once-only store fault: ${f.fault.message}`));
  path.on('scan', (s) => {
    verdict.push(feeder.scanned());
    verdicts.push(s.result.verdict);
  });
  const appliance = new Appliance({ scanner, indicator: new SimIndicator(), feedback: rt.config.feedback, path, listStale: () => false });
  await appliance.start();
  try {
    await feeder.feed(pair.feederPath, mode.gate ? Array.from({ length: n }, () => world.authority.code({ type: 'TK', now: nowSec }).text) : frames(world, n));
    if (writer) await writer.idle(30_000);
  } finally {
    await appliance.stop();
    await path.close();
    await writer?.close();
    await once?.close();
    await pair.stop();
  }
  const records = log.count();
  const boardings = once ? once.station.local.count() : null;
  status.close();
  rt.close();
  // The synchronous baseline is durable before the verdict: its wait is 0 by construction.
  const waits = writer ? durableWaits : verdicts.map(() => 0);
  const limit = (v: string) => patternFor(v as 'accept', rt.config.feedback).durationMs;
  const overFeedback = waits.filter((w, i) => w > limit(verdicts[i] ?? 'accept')).length;
  return { verdict, overFeedback, durableMax: Math.max(0, ...waits), records, boardings };
}

export async function runDurableBench(scans = 200): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-bench-durable-'));
  try {
    const world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
    const modes: Mode[] = [
      { name: 'baseline: insert before verdict', writer: false, flushDelayMs: 0 },
      { name: 'baseline, slow store (200 ms a commit)', writer: false, flushDelayMs: 200 },
      { name: 'writer', writer: true, flushDelayMs: 0 },
      { name: 'writer, slow store (200 ms a commit)', writer: true, flushDelayMs: 200 },
      { name: 'gate, boarding on the scan path', writer: true, flushDelayMs: 0, gate: 'sync' },
      { name: 'gate, boarding on the scan path, slow store (200 ms a commit)', writer: true, flushDelayMs: 200, gate: 'sync' },
      { name: 'gate, boarding behind', writer: true, flushDelayMs: 0, gate: 'behind' },
      { name: 'gate, boarding behind, slow store (200 ms a commit)', writer: true, flushDelayMs: 200, gate: 'behind' },
    ];
    // The chain's cost on the verdict: each path with and without it, in interleaved rounds (the
    // order reversed every other round), so the machine's load falls on both alike.
    const pairs: [Mode, Mode][] = [
      [
        { name: 'baseline, unchained', writer: false, flushDelayMs: 0, unchained: true },
        { name: 'baseline, chained', writer: false, flushDelayMs: 0 },
      ],
      [
        { name: 'writer, unchained', writer: true, flushDelayMs: 0, unchained: true },
        { name: 'writer, chained', writer: true, flushDelayMs: 0 },
      ],
    ];
    const rows: BenchRow[] = [];
    const ROUNDS = 4;
    for (const [without, withChain] of pairs) {
      const latencies = new Map<Mode, number[]>([
        [without, []],
        [withChain, []],
      ]);
      for (let r = 0; r < ROUNDS; r++) {
        for (const mode of r % 2 ? [withChain, without] : [without, withChain]) {
          latencies.get(mode)!.push(...(await run(dir, world, Math.max(10, Math.ceil(scans / ROUNDS)), mode, r)).verdict);
        }
      }
      const p99Of = (m: Mode) =>
        percentile(
          [...latencies.get(m)!].sort((a, b) => a - b),
          99,
        );
      rows.push(
        { name: `${without.name}: last byte -> verdict p99`, value: p99Of(without), unit: 'ms' },
        { name: `${withChain.name}: last byte -> verdict p99`, value: p99Of(withChain), unit: 'ms' },
        { name: `${withChain.name} + checkpoints p99 / unchained p99 (goal <= 1.1)`, value: p99Of(withChain) / p99Of(without), unit: 'x' },
      );
    }
    let baseP99 = NaN;
    for (const mode of modes) {
      // The slow baseline waits 200 ms per scan by construction: a quarter of the scans tell it.
      const n = !mode.writer && mode.flushDelayMs > 0 ? Math.max(20, Math.floor(scans / 4)) : scans;
      const r = await run(dir, world, n, mode);
      const s = [...r.verdict].sort((a, b) => a - b);
      const p99 = percentile(s, 99);
      if (!mode.writer && mode.flushDelayMs === 0) baseP99 = p99;
      rows.push(
        { name: `${mode.name}: last byte -> verdict p50`, value: percentile(s, 50), unit: 'ms' },
        { name: `${mode.name}: last byte -> verdict p99`, value: p99, unit: 'ms' },
        { name: `${mode.name}: p99 / baseline p99`, value: p99 / baseP99, unit: 'x' },
        { name: `${mode.name}: scan -> durable, max`, value: r.durableMax, unit: 'ms' },
        { name: `${mode.name}: records durable after their feedback ended`, value: r.overFeedback, unit: `of ${n}` },
        { name: `${mode.name}: records in the log`, value: r.records, unit: `of ${n}` },
      );
      if (r.boardings !== null) rows.push({ name: `${mode.name}: boardings on record`, value: r.boardings, unit: `of ${n}` });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatRows('feedback first, durable before it ends', await runDurableBench(Number(process.argv[2] ?? 200))));
}
