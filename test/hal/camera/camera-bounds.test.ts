/**
 * The camera's source is bounded (issue 24). A 16000 x 16000 PNG in a folder camera (800 KB on
 * disk, 256 MB as pixels) is refused from its header before ffmpeg sees it, with the reason, once:
 * the camera's restarts do not read it again until it changes. A child that writes frames of the
 * largest configurable size (4096 x 4096) without end, faster than they can be decoded, costs a
 * bounded amount of memory: one frame in assembly, at most two waiting, one in each of the two
 * decoders, and each decoder's working copies (ZXing's RGBA picture of a 16 MP frame is 64 MB).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CameraScanner, createCameraScanner } from '../../../hal/camera/index.js';
import type { DroppedFrame, ScanFrame, ScannerStateChange } from '../../../hal/scanner/scanner.js';
import { sampleQrText } from '../../../sim/scenarios/pictures/picture-set.js';
import { renderQr } from '../../../sim/scenarios/pictures/qr-render.js';
import { toSharp } from '../../../sim/scenarios/pictures/distortions.js';
import { waitUntil } from '../helpers/events.js';

let dir: string;
let cameras: CameraScanner[] = [];
const MiB = 1024 * 1024;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-camera-bounds-'));
  // White, so the file is small; its header says 16000 x 16000.
  const huge = await sharp({ create: { width: 16000, height: 16000, channels: 3, background: '#ffffff' }, limitInputPixels: false })
    .png({ compressionLevel: 9 })
    .toBuffer();
  for (const name of ['mixed', 'only-huge']) {
    const folder = join(dir, name);
    mkdirSync(folder);
    writeFileSync(join(folder, '2-huge.png'), huge);
  }
  const licence = await toSharp(await renderQr(sampleQrText(7), 4))
    .png()
    .toBuffer();
  writeFileSync(join(dir, 'mixed', '1-licence.png'), licence);
  // Cut short: its header is whole, its pixels are not (ffmpeg spins on such a file rather than fail).
  writeFileSync(join(dir, 'mixed', '3-truncated.png'), licence.subarray(0, Math.floor(licence.length / 2)));
}, 120_000);

afterEach(async () => {
  await Promise.all(cameras.map((c) => c.stop()));
  cameras = [];
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function folderCamera(folder: string) {
  const cam = createCameraScanner({
    device: folder,
    width: 640,
    height: 480,
    fps: 10,
    inputFormat: null,
    repeatMs: 200,
    stallMs: 4000,
    reconnect: { initialMs: 50, maxMs: 100, factor: 2 },
    loop: true,
    pictureSeconds: 0.3,
    maxTextBytes: 4400,
  });
  cameras.push(cam);
  const drops: DroppedFrame[] = [];
  const frames: ScanFrame[] = [];
  const states: ScannerStateChange[] = [];
  cam.on('dropped', (d) => drops.push(d));
  cam.on('frame', (f) => frames.push(f));
  cam.on('state', (s) => states.push(s));
  return { cam, drops, frames, states };
}

/** Resident memory of a process, from /proc (VmRSS), bytes; 0 once it is gone. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

describe('a bounded camera source', () => {
  it('a 16000 x 16000 PNG and a truncated one in a folder camera: refused with the reason, once, the other pictures played, ffmpeg small', async () => {
    const { cam, drops, frames } = folderCamera(join(dir, 'mixed'));
    await cam.start();
    let childPeak = 0;
    await waitUntil(
      () => {
        if (cam.childPid) childPeak = Math.max(childPeak, rssOf(cam.childPid));
        return cam.stats().starts >= 3 && frames.length >= 2 ? true : undefined;
      },
      'the folder played three times',
      30_000,
    );
    expect(drops).toEqual([
      { reason: 'picture-refused', bytes: expect.any(Number), detail: 'picture 2-huge.png refused: 16000 x 16000 px: more than 4096 px a side' },
      { reason: 'picture-refused', bytes: expect.any(Number), detail: expect.stringMatching(/^picture 3-truncated\.png refused: unreadable picture \(/) },
    ]);
    expect(frames.every((f) => f.text === sampleQrText(7))).toBe(true);
    expect(cam.stats().refused).toBe(2);
    console.log(`camera bounds: ffmpeg peak resident ${Math.round(childPeak / MiB)} MiB over ${cam.stats().starts} plays`);
    expect(childPeak).toBeLessThan(128 * MiB);
  });

  it('a folder of nothing but that picture: an error naming it, retried without reading it again; read again once it changes', async () => {
    const folder = join(dir, 'only-huge');
    const { cam, drops, states } = folderCamera(folder);
    await cam.start();
    expect(states[0]).toEqual({
      state: 'error',
      detail: `camera ${folder}: no picture it can play: picture 2-huge.png refused: 16000 x 16000 px: more than 4096 px a side`,
    });
    // Retried every 100 ms: a dozen restarts, one refusal told, no child started.
    await new Promise((r) => setTimeout(r, 1500));
    expect(drops).toHaveLength(1);
    expect(cam.stats().starts).toBe(0);
    utimesSync(join(folder, '2-huge.png'), new Date(), new Date(Date.now() + 5000));
    await waitUntil(() => (drops.length === 2 ? true : undefined), 'the changed picture looked at again', 10_000);
  });

  it('endless frames of the largest configurable size (4096 x 4096), faster than they decode: memory stays under 512 MiB more than before', async () => {
    const layout = { width: 4096, height: 4096, pixelFormat: 'gray' as const };
    const cam = new CameraScanner({
      name: 'flood',
      command: () => ({ command: 'sh', args: ['-c', 'exec cat /dev/zero'], layout }),
      repeatMs: 1000,
      stallMs: 10_000,
      maxTextBytes: 4400,
      reconnect: { initialMs: 1000, maxMs: 1000, factor: 1 },
    });
    cameras.push(cam);
    const before = process.memoryUsage().rss;
    let peak = before;
    await cam.start();
    // At least 6 s of flood, and on until frames have come faster than they were decoded (a drop):
    // on a loaded machine reading 16 MB frames is slow too, so a fixed window proves nothing.
    const started = Date.now();
    for (;;) {
      peak = Math.max(peak, process.memoryUsage().rss);
      const now = Date.now();
      const { frames, dropped } = cam.stats();
      if (now - started >= 6000 && ((frames >= 5 && dropped > 0) || now - started >= 40_000)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const st = cam.stats();
    console.log(
      `camera bounds: flood of 16 MB frames: ${st.frames} read, ${st.decoded} decoded, ${st.dropped} dropped; resident ${Math.round(before / MiB)} -> peak ${Math.round(peak / MiB)} MiB`,
    );
    expect(st.frames).toBeGreaterThanOrEqual(5);
    expect(st.dropped).toBeGreaterThan(0);
    expect(peak - before).toBeLessThan(512 * MiB);
  });
});
