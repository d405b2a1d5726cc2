/**
 * `roadscan run --hal sim --camera FILE --events json` as a user runs it: the built binary, a
 * video made here (generated frames, ffmpeg), the verdicts on standard output: one per code
 * shown, none for the empty counter between them; with `--scanner PTY` as well, codes from both.
 * Its database holds the demo's status list, synced by the real sync before the run starts. A
 * folder camera with a broken picture logs the refusal with which picture and why, as one safe line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld } from '../../../sim/scenarios/demo.js';
import { sceneFrames, standardShots } from '../../../sim/scenarios/camera/camera-scenes.js';
import { encodeVideo } from '../../../sim/scenarios/camera/video-encoder.js';
import { runHarness, syncedDemoDatabase } from '../../helpers/run-harness.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
const runs = runHarness('each');
const files = runHarness('all');
let dir: string;
let world: DemoWorld;
let clip: string;

beforeAll(async () => {
  dir = files.tempDir('roadscan-run-camera-');
  world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
  await syncedDemoDatabase(world, join(dir, 'run.db'));
  const a = world.authority;
  const codes = [
    a.code({ type: 'DL', now: NOW_SEC }).text,
    a.code({ type: 'VR', now: NOW_SEC }).text,
    a.code({ type: 'DL', now: NOW_SEC, flaw: 'holder-signature' }).text,
    world.revoked.text,
  ] as const;
  clip = join(dir, 'window.mp4');
  await encodeVideo(sceneFrames(standardShots(codes, 10, 6), { width: 640, height: 480 }), clip, { fps: 10 });
}, 120_000);

/** `roadscan run` in a folder of its own, on the shared database, the video as its camera. */
function start(scanner: boolean) {
  return runs.start({
    scanner,
    config: { camera: { loop: false, repeatMs: 60_000 }, scanner: { reconnect: { initialMs: 20, maxMs: 100 } } },
    args: ['--camera', clip, '--trust', world.trustFile, '--db', join(dir, 'run.db'), '--now', new Date(NOW_SEC * 1000).toISOString()],
  });
}

describe('roadscan run --camera', () => {
  it('a video played as the camera: one verdict per code shown, none for the empty counter, end of video reported', async () => {
    const run = await start(false);
    await run.nextEvent((e) => e.event === 'scanner' && e.state === 'closed', 40_000);
    expect(run.of('scan').map((s) => [s.verdict, s.type, (s.reasons as string[])[0] ?? null])).toEqual([
      ['accept', 'DL', null],
      ['warn', 'VR', 'PAPER_REQUIRED'],
      ['reject', 'DL', 'BAD_HOLDER_SIGNATURE'],
      ['reject', 'DL', 'REVOKED'],
    ]);
    expect(run.of('scanner').map((l) => l.state)).toEqual(['open', 'closed']);
    expect(await run.stop('SIGTERM')).toBe(0);
  });

  it('a folder camera logs a refused picture with which one and why, as one safe line', async () => {
    const folder = join(dir, 'pictures');
    mkdirSync(folder, { recursive: true });
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    writeFileSync(join(folder, '1-blank.png'), png);
    // Cut short, and named by a stranger: an escape sequence in the file name must not reach the log raw.
    writeFileSync(join(folder, '2-cut\u001b[31m.png'), png.subarray(0, Math.floor(png.length / 2)));
    const run = await runs.start({
      config: { camera: { loop: true, repeatMs: 60_000, pictureSeconds: 0.3 } },
      args: ['--camera', folder, '--trust', world.trustFile, '--db', join(dir, 'run.db'), '--now', new Date(NOW_SEC * 1000).toISOString()],
    });
    const [line] = await run.waitForLog(/^.*scanner frame dropped.*$/m, 40_000);
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({ reason: 'picture-refused' });
    expect(record.detail).toMatch(/^picture 2-cut.*\.png refused: unreadable picture/);
    expect(record.detail).not.toMatch(/\p{Cc}/u);
    expect(await run.stop('SIGTERM')).toBe(0);
  });

  it('camera and serial scanner at once: codes from both', async () => {
    const run = await start(true);
    await run.nextEvent('scan', 40_000);
    run.send(`${world.authority.code({ type: 'VR', now: NOW_SEC, genAgeSec: 30 }).text}\r\n`);
    for (let i = 2; i <= 5; i++) await run.nextEvent('scan', 40_000);
    expect(run.of('scan').filter((l) => l.type === 'VR')).toHaveLength(2);
    expect(await run.stop('SIGTERM')).toBe(0);
  });
});
