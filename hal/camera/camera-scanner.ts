/**
 * A camera as a scanner: a supervised child process (ffmpeg or rpicam-vid, see
 * camera-source.ts) writes raw frames to a pipe, the frames are decoded for a QR code, and each
 * new code leaves as a `frame` event exactly like a code read by a serial module, so it takes
 * the same scan path (the same text checks, the same verdicts).
 *
 * Real time on a busy board (issue 24): the pipe is read by a capture thread and the frames are
 * decoded by two decode threads (camera-threads.ts; a quick one for codes in plain view, a
 * thorough one for the hard ones: decode-worker.ts), so neither a decode nor a busy main event
 * loop ever stops the reading, and the main loop (the serial scanner, the screen, the station)
 * never waits on a frame. Each decoder always gets the newest whole frame; frames that arrive
 * while both are busy replace the ones waiting and are counted as dropped. Each frame is stamped
 * when it arrives whole, and a scan says when the frame it was read from arrived.
 *
 * Bounded at every step: one frame in assembly, one waiting, one in the decoder; stderr kept to
 * its last few lines; the child's heap under `prlimit` when the command asks for it. A code held
 * in view is one scan (repeat-filter.ts). The camera unplugged, the child dying or a stream that
 * stops delivering frames (`stallMs`) are reported like a lost serial scanner (`closed` once it
 * had delivered frames, `error` when it never started) and the child is started again with
 * backoff, so the service never needs a restart.
 * @module
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { backoffDelay, type BackoffOptions } from '../scanner/backoff.js';
import { decodeFrame } from '../scanner/frame-parser.js';
import type { Scanner, ScannerEvents, ScannerState } from '../scanner/scanner.js';
import { oneLine } from '../../firmware-ts/core/text-safety.js';
import type { DecoderRole, FrameDecoded, FromCapture } from './camera-messages.js';
import type { CaptureCommand } from './camera-source.js';
import { startCameraThreads, type CameraThreads } from './camera-threads.js';
import { RepeatFilter } from './repeat-filter.js';

/** A greyscale frame: one byte per pixel, row after row. */
export interface GreyFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Finds the QR code in a frame: its raw bytes, or null. */
export interface FrameDecoder {
  decode(frame: GreyFrame): Promise<Uint8Array | null>;
}

/** What a test or the bench sees of each frame (instants on this thread's `performance.now()`). */
export type CameraTrace =
  | { kind: 'arrived'; run: number; seq: number; at: number }
  | { kind: 'decoded'; by: DecoderRole; run: number; seq: number; at: number; sentAt: number; startedAt: number; ms: number; found: boolean };

export interface CameraScannerOptions {
  /** For logs: the device, camera or file. */
  name: string;
  /** Builds the command each time the child is (re)started (a folder camera rewrites its list). */
  command: () => Promise<CaptureCommand> | CaptureCommand;
  /** The same text again within this long of its last sighting is not a new scan, ms. */
  repeatMs: number;
  /** No frame for this long while running: the camera is treated as lost, ms. */
  stallMs: number;
  /** Longest code text accepted, in bytes (as a serial frame). */
  maxTextBytes: number;
  reconnect: BackoffOptions;
  /**
   * What a child that ends by itself (exit 0, after frames) means: a camera `lost` (retried with
   * backoff: the default), the `final` end of a video (`closed`, no retry), or play it `again`
   * at once with no state change (a looped folder of pictures).
   */
  atEnd?: EndMeaning | (() => EndMeaning);
  /** Told of every frame's arrival and decode (tests, the bench). */
  onTrace?: (t: CameraTrace) => void;
}

export type EndMeaning = 'lost' | 'final' | 'again';

