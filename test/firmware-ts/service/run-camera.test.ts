/**
 * `roadscan run --hal sim --camera FILE --events json` as a user runs it: the built binary, a
 * video made here (generated frames, ffmpeg), the verdicts on standard output: one per code
 * shown, none for the empty counter between them; with `--scanner PTY` as well, codes from both.
 * Its database holds the demo's status list, synced by the real sync before the run starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../../hal/scanner/pty-pair.js';
import { openDatabase } from '../../../firmware-ts/store/database.js';
import { createDemoWorld, syncDemoStatusList, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { sceneFrames, standardShots } from '../../../sim/scenarios/camera/camera-scenes.js';
import { encodeVideo } from '../../../sim/scenarios/camera/video-encoder.js';
import { BIN } from '../../helpers/cli.js';
import { waitUntil, writeTo } from '../../hal/helpers/events.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
let dir: string;
let world: DemoWorld;
let clip: string;
let child: ChildProcess | null = null;
let pair: PtyPair | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-run-camera-'));
  world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  const db = openDatabase(join(dir, 'run.db'));
  try {
    (await syncDemoStatusList(world, db, join(dir, 'run.db'))).close();
  } finally {
    db.close();
  }
  const a = world.authority;
  const codes = [
    a.code({ type: 'DL', now: NOW_SEC }).text,
    a.code({ type: 'VR', now: NOW_SEC }).text,
    a.code({ type: 'DL', now: NOW_SEC, flaw: 'holder-signature' }).text,
    world.revoked.text,
  ] as const;
  clip = join(dir, 'window.mp4');
  await encodeVideo(sceneFrames(standardShots(codes, 10, 6), { width: 640, height: 480 }), clip, { fps: 10 });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      screen: { enabled: false },
      health: { enabled: false },
      camera: { loop: false, repeatMs: 60_000 },
      scanner: { reconnect: { initialMs: 20, maxMs: 100 } },
    }),
  );
}, 120_000);

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
  await pair?.stop();
  pair = null;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(extra: string[]): { lines: Record<string, unknown>[]; exited: Promise<number | null> } {
  const lines: Record<string, unknown>[] = [];
  const c = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--hal',
      'sim',
      ...extra,
      '--events',
      'json',
      '--config',
      join(dir, 'config.json'),
      '--trust',
      world.trustFile,
      '--db',
      join(dir, 'run.db'),
      '--now',
      new Date(NOW_SEC * 1000).toISOString(),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = c;
  let buf = '';
  c.stdout!.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  c.stderr!.resume();
  const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
  return { lines, exited };
}

describe('roadscan run --camera', () => {
  it('a video played as the camera: one verdict per code shown, none for the empty counter, end of video reported', async () => {
    const { lines, exited } = run(['--camera', clip]);
    await waitUntil(() => (lines.some((l) => l.event === 'scanner' && l.state === 'closed') ? true : undefined), 'end of the video', 40_000);
    const scans = lines.filter((l) => l.event === 'scan');
    expect(scans.map((s) => [s.verdict, s.type, (s.reasons as string[])[0] ?? null])).toEqual([
      ['accept', 'DL', null],
      ['warn', 'VR', 'PAPER_REQUIRED'],
      ['reject', 'DL', 'BAD_HOLDER_SIGNATURE'],
      ['reject', 'DL', 'REVOKED'],
    ]);
    expect(lines.filter((l) => l.event === 'scanner').map((l) => l.state)).toEqual(['open', 'closed']);
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('camera and serial scanner at once: codes from both', async () => {
    pair = await startPtyPair(join(dir, 'scanner'), join(dir, 'feeder'));
    const { lines, exited } = run(['--camera', clip, '--scanner', pair.devicePath]);
    await waitUntil(() => (lines.filter((l) => l.event === 'scan').length >= 1 ? true : undefined), 'a camera scan', 40_000);
    writeTo(pair.feederPath, `${world.authority.code({ type: 'VR', now: NOW_SEC, genAgeSec: 30 }).text}\r\n`);
    await waitUntil(() => (lines.filter((l) => l.event === 'scan').length >= 5 ? true : undefined), 'four camera scans and one serial', 40_000);
    expect(lines.filter((l) => l.event === 'scan' && l.type === 'VR')).toHaveLength(2);
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
