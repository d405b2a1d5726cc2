/**
 * Scanners with no hardware: codes typed or pasted on a terminal (or piped in), or a scripted
 * scenario played with delays. Their bytes go through the same framing and checks as the serial
 * driver's, so the simulator is the real pipeline minus the wire. (For a pseudo-terminal, use the
 * serial driver itself on a `startPtyPair` device.)
 * @module
 */
import type { Readable } from 'node:stream';
import { ScannerBase } from './scanner-base.js';
import type { Scanner } from './scanner.js';

/** One code of a scripted scenario. */
export interface ScriptStep {
  /** Wait this long after the previous step (or the start), in milliseconds. */
  afterMs: number;
  /** What the scanner sends, without terminator (an AIM prefix may be included). */
  text: string;
  /** What the step shows, for people watching the demo. */
  note?: string;
}

export interface SimScannerOptions {
  maxFrameLength: number;
  /** Called just before a scripted step is sent (the demo prints its note). */
  onStep?: (step: ScriptStep, index: number) => void;
  /** After the script, keep reading codes from this stream (the demo's interactive part). */
  then?: Readable;
}

type Source = { kind: 'stream'; input: Readable; label: string } | { kind: 'script'; steps: readonly ScriptStep[]; label: string };

export class SimScanner extends ScannerBase implements Scanner {
  readonly name: string;
  /** Resolves when the script has been played (even if `then` keeps reading) or the input stream has ended. */
  readonly done: Promise<void>;
  private readonly source: Source;
  private readonly onStep: SimScannerOptions['onStep'];
  private readonly then: Readable | undefined;
  private attached: Readable | null = null;
  private finish!: () => void;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly onData = (chunk: Buffer | string): void => {
    this.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  };
  private readonly onEnd = (): void => {
    // A final line without a newline still counts.
    this.feed(Buffer.from('\n'));
    this.finish();
  };

  private constructor(source: Source, opts: SimScannerOptions) {
    super({ maxFrameLength: opts.maxFrameLength, terminator: 'auto', idleResetMs: 0 });
    this.source = source;
    this.name = source.label;
    this.onStep = opts.onStep;
    this.then = opts.then;
    this.done = new Promise<void>((resolve) => {
      this.finish = resolve;
    });
  }

  /** Codes typed, pasted or piped, one per line (CR, LF or CRLF). */
  static fromStream(input: Readable, opts: SimScannerOptions, label = 'terminal'): SimScanner {
    return new SimScanner({ kind: 'stream', input, label }, opts);
  }

  /** A scenario played step by step once `start()` is called. */
  static fromScript(steps: readonly ScriptStep[], opts: SimScannerOptions, label = 'script'): SimScanner {
    return new SimScanner({ kind: 'script', steps, label }, opts);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.setState('open');
    if (this.source.kind === 'stream') this.attach(this.source.input);
    else this.playFrom(0);
  }

  private attach(input: Readable): void {
    this.attached = input;
    input.on('data', this.onData);
    input.once('end', this.onEnd);
    input.resume();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const input = this.attached;
    this.attached = null;
    if (input) {
      input.off('data', this.onData);
      input.off('end', this.onEnd);
      input.pause();
    }
    this.finish();
    this.removeAllListeners();
  }

  private playFrom(index: number): void {
    if (this.source.kind !== 'script') return;
    const step = this.source.steps[index];
    if (!step) {
      this.finish();
      if (this.then && this.running) this.attach(this.then);
      return;
    }
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (!this.running) return;
        this.onStep?.(step, index);
        this.feed(Buffer.from(`${step.text}\r\n`, 'utf8'));
        this.playFrom(index + 1);
      },
      Math.max(0, step.afterMs),
    );
  }
}
