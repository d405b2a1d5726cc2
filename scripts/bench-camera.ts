/**
 * Benchmark of the camera scanner (issue 12), at 640 x 480 and 1280 x 720, over clips made
 * here (the same generated shots as the camera tests: a code sliding into view, blurred and
 * tilted, under glare with noise, a phone at an angle, the counter empty between them):
 *
 * 1. Latency: the clip played in real time through the real driver (ffmpeg child, pipe, frame
 *    assembly, decoder, repeat filter); from the moment the first frame in which a code is whole
 *    is due (the first frame's arrival + index / fps; a frame arriving late counts against the
 *    driver) to the scan (`frame`) event; p50 and p99 (over 8 and 4 codes: a modest runtime).
 *    The check and audit write after it are measured by the serial latency rows of bench-hal.
 * 2. Throughput: every frame of the clip decoded back to back by the camera's frame decoder:
 *    frames per second, CPU per frame (process CPU time), and how many frames with a whole code
 *    were read, beside zbar (`zbarimg` over the same frames as PGM files in one process, as
 *    zbarcam would decode them; its CPU is the child's).
 * 3. The budget of a frame with nothing to find: a busy counter (a fake code with finder patterns
 *    and noise for data, halftone, print; sim/scenarios/camera/busy-scene.ts), which makes the
 *    decoder run every pass. Its time per frame, as a ratio to a frame with a code decoded in the
 *    same run (the throughput pass above) and to the frame interval at the clip's rate.
 *
 * Run: npm run build && node dist/scripts/bench-camera.js
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CameraFrameDecoder, createCameraScanner } from '../hal/camera/index.js';
import { busyFrames } from '../sim/scenarios/camera/busy-scene.js';
import { sceneFrames, type Shot, type ShotKind } from '../sim/scenarios/camera/camera-scenes.js';
import { encodeVideo } from '../sim/scenarios/camera/video-encoder.js';
import { sampleQrText } from '../sim/scenarios/pictures/picture-set.js';
import type { Grey } from '../sim/scenarios/pictures/qr-render.js';
import { formatRows, type BenchRow } from './bench-row.js';
import { percentile } from './bench-stats.js';

const FPS = 15;
const KINDS: ShotKind[] = ['slide-in', 'blurred-tilted', 'glare-noise', 'phone-angle'];

function shotsFor(codes: readonly string[]): Shot[] {
  const shots: Shot[] = [{ kind: 'empty', text: null, frames: 3 }];
  codes.forEach((text, i) => {
    const kind = KINDS[i % KINDS.length]!;
    shots.push({ kind, text, frames: kind === 'slide-in' ? 10 : 6 }, { kind: 'empty', text: null, frames: 3 });
  });
  return shots;
}

/** Children's CPU time so far (user + system), ms, from /proc (Node reports only its own). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

function zbarXml(files: string[]): Promise<{ found: Map<string, string>; ms: number; cpuMs: number } | null> {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  return new Promise((res) => {
    execFile('zbarimg', ['--xml', '-q', '-Sdisable', '-Sqrcode.enable', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, out) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') return res(null);
      const found = new Map<string, string>();
      for (const m of out.matchAll(/<source href='([^']+)'>([\s\S]*?)<\/source>/g)) {
        const data = /<data(?: format='base64')?><!\[CDATA\[([\s\S]*?)\]\]><\/data>/.exec(m[2]!);
        if (data) found.set(m[1]!, data[1]!);
      }
      res({ found, ms: performance.now() - t0, cpuMs: childrenCpuMs() - cpu0 });
    });
  });
}

/** For each code, the index of the first frame in which it is whole. */
function firstWhole(wholeText: readonly (string | null)[]): Map<string, number> {
  const first = new Map<string, number>();
  wholeText.forEach((t, i) => {
    if (t !== null && !first.has(t)) first.set(t, i);
  });
  return first;
}

async function latency(file: string, wholeText: readonly (string | null)[], size: { width: number; height: number }): Promise<number[]> {
  const whole = firstWhole(wholeText);
  const cam = createCameraScanner({
    device: file,
    ...size,
    fps: FPS,
    inputFormat: null,
    repeatMs: 60_000,
    stallMs: 5000,
    reconnect: { initialMs: 100, maxMs: 1000, factor: 2 },
    loop: false,
    pictureSeconds: 1,
    maxTextBytes: 4400,
  });
  let firstAt = 0;
  const seen = new Map<string, number>();
  const done = new Promise<void>((r) =>
    cam.on('state', (s) => {
      if (s.state === 'open') firstAt = performance.now();
      else r();
    }),
  );
  cam.on('frame', (f) => seen.set(f.text, f.receivedAt));
  await cam.start();
  await done;
  await cam.stop();
  const out: number[] = [];
  for (const [text, index] of whole) {
    const at = seen.get(text);
    if (at !== undefined) out.push(at - (firstAt + (index * 1000) / FPS));
  }
  return out;
}

