/**
 * What the appliance needs from the LEDs and buzzer: play a feedback pattern, keep an alert
 * blinking in the background, report what is shown (for `--events json` and the screen).
 * Real drivers (GPIO lines, kernel LED class) and the simulator share `IndicatorBase`, so the
 * timing of patterns is the same code everywhere; a driver only switches its outputs.
 * @module
 */
import { EventEmitter } from 'node:events';
import { PatternPlayer, realTimers, type Timers } from './pattern-player.js';
import type { IndicatorOutput, Timeline } from './patterns.js';

export interface IndicatorOutputEvent extends IndicatorOutput {
  /** When the output was applied, milliseconds since the Unix epoch. */
  t: number;
}

export interface IndicatorEvents {
  output: [IndicatorOutputEvent];
}

export interface Indicator extends EventEmitter<IndicatorEvents> {
  readonly name: string;
  /** Acquires the outputs; rejects with `IndicatorError` (one clear line) when it cannot. */
  open(): Promise<void>;
  /** Plays a pattern now, cutting the running one short. */
  play(timeline: Timeline): void;
  /** What shows while no pattern runs: a blinking alert, or null for dark. */
  setBackground(timeline: Timeline | null): void;
  /** Switches everything off and releases the outputs. */
  close(): Promise<void>;
}

/** An indicator that cannot be used, with a message naming the line and what to do. */
export class IndicatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndicatorError';
  }
}

export interface IndicatorBaseOptions {
  /** Virtual timers for tests; real timers by default. */
  timers?: Timers;
  /** Epoch milliseconds for the `t` of events; Date.now by default. */
  wallClock?: () => number;
}

export abstract class IndicatorBase extends EventEmitter<IndicatorEvents> implements Indicator {
  abstract readonly name: string;
  private readonly player: PatternPlayer;
  private readonly wallClock: () => number;
  private opened = false;

  protected constructor(opts: IndicatorBaseOptions = {}) {
    super();
    this.wallClock = opts.wallClock ?? Date.now;
    this.player = new PatternPlayer((output) => {
      if (!this.opened) return;
      this.apply(output);
      this.emit('output', { ...output, t: this.wallClock() });
    }, opts.timers ?? realTimers);
  }

  /** Switches the physical (or drawn) outputs. Must not throw for a transient write error. */
  protected abstract apply(output: IndicatorOutput): void;
  /** Acquires the outputs. */
  protected abstract acquire(): Promise<void>;
  /** Releases the outputs (after they were switched off). */
  protected abstract release(): Promise<void>;

  async open(): Promise<void> {
    if (this.opened) return;
    await this.acquire();
    this.opened = true;
    this.apply({ led: 'off', buzzer: false });
  }

  play(timeline: Timeline): void {
    this.player.play(timeline);
  }

  setBackground(timeline: Timeline | null): void {
    this.player.setBackground(timeline);
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.player.stop();
    this.opened = false;
    await this.release();
  }
}
