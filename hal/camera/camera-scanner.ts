/**
 * A camera as a scanner: a supervised child process (ffmpeg or rpicam-vid, see
 * camera-source.ts) writes raw frames to a pipe, the frames are decoded for a QR code, and each
 * new code leaves as a `frame` event exactly like a code read by a serial module, so it takes
 * the same scan path (the same text checks, the same verdicts).
 *
 * Bounded at every step: one frame in assembly, at most one decode in flight and one frame
 * waiting (the newest; every frame it replaces is counted as dropped), stderr kept to its last
 * few lines. A code held in view is one scan (repeat-filter.ts). The camera unplugged, the
 * child dying or a stream that stops delivering frames (`stallMs`) are reported like a lost
 * serial scanner (`closed` once it had delivered frames, `error` when it never started) and
 * the child is started again with backoff, so the service never needs a restart.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { backoffDelay, type BackoffOptions } from '../scanner/backoff.js';
import { decodeFrame } from '../scanner/frame-parser.js';
import type { Scanner, ScannerEvents, ScannerState } from '../scanner/scanner.js';
import { oneLine } from '../../firmware-ts/core/text-safety.js';
import { FrameAssembler } from './frame-assembler.js';
import type { CaptureCommand } from './camera-source.js';
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

export interface CameraScannerOptions {
  /** For logs: the device, camera or file. */
  name: string;
  /** Builds the command each time the child is (re)started (a folder camera rewrites its list). */
  command: () => Promise<CaptureCommand> | CaptureCommand;
  decoder: FrameDecoder;
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
}

export type EndMeaning = 'lost' | 'final' | 'again';

export interface CameraStats {
  /** Frames read whole from the child. */
  frames: number;
  /** Frames decoded. */
  decoded: number;
  /** Frames skipped because a decode was in flight. */
  dropped: number;
  /** Sightings of a code (new or repeated). */
  sightings: number;
  /** Codes emitted as scans. */
  scans: number;
  /** Time spent in the decoder, ms. */
  decodeMs: number;
  /** Children started. */
  starts: number;
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
  return oneLine(`camera ${name} ${how}${line ? `: ${line}` : ''}`, 200);
}

export class CameraScanner extends EventEmitter<ScannerEvents> implements Scanner {
  readonly name: string;
  private readonly opts: CameraScannerOptions;
  private readonly repeats: RepeatFilter;
  private current: ScannerState = 'closed';
  private lastDetail: string | undefined;
  private child: ChildProcess | null = null;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private lastFrameAt = 0;
  private settleStart: (() => void) | null = null;
  private busy = false;
  private waiting: { frame: GreyFrame; at: number } | null = null;
  private readonly counts: CameraStats = { frames: 0, decoded: 0, dropped: 0, sightings: 0, scans: 0, decodeMs: 0, starts: 0 };

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
    return this.child?.pid ?? null;
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
    const child = this.child;
    this.child = null;
    this.waiting = null;
    if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      let hard: NodeJS.Timeout | undefined;
      let last: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.once('error', () => resolve());
        child.kill('SIGTERM');
        hard = setTimeout(() => child.kill('SIGKILL'), 1000);
        last = setTimeout(resolve, 3000);
      });
      clearTimeout(hard);
      clearTimeout(last);
    }
    this.settleStart?.();
    this.removeAllListeners();
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
    const assembler = new FrameAssembler(cmd.layout);
    const child = spawn(cmd.command, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.counts.starts++;
    let stderrTail = '';
    let delivered = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    child.stderr!.on('data', (d: Buffer) => {
      stderrTail = (stderrTail + d.toString('utf8')).slice(-STDERR_KEEP);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (this.child !== child) return;
      assembler.push(chunk, (luma) => {
        const at = performance.now();
        this.lastFrameAt = at;
        this.counts.frames++;
        if (!delivered) {
          delivered = true;
          this.attempt = 0;
          this.setState('open');
          this.settleStart?.();
        }
        this.offer({ data: luma, width: cmd.layout.width, height: cmd.layout.height }, at);
      });
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Only spawn failures (the program is missing) land here; `exit` may not follow.
      spawnError = err;
      if (err.code === 'ENOENT') this.lost(child, 'error', `camera ${this.name}: ${cmd.command} not installed`);
      else this.lost(child, 'error', oneLine(`camera ${this.name}: ${err.message}`, 200));
    });
    child.on('close', (code, signal) => {
      if (spawnError) return;
      const how = signal ? `stopped (${signal})` : `stopped (exit ${code})`;
      const atEnd = typeof this.opts.atEnd === 'function' ? this.opts.atEnd() : (this.opts.atEnd ?? 'lost');
      if (code === 0 && delivered && atEnd === 'final') {
        this.lost(child, 'closed', `camera ${this.name}: end of the video`, true);
        return;
      }
      if (code === 0 && delivered && atEnd === 'again' && !this.stopped && this.child === child) {
        this.child = null;
        this.unwatch();
        void this.launch();
        return;
      }
      this.lost(child, delivered ? 'closed' : 'error', describeCameraFailure(this.name, stderrTail, how));
    });
    this.watch(child);
  }

  /** The child is gone: report once, forget it, start again later (unless it was the end). */
  private lost(child: ChildProcess, state: ScannerState, detail: string, final = false): void {
    if (this.stopped || this.child !== child) return;
    this.child = null;
    this.unwatch();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.setState(state, detail);
    this.settleStart?.();
    if (!final) this.scheduleRetry();
  }

  /** A camera that stops delivering frames without exiting (a wedged USB device) is lost too. */
  private watch(child: ChildProcess): void {
    this.lastFrameAt = performance.now();
    const every = Math.max(50, Math.floor(this.opts.stallMs / 4));
    this.stallTimer = setInterval(() => {
      if (this.child === child && performance.now() - this.lastFrameAt > this.opts.stallMs) {
        this.lost(child, this.current === 'open' ? 'closed' : 'error', `camera ${this.name}: no frame for ${Math.round(this.opts.stallMs / 1000)} s`);
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

  /** At most one decode in flight; the newest frame waits, older waiting frames are dropped. */
  private offer(frame: GreyFrame, at: number): void {
    if (this.busy) {
      if (this.waiting) this.counts.dropped++;
      this.waiting = { frame, at };
      return;
    }
    void this.decodeLoop(frame, at);
  }

  private async decodeLoop(frame: GreyFrame, at: number): Promise<void> {
    this.busy = true;
    try {
      let next: { frame: GreyFrame; at: number } | null = { frame, at };
      while (next && !this.stopped) {
        const t0 = performance.now();
        let bytes: Uint8Array | null = null;
        try {
          bytes = await this.opts.decoder.decode(next.frame);
        } catch {
          bytes = null; // a decoder failure on one frame is that frame's loss, never the service's
        }
        this.counts.decoded++;
        this.counts.decodeMs += performance.now() - t0;
        if (bytes && !this.stopped) this.sighted(bytes, next.at);
        next = this.waiting;
        this.waiting = null;
      }
    } finally {
      this.busy = false;
    }
  }

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
    this.emit('frame', { text: decoded.text, symbology: decoded.symbology ?? ']Q1', receivedAt: at });
  }

  /** Reports a state once; repeating the same state and detail is silent. */
  private setState(state: ScannerState, detail?: string): void {
    if (state === this.current && detail === this.lastDetail) return;
    this.current = state;
    this.lastDetail = detail;
    this.emit('state', detail === undefined ? { state } : { state, detail });
  }
}