export interface CameraStats {
  /** Frames read whole from the child. */
  frames: number;
  /** Decodes done (by both decode threads: a frame may be decoded by each). */
  decoded: number;
  /** Frames handed to at least one decode thread. */
  taken: number;
  /** Frames replaced, unread, by a newer one while the decoders were busy. */
  dropped: number;
  /** Sightings of a code (new or repeated). */
  sightings: number;
  /** Codes emitted as scans. */
  scans: number;
  /** Time spent in the decoder, ms. */
  decodeMs: number;
  /** Children started. */
  starts: number;
  /** Pictures refused (a folder camera: too large, unreadable, failed in ffmpeg). */
  refused: number;
}

const STDERR_KEEP = 2048;

/** A person's reading of why the camera child stopped, from its last stderr line. */
export function describeCameraFailure(name: string, stderrTail: string, how: string): string {
  const line =
    stderrTail
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .pop() ?? '';
  if (/no such file|ENOENT|not found/i.test(line)) return `camera ${name} not found: is it plugged in?`;
  if (/permission denied|EACCES/i.test(line)) return `camera ${name}: permission denied: add the service user to the video group`;
  if (/busy|EBUSY/i.test(line)) return `camera ${name} is in use by another program`;
  if (/cannot allocate memory|ENOMEM/i.test(line)) return oneLine(`camera ${name}: refused: more memory than the camera's bound (${line})`, 200);
  return oneLine(`camera ${name} ${how}${line ? `: ${line}` : ''}`, 200);
}

/** One start of the child, as the main thread follows it. */
interface Run {
  id: number;
  command: string;
  onFailure: ((stderrTail: string) => void) | undefined;
  pid: number | null;
  delivered: boolean;
  failed: boolean;
  stderrTail: string;
}

/** An instant from another thread (epoch ms) on this thread's `performance.now()` clock. */
const here = (epochMs: number): number => epochMs - performance.timeOrigin;

export class CameraScanner extends EventEmitter<ScannerEvents> implements Scanner {
  readonly name: string;
  private readonly opts: CameraScannerOptions;
  private readonly repeats: RepeatFilter;
  private current: ScannerState = 'closed';
  private lastDetail: string | undefined;
  private threads: CameraThreads | null = null;
  private run: Run | null = null;
  private runs = 0;
  /** Runs whose child has not yet been reported closed (stop() waits for them). */
  private readonly live = new Set<number>();
  private onLiveEmpty: (() => void) | null = null;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private lastFrameAt = 0;
  private settleStart: (() => void) | null = null;
  private readonly counts: CameraStats = { frames: 0, decoded: 0, taken: 0, dropped: 0, sightings: 0, scans: 0, decodeMs: 0, starts: 0, refused: 0 };

  constructor(opts: CameraScannerOptions) {
    super();
    this.opts = opts;
    this.name = opts.name;
    this.repeats = new RepeatFilter(opts.repeatMs);
  }

  get state(): ScannerState {
    return this.current;
  }

  /** Process id of the running child, or null (for tests and logs). */
  get childPid(): number | null {
    return this.run?.pid ?? null;
  }

  stats(): CameraStats {
    return { ...this.counts };
  }