async function throughput(frames: Grey[], wholeText: (string | null)[], dir: string): Promise<BenchRow[]> {
  const decoder = new CameraFrameDecoder();
  await decoder.decode(frames[0]!);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let read = 0;
  const codeFrameMs: number[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f0 = performance.now();
    const bytes = await decoder.decode(frames[i]!);
    if (wholeText[i]) codeFrameMs.push(performance.now() - f0);
    if (bytes && wholeText[i] && Buffer.from(bytes).toString('utf8') === wholeText[i]) read++;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const withCode = wholeText.filter((t) => t !== null).length;
  const { width, height } = frames[0]!;
  const label = `${width}x${height}`;
  const rows: BenchRow[] = [
    { name: `${label} roadscan: frames decoded per second`, value: (frames.length * 1000) / ms, unit: 'fps (one core, back to back)' },
    { name: `${label} roadscan: CPU per frame`, value: (cpu.user + cpu.system) / 1000 / frames.length, unit: 'ms' },
    { name: `${label} roadscan: frames with a whole code read`, value: read, unit: `of ${withCode}` },
    ...(await nothingToFind(
      frames[0]!,
      codeFrameMs.sort((a, b) => a - b),
    )),
  ];
  const files = frames.map((f, i) => {
    const p = join(dir, `${label}-${String(i).padStart(4, '0')}.pgm`);
    writeFileSync(p, Buffer.concat([Buffer.from(`P5\n${f.width} ${f.height}\n255\n`), Buffer.from(f.data)]));
    return p;
  });
  const zbar = await zbarXml(files);
  if (!zbar) {
    rows.push({ name: 'zbarimg ABSENT (apt-get install -y zbar-tools): no comparison', value: NaN, unit: '' });
    return rows;
  }
  let zread = 0;
  files.forEach((p, i) => {
    if (wholeText[i] && zbar.found.get(p) === wholeText[i]) zread++;
  });
  rows.push(
    { name: `${label} zbarimg: frames decoded per second`, value: (frames.length * 1000) / zbar.ms, unit: 'fps (one process for all frames)' },
    { name: `${label} zbarimg: CPU per frame`, value: zbar.cpuMs / frames.length, unit: 'ms' },
    { name: `${label} zbarimg: frames with a whole code read`, value: zread, unit: `of ${withCode}` },
  );
  return rows;
}

/** Frames of the busy counter per size: enough for every hard pass to come round four times. */
const BUSY_FRAMES = 12;

/**
 * The decoder over a busy counter with no code (every pass runs), back to back as the camera
 * delivers it; `codeFrameMs` (sorted) is the baseline: frames with a whole code, same run.
 */
async function nothingToFind(size: { width: number; height: number }, codeFrameMs: readonly number[]): Promise<BenchRow[]> {
  const frames = busyFrames(size, BUSY_FRAMES, size.width);
  const decoder = new CameraFrameDecoder();
  await decoder.decode(frames[0]!);
  const ms: number[] = [];
  let invented = 0;
  for (const f of frames) {
    const t0 = performance.now();
    if ((await decoder.decode(f)) !== null) invented++;
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const label = `${size.width}x${size.height}`;
  const p50 = percentile(ms, 50);
  const worst = ms.at(-1)!;
  return [
    { name: `${label} busy frame, nothing to find: decode p50`, value: p50, unit: `ms (${BUSY_FRAMES} frames)` },
    { name: `${label} busy frame, nothing to find: decode worst`, value: worst, unit: 'ms' },
    { name: `${label} busy frame p50 / frame with a code p50 (same run)`, value: p50 / percentile(codeFrameMs, 50), unit: 'ratio' },
    { name: `${label} busy frame worst / frame interval at ${FPS} fps`, value: worst / (1000 / FPS), unit: 'ratio (above 1: frames are dropped)' },
    { name: `${label} busy frames read as a code (must be 0)`, value: invented, unit: `of ${BUSY_FRAMES}` },
  ];
}

export async function runCameraBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-bench-camera-'));
  try {
    const rows: BenchRow[] = [];
    for (const [width, height, n] of [
      [640, 480, 8],
      [1280, 720, 4],
    ] as const) {
      const size = { width, height };
      const codes = Array.from({ length: n }, (_, i) => sampleQrText(100 + i + width));
      const shots = shotsFor(codes);
      const frames: Grey[] = [];
      const wholeText: (string | null)[] = [];
      for await (const f of sceneFrames(shots, size, width, wholeText)) frames.push(f);
      const file = join(dir, `clip-${width}.mp4`);
      await encodeVideo(frames, file, { fps: FPS });
      const lat = (await latency(file, wholeText, size)).sort((a, b) => a - b);
      rows.push(
        { name: `${width}x${height} @ ${FPS} fps: codes shown / scanned`, value: lat.length, unit: `of ${n} (one scan each)` },
        { name: `${width}x${height} first whole frame -> scan p50`, value: percentile(lat, 50), unit: 'ms' },
        { name: `${width}x${height} first whole frame -> scan p99`, value: percentile(lat, 99), unit: 'ms' },
      );
      rows.push(...(await throughput(frames, wholeText, dir)));
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(formatRows('camera (latency, throughput, beside zbar)', await runCameraBench()));
}
