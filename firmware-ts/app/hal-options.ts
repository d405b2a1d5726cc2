/**
 * From the configuration (and `run`'s `--hal`/`--scanner`) to the hardware layer's plain
 * options: the one place that knows both, so `hal/` never reads the configuration.
 * @module
 */
import type { HalKind, HalOptions } from '../../hal/index.js';
import type { Config } from '../config/schema.js';

export interface HalChoice {
  hal: HalKind;
  /** `--scanner PATH`, overriding `scanner.path` (and, with `sim`, replacing standard input). */
  scannerPath?: string;
  /** Draw the simulated LEDs on standard error. */
  drawLeds: boolean;
}

export function halOptions(config: Config, choice: HalChoice): HalOptions {
  const s = config.scanner;
  const g = config.gpio;
  return {
    hal: choice.hal,
    serial: {
      path: choice.scannerPath ?? s.path,
      baudRate: s.baudRate,
      terminator: s.terminator,
      maxFrameLength: s.maxFrameLength,
      idleResetMs: s.idleResetMs,
      reconnect: s.reconnect,
      watchMs: s.watchMs,
    },
    stdinScanner: choice.hal === 'sim' && choice.scannerPath === undefined,
    indicator:
      config.indicator.driver === 'led-class'
        ? { driver: 'led-class', ledClass: { leds: config.leds } }
        : {
            driver: 'gpio',
            gpio: { lines: { green: g.green, amber: g.amber, red: g.red, buzzer: g.buzzer }, chipLabel: g.chipLabel, activeLow: g.activeLow, buzzerActiveLow: g.buzzerActiveLow },
          },
    feedback: config.feedback,
    drawLeds: choice.drawLeds,
  };
}