  /**
   * Starts the child. Resolves once the first attempt is over: a first frame, a failure, or
   * `stallMs` without either (the state says which); later attempts are the driver's own.
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    const settled = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.settleStart?.(), this.opts.stallMs);
      this.settleStart = () => {
        clearTimeout(timer);
        this.settleStart = null;
        resolve();
      };
    });
    await this.launch();
    await settled;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.unwatch();
    this.run = null;
    const threads = this.threads;
    this.threads = null;
    if (threads && this.live.size > 0) {
      const timers: NodeJS.Timeout[] = [];
      await new Promise<void>((resolve) => {
        this.onLiveEmpty = resolve;
        const kill = (signal: NodeJS.Signals) => {
          for (const id of this.live) threads.capture.postMessage({ t: 'kill', run: id, signal });
        };
        kill('SIGTERM');
        timers.push(setTimeout(() => kill('SIGKILL'), 1000));
        timers.push(setTimeout(resolve, 3000));
      });
      timers.forEach(clearTimeout);
      this.onLiveEmpty = null;
    }
    await threads?.terminate();
    this.settleStart?.();
    this.removeAllListeners();
  }

  /** The threads, started on first use and again after one of them ended unasked. */
  private ensureThreads(frameSize: { width: number; height: number }): CameraThreads {
    if (this.threads) return this.threads;
    const threads = startCameraThreads(frameSize);
    this.threads = threads;
    threads.capture.on('message', (m: FromCapture) => this.fromCapture(m));
    for (const d of threads.decoders) d.on('message', (m: FrameDecoded) => this.fromDecoder(m));
    const ended = (which: string) => (err?: Error) => {
      if (this.threads !== threads) return;
      this.threads = null;
      void threads.terminate();
      this.live.clear();
      const run = this.run;
      if (run?.pid) {
        try {
          process.kill(run.pid, 'SIGKILL'); // its thread is gone: nobody else will end the child
        } catch {
          // already gone
        }
      }
      if (run) this.lost(run, 'error', oneLine(`camera ${this.name}: ${which} thread ended${err?.message ? ` (${err.message})` : ''}`, 200));
    };
    for (const [w, which] of [[threads.capture, 'capture'] as const, ...threads.decoders.map((d) => [d, 'decode'] as const)]) {
      w.on('error', ended(which));
      w.on('exit', () => ended(which)());
    }
    return threads;
  }

  private async launch(): Promise<void> {
    let cmd: CaptureCommand;
    try {
      cmd = await this.opts.command();
    } catch (err) {
      this.setState('error', oneLine(`camera ${this.name}: ${(err as Error).message}`, 200));
      this.settleStart?.();
      this.scheduleRetry();
      return;
    }
    if (this.stopped) return;
    const threads = this.ensureThreads(cmd.layout);
    const run: Run = { id: ++this.runs, command: cmd.command, onFailure: cmd.onFailure, pid: null, delivered: false, failed: false, stderrTail: '' };
    this.run = run;
    this.live.add(run.id);
    this.counts.starts++;
    threads.capture.postMessage({ t: 'start', run: run.id, command: cmd.command, args: cmd.args, layout: cmd.layout, memoryLimitBytes: cmd.memoryLimitBytes ?? null });
    this.watch(run);
  }

  private fromCapture(m: FromCapture): void {
    if (m.t === 'closed') {
      this.live.delete(m.run);
      if (this.live.size === 0) this.onLiveEmpty?.();
    }
    const run = this.run;
    if (this.stopped || !run || m.run !== run.id) return;
    switch (m.t) {
      case 'spawned':
        run.pid = m.pid;
        this.lastFrameAt = performance.now(); // the stall clock starts when the child runs
        return;
      case 'stderr':
        run.stderrTail = (run.stderrTail + m.text).slice(-STDERR_KEEP);
        return;
      case 'frame':
        this.lastFrameAt = performance.now();
        this.counts.frames++;
        this.counts.dropped = m.dropped;
        this.counts.taken = m.taken;
        this.opts.onTrace?.({ kind: 'arrived', run: m.run, seq: m.seq, at: here(m.at) });
        if (!run.delivered) {
          run.delivered = true;
          this.attempt = 0;
          this.setState('open');
          this.settleStart?.();
        }
        return;
      case 'failed':
        // Only spawn failures (the program is missing) land here; `closed` may not follow.
        run.failed = true;
        this.live.delete(m.run);
        if (m.code === 'ENOENT') this.lost(run, 'error', `camera ${this.name}: ${run.command} not installed`);
        else this.lost(run, 'error', oneLine(`camera ${this.name}: ${m.message}`, 200));
        return;
      case 'closed':
        this.closed(run, m.code, m.signal);
        return;
    }
  }

