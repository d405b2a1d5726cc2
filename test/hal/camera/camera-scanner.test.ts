/**
 * The camera driver on real videos: clips made here from generated frames (the project's QR
 * renderer, the picture set's distortions), encoded by ffmpeg to H.264 and played back through
 * the same ffmpeg path a V4L2 camera takes. One scan per code shown, none for frames without
 * one; a camera lost (its child killed, its file gone) and back is reported, retried and
 * scanning again without a restart.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CameraScanner, createCameraScanner, type CameraOptions } from '../../../hal/camera/index.js';
import type { ScanFrame, ScannerStateChange } from '../../../hal/scanner/scanner.js';
import { sceneFrames, standardShots, type Shot } from '../../../sim/scenarios/camera/camera-scenes.js';
import { encodeVideo } from '../../../sim/scenarios/camera/video-encoder.js';
import { sampleQrText } from '../../../sim/scenarios/pictures/picture-set.js';
import { renderQr } from '../../../sim/scenarios/pictures/qr-render.js';
import { background, paste, toSharp } from '../../../sim/scenarios/pictures/distortions.js';
import { waitUntil } from '../helpers/events.js';

const SIZE = { width: 640, height: 480 };
const CODES = [sampleQrText(1), sampleQrText(2), sampleQrText(3), sampleQrText(4)] as const;
let dir: string;
let clip: string;
let still: string;
let cameras: CameraScanner[] = [];
const SHOTS = standardShots(CODES, 10, 6);

function camera(device: string, over: Partial<CameraOptions> = {}): { cam: CameraScanner; frames: ScanFrame[]; states: ScannerStateChange[] } {
  const cam = createCameraScanner({
    device,
    ...SIZE,
    fps: 10,
    inputFormat: null,
    repeatMs: 60_000,
    stallMs: 4000,
    reconnect: { initialMs: 50, maxMs: 400, factor: 2 },
    loop: false,
    pictureSeconds: 1,
    maxTextBytes: 4400,
    ...over,
  });
  const frames: ScanFrame[] = [];
  const states: ScannerStateChange[] = [];
  cam.on('frame', (f) => frames.push(f));
  cam.on('state', (s) => states.push(s));
  cameras.push(cam);
  return { cam, frames, states };
}

async function makeClip(file: string, shots: Shot[]): Promise<void> {
  await encodeVideo(sceneFrames(shots, SIZE), file, { fps: 10 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-camera-'));
  clip = join(dir, 'window.mp4');
  still = join(dir, 'still.mp4');
  // Empty counter, then each kind of shot (1 s each) with the counter empty in between: 6.4 s.
  await makeClip(clip, SHOTS);
  await makeClip(still, [
    { kind: 'still', text: CODES[0], frames: 10 },
    { kind: 'empty', text: null, frames: 5 },
  ]);
}, 120_000);

afterEach(async () => {
  await Promise.all(cameras.map((c) => c.stop()));
  cameras = [];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CameraScanner on generated videos', () => {
  it('one scan per code shown (moving into view, blurred and tilted, glare and noise, a phone at an angle), none without one', async () => {
    const { cam, frames, states } = camera(clip);
    await cam.start();
    await waitUntil(() => (states.some((s) => s.state === 'closed') ? true : undefined), 'end of the clip', 30_000);
    expect(frames.map((f) => CODES.indexOf(f.text as (typeof CODES)[number]))).toEqual([0, 1, 2, 3]);
    expect(frames.every((f) => f.symbology === ']Q1')).toBe(true);
    expect(states).toEqual([{ state: 'open' }, { state: 'closed', detail: `camera ${clip}: end of the video` }]);
    const st = cam.stats();
    expect(st.frames).toBe(SHOTS.reduce((n, s) => n + s.frames, 0));
    expect(st.taken + st.dropped).toBeLessThanOrEqual(st.frames);
    expect(st.scans).toBe(4);
  });

  it('a code held in view, looped, is one scan while the hold lasts; again once the hold is over', async () => {
    const held = camera(still, { loop: true });
    await held.cam.start();
    await waitUntil(() => (held.cam.stats().frames >= 25 ? true : undefined), 'two and a half loops', 20_000);
    expect(held.frames).toHaveLength(1);
    // With a hold shorter than the empty half second between loops, each loop is a new scan.
    const again = camera(still, { loop: true, repeatMs: 200 });
    await again.cam.start();
    await waitUntil(() => (again.frames.length >= 2 ? true : undefined), 'a second scan', 20_000);
    expect(again.frames.every((f) => f.text === CODES[0])).toBe(true);
  });

  it('lost and back: the child killed and the file gone is reported and retried; scanning resumes without a restart', async () => {
    const file = join(dir, 'lost.mp4');
    const away = join(dir, 'lost.mp4.away');
    await makeClip(file, [
      { kind: 'still', text: CODES[1], frames: 8 },
      { kind: 'empty', text: null, frames: 4 },
    ]);
    const { cam, frames, states } = camera(file, { loop: true, repeatMs: 300 });
    await cam.start();
    await waitUntil(() => (frames.length >= 1 ? true : undefined), 'first scan', 20_000);
    renameSync(file, away);
    process.kill(cam.childPid!, 'SIGKILL');
    await waitUntil(() => (states.some((s) => s.state === 'error') ? true : undefined), 'the retry failing', 10_000);
    expect(states.find((s) => s.state === 'closed')?.detail).toMatch(/stopped \(SIGKILL\)/);
    expect(states.find((s) => s.state === 'error')?.detail).toBe(`camera ${file}: not found: is the video file there?`);
    const before = frames.length;
    renameSync(away, file);
    await waitUntil(() => (frames.length > before && cam.state === 'open' ? true : undefined), 'scanning again', 20_000);
    expect(cam.stats().starts).toBe(2);
    expect(
      states
        .map((s) => s.state)
        .filter((s, i, a) => s !== a[i - 1])
        .slice(0, 4),
    ).toEqual(['open', 'closed', 'error', 'open']);
  });

  it('a camera that stops delivering frames without exiting is lost after stallMs', async () => {
    // A real child that writes one grey frame and then hangs, as a wedged USB camera does.
    const cam = new CameraScanner({
      name: 'wedged',
      command: () => ({ command: 'sh', args: ['-c', 'head -c 307200 /dev/zero; exec sleep 30'], layout: { ...SIZE, pixelFormat: 'gray' } }),
      repeatMs: 1000,
      stallMs: 1500,
      maxTextBytes: 4400,
      reconnect: { initialMs: 5000, maxMs: 5000, factor: 1 },
    });
    cameras.push(cam);
    const states: ScannerStateChange[] = [];
    cam.on('state', (s) => states.push(s));
    await cam.start();
    await waitUntil(() => (states.length >= 2 ? true : undefined), 'stall reported', 10_000);
    expect(states).toEqual([{ state: 'open' }, { state: 'closed', detail: 'camera wedged: no frame for 2 s' }]);
    expect(cam.childPid).toBeNull();
  });

  it('ffmpeg missing: an error with the reason, retried', async () => {
    const { cam, states } = camera(clip, { ffmpeg: join(dir, 'no-ffmpeg-here') });
    await cam.start();
    await waitUntil(() => (cam.stats().starts >= 2 ? true : undefined), 'a retry', 10_000);
    expect(states[0]).toEqual({ state: 'error', detail: `camera ${clip}: ${join(dir, 'no-ffmpeg-here')} not installed` });
  });

  it('a folder of pictures (PNG and JPEG, of different sizes) played as a camera, in name order, looped', async () => {
    const folder = join(dir, 'pictures');
    mkdirSync(folder);
    const on = async (text: string | null) => {
      const scene = background(800, 600, 3, 150, 210);
      return toSharp(text ? paste(scene, await renderQr(text, 4), 200, 100, 30, 230) : scene)
        .png()
        .toBuffer();
    };
    writeFileSync(join(folder, '1-licence.png'), await on(CODES[2]));
    writeFileSync(join(folder, '2-nothing.png'), await on(null));
    writeFileSync(
      join(folder, '3-registration.jpg'),
      await toSharp({ ...(await renderQr(CODES[3], 3)) })
        .jpeg()
        .toBuffer(),
    );
    writeFileSync(join(folder, 'notes.txt'), 'not a picture');
    // A hold longer than one picture's showing, shorter than a loop: each picture once per loop.
    const { cam, frames, states } = camera(folder, { pictureSeconds: 0.6, loop: true, repeatMs: 700 });
    await cam.start();
    await waitUntil(() => (frames.length >= 3 ? true : undefined), 'the pictures, and the first again', 20_000);
    expect(frames.slice(0, 3).map((f) => f.text)).toEqual([CODES[2], CODES[3], CODES[2]]);
    expect(states).toEqual([{ state: 'open' }]);
  });

  it('stop() ends the child and emits nothing afterwards', async () => {
    const { cam, states } = camera(still, { loop: true });
    await cam.start();
    await waitUntil(() => (cam.state === 'open' ? true : undefined), 'open', 20_000);
    const pid = cam.childPid!;
    await cam.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    const n = states.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(states.length).toBe(n);
  });
});
