/**
 * The indicator with no hardware: each output change is an `output` event (the service turns
 * them into `--events json` lines) and, when a terminal is given, a drawing of the three LEDs
 * and the buzzer. Timing is the real pattern player's.
 * @module
 */
import type { Writable } from 'node:stream';
import { IndicatorBase, type IndicatorBaseOptions } from './indicator.js';
import type { IndicatorOutput, LedColor } from './patterns.js';

export interface SimIndicatorOptions extends IndicatorBaseOptions {
  /** Where to draw each output change (a TTY); nothing is drawn when absent. */
  draw?: Writable;
  /** Use ANSI colours and redraw one line in place (a terminal); otherwise one line per change. */
  color?: boolean;
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

  constructor(opts: SimIndicatorOptions = {}) {
    super(opts);
    this.draw = opts.draw;
    this.color = opts.color ?? false;
  }

  protected async acquire(): Promise<void> {}

  protected apply(output: IndicatorOutput): void {
    const text = `  LED ${drawOutput(output, this.color)} ${output.led}${output.buzzer ? ' + buzzer' : ''}`;
    // On a terminal the drawing stays on the bottom line, the cursor back at its start, so a log
    // line written next simply covers it and scrolls up; the next drawing takes the new line.
    this.draw?.write(this.color ? `\x1b[2K${text}\r` : `${text}\n`);
  }

  protected async release(): Promise<void> {}
}
