/**
 * Garbage on the serial line (docs/DESIGN.md: every outside input is hostile): `roadscan run` over
 * a real socat pty takes FLOOD_MB of random bytes, then one valid frame. The log stays bounded (the
 * logger's rate limit per kind: a fixed number of warn lines, the rest counted as suppressed), holds
 * no raw control character, the valid frame still gets its verdict, and the process's memory stays
 * bounded. (The issue measured 154,262 warn lines for 20 MB before the limit.)
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDemoWorld } from '../../../sim/scenarios/demo.js';
import { runHarness, syncedDemoDatabase } from '../../helpers/run-harness.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
/** Megabytes of random bytes (a deterministic stream, so a failure can be replayed). */
const FLOOD_MB = Number(process.env.ROADSCAN_FLOOD_MB ?? 20);
const harness = runHarness('each');

/** xorshift32: random-looking bytes without a crypto call per chunk. */
function garbage(bytes: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed >>> 0;
  for (let i = 0; i < bytes; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  return out;
}

function memoryKb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

describe('a flood of random bytes on the serial line', () => {
  it(`${FLOOD_MB} MB of garbage: a bounded log with suppressed counts, no control characters, the next valid frame answered`, async () => {
    const dir = harness.tempDir('roadscan-flood-');
    const world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
    const dbFile = await syncedDemoDatabase(world, join(dir, 'run.db'));
    const run = await harness.start({
      dir,
      scanner: true,
      args: ['--trust', world.trustFile, '--db', dbFile, '--now', new Date(NOW_SEC * 1000).toISOString()],
    });
    await run.nextEvent('scanner');
    const before = memoryKb(run.child.pid!);

    const started = Date.now();
    // Written asynchronously (the thread pool waits on a full pty, not this event loop): a blocked
    // loop here would stop reading the child's output pipes and stall the child's own writes.
    const fh = await open(run.pty!.feederPath, 'r+');
    try {
      const chunk = 64 * 1024;
      for (let sent = 0, n = 0; sent < FLOOD_MB * 1024 * 1024; sent += chunk, n++) await fh.write(garbage(chunk, 0x9e3779b9 + n));
      // A line end, then a valid frame: the scanner must be back in step for it.
      await fh.write(Buffer.from(`\r\n${world.authority.code({ type: 'DL', now: NOW_SEC }).text}\r\n`));
    } finally {
      await fh.close();
    }
    const valid = await run.nextEvent((e) => e.event === 'scan' && e.type === 'DL', 120_000);
    const floodMs = Date.now() - started;
    expect(valid).toMatchObject({ verdict: 'accept', reasons: [] });
    const after = memoryKb(run.child.pid!);
    expect(await run.stop('SIGTERM')).toBe(0);

    const lines = run.stderr().split('\n').filter(Boolean);
    const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string; suppressed?: number; kind?: string });
    const warnPlus = records.filter((r) => r.level >= 40);
    const kinds = new Set(warnPlus.map((r) => r.kind ?? r.msg));
    const suppressed = records.reduce((n, r) => n + (r.suppressed ?? 0), 0);
    console.log(
      `serial-flood: ${FLOOD_MB} MB in ${floodMs} ms; ${run.of('scan').length} scan events; ${lines.length} log lines (${warnPlus.length} warn+, ${kinds.size} kinds, ${suppressed} suppressed); RSS ${before.rss} -> ${after.rss} kB, peak ${after.peak} kB`,
    );
    // At most the burst (20) per kind per minute, plus one summary line per kind.
    expect(warnPlus.length).toBeLessThanOrEqual(kinds.size * 21 * Math.ceil(floodMs / 60_000 + 1));
    expect(warnPlus.length).toBeLessThan(200);
    // The log says what it held back, or nothing was held back because nothing was said.
    if (run.of('scan').length > 50 || records.some((r) => r.msg === 'scanner frame dropped')) expect(suppressed).toBeGreaterThan(0);
    // Nothing raw reaches the log: JSON lines only, no control characters but the line ends.
    // eslint-disable-next-line no-control-regex
    expect(run.stderr()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    // Memory bounded: the flood does not grow the process by more than 150 MB.
    expect(after.peak - before.rss).toBeLessThan(150 * 1024);
  });
});
