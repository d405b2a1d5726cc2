/**
 * Benchmark of the camera scanner (issue 12), at 640 x 480 and 1280 x 720, over clips made
 * here (the same generated shots as the camera tests: a code sliding into view, blurred and
 * tilted, under glare with noise, a phone at an angle, the counter empty between them):
 *
 * 1. Latency (issue 24): the clip played in real time at 30 fps through the real driver (ffmpeg
 *    child, capture thread, decode thread, repeat filter), merged with a serial scanner on a
 *    pty as a unit with both runs; from the arrival of the first frame in which a code is whole
 *    (stamped by the capture thread) to the scan (`frame`) event; p50 and p99 (over 8 codes
 *    at each size: a modest runtime, so p99 is close to the worst); frames dropped per second; CPU per second of video, roadscan (all
 *    its threads, process.cpuUsage) and the ffmpeg child (/proc) apart; and the serial scan's
 *    p99 (pty last byte -> frame) with the camera running, and alone, in the same run. The
 *    check and audit write after a scan are measured by the serial latency rows of bench-hal.
 * 2. Throughput: every frame of the clip decoded back to back by the camera's frame decoder:
 *    frames per second, CPU per frame (process CPU time), and how many frames with a whole code
 *    were read, beside zbar (`zbarimg` over the same frames as PGM files in one process, as
 *    zbarcam would decode them; its CPU is the child's).
 * 3. The budget of a frame with nothing to find: a busy counter (a fake code with finder patterns
 *    and noise for data, halftone, print; sim/scenarios/camera/busy-scene.ts), which makes the
 *    decoder run every pass. Its time per frame, as a ratio to a frame with a code decoded in the
 *    same run (the throughput pass above) and to the frame interval at the clip's rate.
 *
 * Run: npm run build && node dist/scripts/bench/bench-camera.js
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CameraFrameDecoder, createCameraScanner } from '../../hal/camera/index.js';
import { MergedScanner } from '../../hal/scanner/merged-scanner.js';
import { startPtyPair } from '../../hal/scanner/pty-pair.js';
import { SerialScanner } from '../../hal/scanner/serial-scanner.js';
import { defaultConfig } from '../../firmware-ts/config/schema.js';
import { TimedFeeder } from './bench-hal.js';
import { busyFrames } from '../../sim/scenarios/camera/busy-scene.js';
import { sceneFrames, type Shot, type ShotKind } from '../../sim/scenarios/camera/camera-scenes.js';
import { encodeVideo } from '../../sim/scenarios/camera/video-encoder.js';
import { sampleQrText } from '../../sim/scenarios/pictures/picture-set.js';
import type { Grey } from '../../sim/scenarios/pictures/qr-render.js';
import { formatRows, type BenchRow } from './bench-row.js';
import { percentile } from './bench-stats.js';

const FPS = 30;
const KINDS: ShotKind[] = ['slide-in', 'blurred-tilted', 'glare-noise', 'phone-angle'];

/**
 * The clip opens on the empty counter for a second (15 rendered frames, each shown twice): a
 * camera runs long before a code is held up, and the decode threads warm up when it starts
 * (decode-worker.ts), so the first code is not timed against that warm-up.
 */
