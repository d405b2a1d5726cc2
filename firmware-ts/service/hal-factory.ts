/**
 * The hardware of `roadscan run`, chosen from `--hal` and the configuration:
 *
 * - `pi`: the serial scanner at `scanner.path` (or `--scanner`), LEDs and buzzer on GPIO lines
 *   (`indicator.driver: "gpio"`) or kernel LED class devices (`"led-class"`);
 * - `sim`: codes typed or pasted on standard input, or the serial driver on `--scanner PATH`
 *   (a pseudo-terminal), or on a pseudo-terminal pair made here with `--scanner pty` (its input
 *   end is logged: `echo RS1:... > THAT_PATH` scans a code), and the simulated indicator (drawn
 *   on standard error when a person watches and `--events json` does not own the terminal).
 *   A line that is only `c` or `r` is the confirm or refuse button, not a code.
 * @module
 */
import type { Config } from '../config/schema.js';
import type { Buttons } from '../../hal/buttons/index.js';
import type { Indicator } from '../../hal/indicator/indicator.js';
import type { FeedbackConfig } from '../../hal/indicator/patterns.js';
import type { Scanner } from '../../hal/scanner/scanner.js';

export type HalKind = 'sim' | 'pi';

export interface HalChoice {
  hal: HalKind;
  /** `--scanner PATH`, overriding `scanner.path` (and, with `sim`, replacing standard input). */
  scannerPath?: string;
  /** Draw the simulated LEDs on standard error. */
  drawLeds: boolean;
}

export interface Hal {
  scanner: Scanner;
  indicator: Indicator;
  feedback: FeedbackConfig;
  /** The confirm and refuse buttons: GPIO inputs with `pi` (null when none are configured), keys with `sim`. */
  buttons?: Buttons | null;
  /** With `sim`: presses the button of a typed key (`c` confirm, `r` refuse); false for anything else. */
  keys?: (text: string) => boolean;
  /** Where to write codes, when the simulator made its own pseudo-terminal pair. */
  ptyInput?: string;
  /** Releases what the factory made (the pseudo-terminal pair), after the scanner stopped. */
  close?(): Promise<void>;
}

export async function createHal(config: Config, choice: HalChoice): Promise<Hal> {
  const feedback: FeedbackConfig = config.feedback;
  let pty: { device: string; input: string; close(): Promise<void> } | null = null;
  if (choice.hal === 'sim' && choice.scannerPath === 'pty') {
    pty = await makePty();
    choice = { ...choice, scannerPath: pty.device };
  }
  const scanner = await createScanner(config, choice);
  let indicator: Indicator;
  if (choice.hal === 'sim') {
    const { SimIndicator } = await import('../../hal/indicator/sim-indicator.js');
    indicator = new SimIndicator(choice.drawLeds ? { draw: process.stderr, color: process.stderr.isTTY === true } : {});
  } else if (config.indicator.driver === 'led-class') {
    const { LedClassIndicator } = await import('../../hal/indicator/led-class-indicator.js');
    indicator = new LedClassIndicator({ leds: config.leds });
  } else {
    const { GpioIndicator } = await import('../../hal/indicator/gpio-indicator.js');
    const g = config.gpio;
    indicator = new GpioIndicator({
      lines: { green: g.green, amber: g.amber, red: g.red, buzzer: g.buzzer },
      chipLabel: g.chipLabel,
      activeLow: g.activeLow,
      buzzerActiveLow: g.buzzerActiveLow,
    });
  }
  const { createButtons, SimButtons } = await import('../../hal/buttons/index.js');
  let buttons: Buttons | null;
  let keys: ((text: string) => boolean) | undefined;
  if (choice.hal === 'sim') {
    const sim = new SimButtons();
    buttons = sim;
    keys = (text) => sim.pressKey(text);
  } else {
    const b = config.buttons;
    buttons = await createButtons({
      driver: 'gpio',
      lines: { confirm: b.confirm, refuse: b.refuse },
      chipLabel: config.gpio.chipLabel,
      activeLow: b.activeLow,
      debounceMs: b.debounceMs,
      stuckMs: b.stuckMs,
    });
  }
  const hal: Hal = { scanner, indicator, feedback, buttons, ...(keys ? { keys } : {}) };
  return pty ? { ...hal, ptyInput: pty.input, close: pty.close } : hal;
}

async function makePty(): Promise<{ device: string; input: string; close(): Promise<void> }> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startPtyPair } = await import('../../hal/scanner/pty-pair.js');
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-pty-'));
  const pair = await startPtyPair(join(dir, 'scanner'), join(dir, 'input'));
  return {
    device: pair.devicePath,
    input: pair.feederPath,
    async close() {
      await pair.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createScanner(config: Config, choice: HalChoice): Promise<Scanner> {
  const s = config.scanner;
  if (choice.hal === 'sim' && choice.scannerPath === undefined) {
    const { SimScanner } = await import('../../hal/scanner/sim-scanner.js');
    return SimScanner.fromStream(process.stdin, { maxFrameLength: s.maxFrameLength }, 'standard input');
  }
  const { SerialScanner } = await import('../../hal/scanner/serial-scanner.js');
  return new SerialScanner({
    path: choice.scannerPath ?? s.path,
    baudRate: s.baudRate,
    terminator: s.terminator,
    maxFrameLength: s.maxFrameLength,
    idleResetMs: s.idleResetMs,
    reconnect: s.reconnect,
    watchMs: s.watchMs,
  });
}
