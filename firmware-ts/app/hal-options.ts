/**
 * From the configuration (and `run`'s `--hal`/`--scanner`) to the hardware layer's plain
 * options: the one place that knows both, so `hal/` never reads the configuration.
 * @module
 */
import type { HalKind, HalOptions } from '../../hal/index.js';
import type { CameraOptions } from '../../hal/camera/index.js';
import type { Config } from '../config/schema.js';

export interface HalChoice {
  hal: HalKind;
  /** `--scanner PATH`, overriding `scanner.path` (and, with `sim`, replacing standard input). */
  scannerPath?: string;
  /** Draw the simulated LEDs on standard error. */
  drawLeds: boolean;
  /**
   * `--camera DEVICE|FILE`, overriding `camera.device` and turning the camera on: alongside the
   * scanner when `--scanner` is given too or `camera.mode` is `alongside`, else instead of it.
   */
  camera?: string;
}

/** The camera's options, or null when the unit runs without one. */
function cameraOptions(config: Config, choice: HalChoice): { camera: CameraOptions; alone: boolean } | null {
  const c = config.camera;
  if (choice.camera === undefined && c.mode === 'off') return null;
  const alone = choice.camera !== undefined ? c.mode !== 'alongside' && choice.scannerPath === undefined : c.mode === 'instead';
  return {
    alone,
    camera: {
      device: choice.camera ?? c.device,
      width: c.width,
      height: c.height,
      fps: c.fps,
      inputFormat: c.inputFormat,
      repeatMs: c.repeatMs,
      stallMs: c.stallMs,
      reconnect: c.reconnect,
      loop: c.loop,
      pictureSeconds: c.pictureSeconds,
      maxTextBytes: config.scanner.maxFrameLength,
    },
  };
}

export function halOptions(config: Config, choice: HalChoice): HalOptions {
  const s = config.scanner;
  const g = config.gpio;
  const cam = cameraOptions(config, choice);
  return {
    ...(cam ? { camera: cam.camera, scanner: !cam.alone } : {}),
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
            gpio: {
              lines: { green: g.green, amber: g.amber, red: g.red, buzzer: g.buzzer },
              chipLabel: g.chipLabel,
              activeLow: g.activeLow,
              buzzerActiveLow: g.buzzerActiveLow,
            },
          },
    feedback: config.feedback,
    drawLeds: choice.drawLeds,
    buttons: { ...config.buttons, chipLabel: g.chipLabel },
  };
}
