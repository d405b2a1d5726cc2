/**
 * The scanner module on a serial line (USB CDC-ACM, a USB-serial adapter, the Pi's UART, or a
 * pseudo-terminal in tests), through `serialport`.
 *
 * A handheld scanner gets unplugged: the port closes with `disconnected`, the driver reports it
 * and keeps trying to reopen the same path with backoff, so the service never needs a restart.
 * The path is reopened by name each time, so a `/dev/serial/by-id/...` link that now points to
 * another ttyACM node is followed.
 *
 * serialport does not always see the hang-up: a device lost within milliseconds of being opened
 * can leave the port "open" on a dead descriptor forever (reproduced with socat ptys). So while
 * open, the driver also checks every `watchMs` that the path still names the device node it
 * opened (same inode and device number); when it does not, the port is treated as unplugged.
 * @module
 */
import { fstat } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { Terminator } from './frame-parser.js';
import { ScannerBase } from './scanner-base.js';
import { LineClock } from './line-clock.js';
import type { Scanner } from './scanner.js';
import { oneLine } from '../../firmware-ts/core/text-safety.js';

export interface SerialScannerOptions {
  /** Device path: /dev/ttyACM0, /dev/serial/by-id/usb-..., a pty link. */
  path: string;
  /** Line speed; the frame is always 8N1. */
  baudRate: number;
  terminator: Terminator;
  /** Longest frame kept, in bytes. */
  maxFrameLength: number;
  /** A partial frame idle this long is dropped, in milliseconds (0: never). */
  idleResetMs: number;
  /** Delays between attempts to (re)open the device. */
  reconnect: BackoffOptions;
  /** How often an open device's path is checked, in milliseconds (0: never). */
  watchMs?: number;
}

interface NodeId {
  ino: number;
  rdev: number;
}

/** A person's reading of an open or I/O error (serialport errors carry no errno code). */
export function describeSerialError(path: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/no such file|ENOENT/i.test(msg)) return `${path} not found: is the scanner plugged in?`;
  if (/permission denied|EACCES/i.test(msg)) {
    return `${path}: permission denied: add the service user to the dialout group`;
  }
  if (/lock/i.test(msg)) return `${path} is in use by another program`;
  return `${path}: ${oneLine(msg, 160)}`;
}

export class SerialScanner extends ScannerBase implements Scanner {
  readonly name: string;
  private readonly opts: SerialScannerOptions;
  private port: SerialPort | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private stopped = true;

  constructor(opts: SerialScannerOptions) {
    super({ maxFrameLength: opts.maxFrameLength, terminator: opts.terminator, idleResetMs: opts.idleResetMs });
    this.opts = opts;
    this.name = opts.path;
    if (opts.idleResetMs > 0) this.lineClock = new LineClock();
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.lineClock?.start();
    await this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.lineClock?.stop();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.unwatch();
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.removeAllListeners();
  }

  private open(): Promise<void> {
    const port = new SerialPort({
      path: this.opts.path,
      baudRate: this.opts.baudRate,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      autoOpen: false,
    });
    return new Promise<void>((resolve) => {
      port.open((err) => {
        if (this.stopped) {
          if (!err) port.close();
          resolve();
          return;
        }
        if (err) {
          this.setState('error', describeSerialError(this.opts.path, err));
          this.scheduleRetry();
          resolve();
          return;
        }
        this.attempt = 0;
        this.port = port;
        port.on('data', (chunk: Buffer) => this.feed(chunk));
        // Runtime I/O errors are followed by `close`; nothing to do but not crash.
        port.on('error', () => undefined);
        port.on('close', (closeErr?: Error & { disconnected?: boolean }) => this.onClose(port, closeErr));
        this.setState('open');
        void this.watch(port);
        resolve();
      });
    });
  }

  private onClose(port: SerialPort, err?: Error & { disconnected?: boolean }): void {
    this.lost(port, err?.disconnected ? 'disconnected' : 'closed');
  }

  /** The open port is gone (closed, or its path no longer names its device): report, retry. */
  private lost(port: SerialPort, how: 'disconnected' | 'closed'): void {
    if (this.stopped || this.port !== port) return;
    this.port = null;
    this.unwatch();
    port.removeAllListeners('data');
    if (port.isOpen) port.close(() => undefined);
    this.resetFraming();
    this.setState('closed', `${this.opts.path} ${how}`);
    this.scheduleRetry();
  }

  private async watch(port: SerialPort): Promise<void> {
    const every = this.opts.watchMs ?? 1000;
    if (every <= 0) return;
    // The node actually opened (from the descriptor), else what the path names now.
    const fd = (port.port as { fd?: number | null } | undefined)?.fd;
    const opened = typeof fd === 'number' ? await fdNodeId(fd) : await nodeId(this.opts.path);
    if (this.port !== port) return;
    if (opened === null) {
      this.lost(port, 'disconnected');
      return;
    }
    this.watchTimer = setInterval(() => {
      void nodeId(this.opts.path).then((now) => {
        if (this.port === port && (now === null || now.ino !== opened.ino || now.rdev !== opened.rdev)) this.lost(port, 'disconnected');
      });
    }, every);
  }

  private unwatch(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    const delay = backoffDelay(this.attempt++, this.opts.reconnect);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) void this.open();
    }, delay);
  }
}

function fdNodeId(fd: number): Promise<NodeId | null> {
  return new Promise((resolve) => fstat(fd, (err, st) => resolve(err ? null : { ino: st.ino, rdev: st.rdev })));
}

/** Inode and device number of the node a path names (symlinks followed), or null when gone. */
async function nodeId(path: string): Promise<NodeId | null> {
  try {
    const st = await stat(path);
    return { ino: st.ino, rdev: st.rdev };
  } catch {
    return null;
  }
}