  private closed(run: Run, code: number | null, signal: NodeJS.Signals | null): void {
    if (run.failed) return;
    const how = signal ? `stopped (${signal})` : `stopped (exit ${code})`;
    const atEnd = typeof this.opts.atEnd === 'function' ? this.opts.atEnd() : (this.opts.atEnd ?? 'lost');
    if (code === 0 && run.delivered && atEnd === 'final') {
      this.lost(run, 'closed', `camera ${this.name}: end of the video`, true);
      return;
    }
    if (code === 0 && run.delivered && atEnd === 'again') {
      this.run = null;
      this.unwatch();
      void this.launch();
      return;
    }
    if (code !== 0) run.onFailure?.(run.stderrTail);
    this.lost(run, run.delivered ? 'closed' : 'error', describeCameraFailure(this.name, run.stderrTail, how));
  }

  /** A picture the camera will not play (a folder camera's file): counted, and told as a drop with its reason. */
  refused(bytes: number, detail: string): void {
    this.counts.refused++;
    if (!this.stopped) this.emit('dropped', { reason: 'picture-refused', bytes, detail });
  }

  private fromDecoder(m: FrameDecoded): void {
    if (this.stopped) return;
    this.counts.decoded++;
    this.counts.decodeMs += m.ms;
    const at = here(m.at);
    this.opts.onTrace?.({
      kind: 'decoded',
      by: m.by,
      run: m.run,
      seq: m.seq,
      at,
      sentAt: here(m.sentAt),
      startedAt: here(m.startedAt),
      ms: m.ms,
      found: m.bytes !== null,
    });
    if (m.bytes) this.sighted(m.bytes, at);
  }

  /** The child is gone: report once, forget it, start again later (unless it was the end). */
  private lost(run: Run, state: ScannerState, detail: string, final = false): void {
    if (this.stopped || this.run !== run) return;
    this.run = null;
    this.unwatch();
    if (this.live.has(run.id)) this.threads?.capture.postMessage({ t: 'kill', run: run.id, signal: 'SIGKILL' });
    this.setState(state, detail);
    this.settleStart?.();
    if (!final) this.scheduleRetry();
  }

  /** A camera that stops delivering frames without exiting (a wedged USB device) is lost too. */
  private watch(run: Run): void {
    this.lastFrameAt = performance.now();
    const every = Math.max(50, Math.floor(this.opts.stallMs / 4));
    this.stallTimer = setInterval(() => {
      if (this.run === run && performance.now() - this.lastFrameAt > this.opts.stallMs) {
        this.lost(run, this.current === 'open' ? 'closed' : 'error', `camera ${this.name}: no frame for ${Math.round(this.opts.stallMs / 1000)} s`);
      }
    }, every);
    this.stallTimer.unref();
  }

  private unwatch(): void {
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = null;
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = backoffDelay(this.attempt++, this.opts.reconnect);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) void this.launch();
    }, delay);
  }

  /** `at`: when the frame the code was read from arrived whole. */
  private sighted(bytes: Uint8Array, at: number): void {
    this.counts.sightings++;
    if (!this.repeats.isNew(Buffer.from(bytes).toString('latin1'), at)) return;
    if (bytes.length > this.opts.maxTextBytes) {
      this.emit('dropped', { reason: 'too-long', bytes: bytes.length });
      return;
    }
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) {
      this.emit('dropped', { reason: decoded.reason, bytes: bytes.length });
      return;
    }
    if (decoded.text === '') return;
    this.counts.scans++;
    this.emit('frame', { text: decoded.text, symbology: decoded.symbology ?? ']Q1', receivedAt: at, frameArrivedAt: at });
  }

  /** Reports a state once; repeating the same state and detail is silent. */
  private setState(state: ScannerState, detail?: string): void {
    if (state === this.current && detail === this.lastDetail) return;
    this.current = state;
    this.lastDetail = detail;
    this.emit('state', detail === undefined ? { state } : { state, detail });
  }
}