function shotsFor(codes: readonly string[]): Shot[] {
  const shots: Shot[] = [{ kind: 'empty', text: null, frames: 15 }];
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

/** A child's CPU time so far (user + system), ms, from /proc/PID/stat; null once it is gone. */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

interface LatencyRun {
  /** Per code: the first frame in which it is whole arrived -> its scan event, ms. */
  ms: number[];
  frames: number;
  dropped: number;
  seconds: number;
  roadscanCpuMs: number;
  ffmpegCpuMs: number;
  /** Serial scans during the run: last byte on the pty -> frame event, ms. */
  serial: number[];
}

/**
 * The clip played in real time through the real driver, with a serial scanner on a pty beside
 * it (MergedScanner, as a unit with both), fed a code every 200 ms: the camera's latency from the
 * arrival of the first frame in which a code is whole to its scan, and the serial scan's latency
 * while the camera runs.
 */
async function latency(file: string, wholeText: readonly (string | null)[], size: { width: number; height: number }, dir: string): Promise<LatencyRun> {
  const whole = firstWhole(wholeText);
  const arrivedAt = new Map<number, number>();
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
    onTrace: (t) => {
      if (t.kind === 'arrived') arrivedAt.set(t.seq, t.at);
    },
  });
  const pair = await startPtyPair(join(dir, `dev-${size.width}`), join(dir, `feed-${size.width}`));
  const serial = new SerialScanner({ ...defaultConfig().scanner, path: pair.devicePath });
  const merged = new MergedScanner([serial, cam]);
  const seen = new Map<string, number>();
  const feeder = new TimedFeeder();
  const serialMs: number[] = [];
  let ended = false;
  const done = new Promise<void>((r) =>
    cam.on('state', (s) => {
      if (s.state !== 'open') r();
    }),
  );
  merged.on('frame', (f) => {
    if (f.frameArrivedAt === undefined) serialMs.push(feeder.scanned());
    else seen.set(f.text, performance.now());
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ffmpegCpuMs = 0;
  const sampler = setInterval(() => {
    const pid = cam.childPid;
    const ms = pid ? processCpuMs(pid) : null;
    if (ms !== null) ffmpegCpuMs = ms;
  }, 50);
  await merged.start();
  const feeding = (async () => {
    let i = 0;
    while (!ended) {
      await feeder.feed(pair.feederPath, [`RS1:BENCH-SERIAL-${i++}`]);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  await done;
  ended = true;
  await feeding;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const st = cam.stats();
  await merged.stop();
  await pair.stop();
  const ms: number[] = [];
  for (const [text, index] of whole) {
    const at = seen.get(text);
    const arrived = arrivedAt.get(index);
    if (at !== undefined && arrived !== undefined) ms.push(at - arrived);
  }
  return { ms, frames: st.frames, dropped: st.dropped, seconds, roadscanCpuMs: (cpu.user + cpu.system) / 1000, ffmpegCpuMs, serial: serialMs };
}

/** The serial scanner alone on a pty, fed the same way: the baseline of the serial rows. */
async function serialAlone(dir: string, n: number): Promise<number[]> {
  const pair = await startPtyPair(join(dir, 'dev-alone'), join(dir, 'feed-alone'));
  const serial = new SerialScanner({ ...defaultConfig().scanner, path: pair.devicePath });
  const feeder = new TimedFeeder();
  const out: number[] = [];
  serial.on('frame', () => out.push(feeder.scanned()));
  await serial.start();
  try {
    for (let i = 0; i < n; i++) {
      await feeder.feed(pair.feederPath, [`RS1:BENCH-SERIAL-${i}`]);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await serial.stop();
    await pair.stop();
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
    const serialWith: number[] = [];
    for (const [width, height, n] of [
      [640, 480, 8],
      [1280, 720, 8],
    ] as const) {
      const size = { width, height };
      const codes = Array.from({ length: n }, (_, i) => sampleQrText(100 + i + width));
      const shots = shotsFor(codes);
      const frames: Grey[] = [];
      const wholeText: (string | null)[] = [];
      for await (const f of sceneFrames(shots, size, width, wholeText)) frames.push(f);
      const file = join(dir, `clip-${width}.mp4`);
      // Each rendered frame held for two: the shots last as long at 30 fps as they did at 15.
      await encodeVideo(
        frames.flatMap((f) => [f, f]),
        file,
        { fps: FPS },
      );
      const run = await latency(
        file,
        wholeText.flatMap((t) => [t, t]),
        size,
        dir,
      );
      const lat = run.ms.sort((a, b) => a - b);
      const video = run.frames / FPS;
      serialWith.push(...run.serial);
      rows.push(
        { name: `${width}x${height} @ ${FPS} fps: codes shown / scanned`, value: lat.length, unit: `of ${n} (one scan each)` },
        { name: `${width}x${height} frame arrival -> scan p50`, value: percentile(lat, 50), unit: 'ms (first frame with the code whole)' },
        { name: `${width}x${height} frame arrival -> scan p99`, value: percentile(lat, 99), unit: 'ms (goal at 720p: <= 150)' },
        { name: `${width}x${height} frames dropped per second`, value: run.dropped / run.seconds, unit: `/s (of ${FPS} read)` },
        { name: `${width}x${height} roadscan CPU per second of video`, value: run.roadscanCpuMs / video, unit: 'ms (all threads; serial scanner included)' },
        { name: `${width}x${height} ffmpeg CPU per second of video`, value: run.ffmpegCpuMs / video, unit: 'ms (the child, /proc)' },
      );
      rows.push(...(await throughput(frames, wholeText, dir)));
    }
    const alone = (await serialAlone(dir, Math.max(20, serialWith.length))).sort((a, b) => a - b);
    serialWith.sort((a, b) => a - b);
    rows.push(
      { name: 'serial scan p99, serial scanner alone', value: percentile(alone, 99), unit: `ms (pty last byte -> frame, ${alone.length} scans)` },
      { name: 'serial scan p99, camera running beside it', value: percentile(serialWith, 99), unit: `ms (${serialWith.length} scans)` },
      { name: 'serial scan p99 with camera / alone (same run)', value: percentile(serialWith, 99) / percentile(alone, 99), unit: 'ratio' },
    );
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(formatRows('camera (latency, throughput, beside zbar)', await runCameraBench()));
}
