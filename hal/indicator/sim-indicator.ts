/**
 * The indicator with no hardware: each output change is an `output` event (the service turns
 * them into `--events json` lines) and, when a terminal is given, a drawing of the three LEDs
 * and the buzzer. Timing is the real pattern player's.
 * @module
 */
import type { Writable } from 'node:stream';
import { IndicatorBase, type IndicatorBaseOptions } from './indicator.js';
import type { IndicatorOutput, LedColor } from './patterns.js';
import { CLEAR_LINE, setLiveLine } from '../../firmware-ts/core/live-line.js';

export interface SimIndicatorOptions extends IndicatorBaseOptions {
  /** Where to draw each output change (a TTY); nothing is drawn when absent. */
  draw?: Writable;
  /** Use ANSI colours and redraw one line in place (a terminal); otherwise one line per change. */
  color?: boolean;
  /** The terminal's descriptor when `draw` is one: the line is kept live (core/live-line.ts) so log lines go above it. */
  liveFd?: number;
}

const ANSI: Record<LedColor, string> = { green: '\x1b[32m', amber: '\x1b[33m', red: '\x1b[31m' };
const RESET = '\x1b[0m';

/** The LEDs and buzzer as a short line, e.g. "[● ○ ○] ♪". */
export function drawOutput(output: IndicatorOutput, color = false): string {
  const leds = (['green', 'amber', 'red'] as const).map((c) => (output.led === c ? (color ? `${ANSI[c]}●${RESET}` : '●') : '○')).join(' ');
  return `[${leds}]${output.buzzer ? ' ♪' : '  '}`;
}

export class SimIndicator extends IndicatorBase {
  readonly name = 'sim';
  private readonly draw: Writable | undefined;
  private readonly color: boolean;
  private readonly liveFd: number | null;

  constructor(opts: SimIndicatorOptions = {}) {
    super(opts);
    this.draw = opts.draw;
    this.color = opts.color ?? false;
    this.liveFd = opts.liveFd ?? null;
  }

  protected async acquire(): Promise<void> {}

  protected apply(output: IndicatorOutput): void {
    const text = `  LED ${drawOutput(output, this.color)} ${output.led}${output.buzzer ? ' + buzzer' : ''}`;
    if (this.color && this.liveFd !== null) {
      // The bottom line, redrawn in place; the logger writes its lines above it (core/live-line.ts).
      setLiveLine(this.liveFd, text);
      this.draw?.write(`${CLEAR_LINE}${text}`);
      return;
    }
    // On a terminal the drawing stays on the bottom line, the cursor back at its start, so a log
    // line written next simply covers it and scrolls up; the next drawing takes the new line.
    this.draw?.write(this.color ? `\x1b[2K${text}\r` : `${text}\n`);
  }

  protected async release(): Promise<void> {
    if (this.liveFd !== null && this.color) {
      setLiveLine(this.liveFd, null);
      this.draw?.write(CLEAR_LINE);
    }
  }
}
