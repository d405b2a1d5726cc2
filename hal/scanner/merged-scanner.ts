/**
 * Several scanners as one: a unit with a serial module and a camera takes codes from both, and
 * the appliance keeps seeing one `Scanner`. Frames and drop reports pass through as they come.
 * The state is `open` only while every part is open (a lost camera is an alert even while the
 * serial module still works), else `error` when any part is in error, else `closed`; the
 * detail names the part that is not open.
 * @module
 */
import { EventEmitter } from 'node:events';
import type { Scanner, ScannerEvents, ScannerState, ScannerStateChange } from './scanner.js';

export class MergedScanner extends EventEmitter<ScannerEvents> implements Scanner {
  readonly name: string;
  private readonly parts: readonly Scanner[];
  private readonly details = new Map<Scanner, string | undefined>();
  private current: ScannerState = 'closed';
  private lastDetail: string | undefined;

  constructor(parts: readonly Scanner[]) {
    super();
    if (parts.length === 0) throw new RangeError('MergedScanner needs at least one scanner');
    this.parts = parts;
    this.name = parts.map((p) => p.name).join(' + ');
    for (const part of parts) {
      part.on('frame', (f) => this.emit('frame', f));
      part.on('dropped', (d) => this.emit('dropped', d));
      part.on('state', (change) => this.onPartState(part, change));
    }
  }

  get state(): ScannerState {
    return this.current;
  }

  /** The scanners merged, in order. */
  get scanners(): readonly Scanner[] {
    return this.parts;
  }

  async start(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.start()));
    this.update();
  }

  async stop(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.stop()));
    this.removeAllListeners();
  }

  private onPartState(part: Scanner, change: ScannerStateChange): void {
    this.details.set(part, change.detail);
    this.update();
  }

  private update(): void {
    const states = this.parts.map((p) => p.state);
    const state: ScannerState = states.every((s) => s === 'open') ? 'open' : states.includes('error') ? 'error' : 'closed';
    const notOpen = this.parts.filter((p) => p.state !== 'open');
    const detail = notOpen.length === 0 ? undefined : notOpen.map((p) => this.details.get(p) ?? `${p.name} ${p.state}`).join('; ');
    if (state === this.current && detail === this.lastDetail) return;
    this.current = state;
    this.lastDetail = detail;
    this.emit('state', detail === undefined ? { state } : { state, detail });
  }
}
