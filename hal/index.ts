/**
 * The hardware behind small interfaces, and the one factory that makes it from plain options
 * (the application maps its configuration to these; the hardware layer knows nothing of it):
 *
 * - `pi`: the serial scanner, LEDs and buzzer on GPIO lines (`indicator: "gpio"`) or kernel LED
 *   class devices (`"led-class"`);
 * - `sim`: codes typed or pasted on standard input, or the serial driver on a given path (a
 *   pseudo-terminal), or on a pseudo-terminal pair made here with `scannerPath: "pty"` (its
 *   input end is returned: writing `RS1:...` there scans a code), and the simulated indicator.
 * - the operator's confirm and refuse buttons: two debounced GPIO inputs with `pi` (none when no
 *   line is configured), the keys `c` and `r` with `sim` (a line that is only a key is no code).
 *
 * - either: a camera (`camera`: a V4L2 device, a Raspberry Pi camera, or a video file or folder
 *   of pictures played as one, hal/camera/), alongside the scanner above or instead of it
 *   (`scanner: false`); with both, one merged `Scanner` takes codes from each.
 *
 * One lazy import per driver, so a command loads only the drivers it uses.
 * @module
 */
import type { Buttons } from './buttons/index.js';
import type { Indicator } from './indicator/indicator.js';
import type { FeedbackConfig } from './indicator/patterns.js';
import type { Scanner } from './scanner/scanner.js';
import type { SerialScannerOptions } from './scanner/serial-scanner.js';
import type { GpioIndicatorOptions } from './indicator/gpio-indicator.js';
import type { LedClassIndicatorOptions } from './indicator/led-class-indicator.js';
import type { CameraOptions } from './camera/index.js';

export type HalKind = 'sim' | 'pi';

export interface HalOptions {
  hal: HalKind;
  /** The serial scanner; `path` may be `"pty"` with `sim` (a pair made here). */
  serial: SerialScannerOptions;
  /** With `sim`: read codes from standard input instead of a serial device. */
  stdinScanner: boolean;
  /** The camera scanner, when there is one. */
  camera?: CameraOptions;
  /** False: the camera alone, no serial (or standard input) scanner. Needs `camera`. */
  scanner?: boolean;
  /** With `pi`: which indicator driver, and its options. */
  indicator: { driver: 'gpio'; gpio: Omit<GpioIndicatorOptions, 'gpioFactory'> } | { driver: 'led-class'; ledClass: LedClassIndicatorOptions };
  feedback: FeedbackConfig;
  /** With `sim`: draw the simulated LEDs on standard error. */
  drawLeds: boolean;
  /** With `pi`: the confirm and refuse buttons' lines (null: not fitted) and timing. */
  buttons?: {
    confirm: number | null;
    refuse: number | null;
    chipLabel: string | null;
    activeLow: boolean;
    debounceMs: number;
    stuckMs: number;
  };
}

export interface Hal {
  scanner: Scanner;
  indicator: Indicator;
  feedback: FeedbackConfig;
  /** The confirm and refuse buttons (null: none fitted). */
  buttons?: Buttons | null;
  /** With `sim`: presses the button of a typed key (`c` confirm, `r` refuse); false for anything else. */
  keys?: (text: string) => boolean;
  /** Where to write codes, when the simulator made its own pseudo-terminal pair. */
  ptyInput?: string;
  /** Releases what the factory made (the pseudo-terminal pair), after the scanner stopped. */
  close?(): Promise<void>;
}

export async function createHal(opts: HalOptions): Promise<Hal> {
  let pty: { device: string; input: string; close(): Promise<void> } | null = null;
  let serial = opts.serial;
  if (opts.hal === 'sim' && !opts.stdinScanner && serial.path === 'pty') {
    pty = await makePty();
    serial = { ...serial, path: pty.device };
  }
  const scanner = await createScanners(opts, serial);
  const indicator = await createIndicator(opts);
  const feedback = opts.feedback;
  const hal: Hal = { scanner, indicator, feedback, ...(await createOperatorButtons(opts)) };
  return pty ? { ...hal, ptyInput: pty.input, close: pty.close } : hal;
}

async function createOperatorButtons(opts: HalOptions): Promise<Pick<Hal, 'buttons' | 'keys'>> {
  const { createButtons, SimButtons } = await import('./buttons/index.js');
  if (opts.hal === 'sim') {
    const sim = new SimButtons();
    return { buttons: sim, keys: (text) => sim.pressKey(text) };
  }
  const b = opts.buttons;
  if (!b) return { buttons: null };
  return {
    buttons: await createButtons({
      driver: 'gpio',
      lines: { confirm: b.confirm, refuse: b.refuse },
      chipLabel: b.chipLabel,
      activeLow: b.activeLow,
      debounceMs: b.debounceMs,
      stuckMs: b.stuckMs,
    }),
  };
}

async function createIndicator(opts: HalOptions): Promise<Indicator> {
  if (opts.hal === 'sim') {
    const { SimIndicator } = await import('./indicator/sim-indicator.js');
    return new SimIndicator(opts.drawLeds ? { draw: process.stderr, color: process.stderr.isTTY === true && !process.env['NO_COLOR'], liveFd: 2 } : {});
  }
  if (opts.indicator.driver === 'led-class') {
    const { LedClassIndicator } = await import('./indicator/led-class-indicator.js');
    return new LedClassIndicator(opts.indicator.ledClass);
  }
  const { GpioIndicator } = await import('./indicator/gpio-indicator.js');
  return new GpioIndicator(opts.indicator.gpio);
}

async function makePty(): Promise<{ device: string; input: string; close(): Promise<void> }> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startPtyPair } = await import('./scanner/pty-pair.js');
  const { claimPtyFolder, sweepStalePtyFolders } = await import('./scanner/pty-folders.js');
  // A service killed outright (SIGKILL, a power cut of the process) could not remove its folder.
  sweepStalePtyFolders(tmpdir());
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-pty-'));
  claimPtyFolder(dir);
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

async function createScanners(opts: HalOptions, serial: SerialScannerOptions): Promise<Scanner> {
  const parts: Scanner[] = [];
  if (opts.scanner !== false || !opts.camera) parts.push(await createScanner(opts, serial));
  if (opts.camera) {
    const { createCameraScanner } = await import('./camera/index.js');
    parts.push(createCameraScanner(opts.camera));
  }
  if (parts.length === 1) return parts[0]!;
  const { MergedScanner } = await import('./scanner/merged-scanner.js');
  return new MergedScanner(parts);
}

async function createScanner(opts: HalOptions, serial: SerialScannerOptions): Promise<Scanner> {
  if (opts.hal === 'sim' && opts.stdinScanner) {
    const { SimScanner } = await import('./scanner/sim-scanner.js');
    return SimScanner.fromStream(process.stdin, { maxFrameLength: serial.maxFrameLength }, 'standard input');
  }
  const { SerialScanner } = await import('./scanner/serial-scanner.js');
  return new SerialScanner(serial);
}
