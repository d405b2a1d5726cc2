/**
 * The part every scanner driver shares: bytes in, checked frames and drop reports out, state
 * changes reported once. Real and simulated scanners both go through it, so a code typed on a
 * terminal meets exactly the rules a code from a serial module meets.
 * @module
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { FrameSplitter, decodeFrame, type SplitterOptions } from './frame-parser.js';
import type { ScannerEvents, ScannerState } from './scanner.js';
import type { LineClock } from './line-clock.js';

export abstract class ScannerBase extends EventEmitter<ScannerEvents> {
  abstract readonly name: string;
  private current: ScannerState = 'closed';
  private lastDetail: string | undefined;
  private readonly splitter: FrameSplitter;
  /** The clock a frame's silence is measured on (a blocked event loop is no silence on the line); wall time when absent. */
  protected lineClock: LineClock | null = null;

  protected constructor(framing: SplitterOptions) {
    super();
    this.splitter = new FrameSplitter(framing);
  }

  get state(): ScannerState {
    return this.current;
  }

  /** Feeds raw bytes from the device; emits `frame` and `dropped` synchronously. */
  protected feed(chunk: Uint8Array): void {
    const now = performance.now();
    for (const ev of this.splitter.push(chunk, this.lineClock ? this.lineClock.now() : now)) {
      if (ev.kind === 'dropped') {
        this.emit('dropped', { reason: ev.reason, bytes: ev.bytes });
        continue;
      }
      const decoded = decodeFrame(ev.bytes);
      if (!decoded.ok) this.emit('dropped', { reason: decoded.reason, bytes: ev.bytes.length });
      else if (decoded.text !== '') this.emit('frame', { text: decoded.text, symbology: decoded.symbology, receivedAt: now });
    }
  }

  /** Forgets a partial frame (the device went away in the middle of one). */
  protected resetFraming(): void {
    for (const ev of this.splitter.reset()) {
      if (ev.kind === 'dropped') this.emit('dropped', { reason: ev.reason, bytes: ev.bytes });
    }
  }

  /** Reports a state once; repeating the same state and detail is silent. */
  protected setState(state: ScannerState, detail?: string): void {
    if (state === this.current && detail === this.lastDetail) return;
    this.current = state;
    this.lastDetail = detail;
    this.emit('state', detail === undefined ? { state } : { state, detail });
  }
}
