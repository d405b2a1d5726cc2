/**
 * Configuration of the hardware: the serial scanner, the LEDs and buzzer (GPIO lines or kernel
 * LED class devices), the feedback patterns of docs/DESIGN.md, and the limits on pictures given to
 * `decode-image`. `roadscan run --hal pi` uses these; `--hal sim` uses only the patterns.
 * @module
 */
import { z } from 'zod';

const ms = (max: number) => z.number().int().min(0).max(max);
const color = z.enum(['green', 'amber', 'red']);
/** A line offset on the header chip (BCM numbering: GPIO17 is 17), or null when not fitted. */
const gpioLine = z.number().int().min(0).max(1023).nullable();
/** A kernel LED class device name (`/sys/class/leds/NAME`), or null when not fitted. */
const ledName = z
  .string()
  .regex(/^[A-Za-z0-9:_.+-]{1,64}$/, 'an LED class name such as "roadscan:green"')
  .refine((n) => n !== '.' && n !== '..', 'an LED class name such as "roadscan:green"')
  .nullable();

const verdictFeedback = (led: 'green' | 'amber' | 'red', ledMs: number, buzzer: number[]) =>
  z
    .strictObject({
      led: color.default(led),
      /** How long the LED stays lit. */
      ledMs: ms(60_000).default(ledMs),
      /** Buzzer durations in ms, alternating on, off, on...; [] for silence. */
      buzzer: z.array(ms(10_000)).max(20).default(buzzer),
    })
    .prefault({});

export const halSection = {
  scanner: z
    .strictObject({
      /** Serial device of the scanner module; prefer a stable /dev/serial/by-id/... link. */
      path: z.string().min(1).max(4096).default('/dev/ttyACM0'),
      /** Line speed (8N1); USB CDC-ACM scanners ignore it. */
      baudRate: z.number().int().positive().max(4_000_000).default(9600),
      /** What ends a frame: any of CR, LF, CRLF ("auto"), or only one of them. */
      terminator: z.enum(['auto', 'cr', 'lf', 'crlf']).default('auto'),
      /** Longest frame kept, in bytes (a version 40 QR code holds 4296 alphanumeric characters). */
      maxFrameLength: z.number().int().min(16).max(65_536).default(4400),
      /** A partial frame with no new byte for this long is dropped (0: never). */
      idleResetMs: ms(60_000).default(1000),
      /** While open, how often the path is checked to still name the device opened (0: never). */
      watchMs: ms(60_000).default(1000),
      /** Reopening a lost scanner: first delay, growth factor, longest delay. */
      reconnect: z
        .strictObject({
          initialMs: z.number().int().min(10).max(60_000).default(250),
          factor: z.number().min(1).max(10).default(2),
          maxMs: z.number().int().min(10).max(600_000).default(10_000),
        })
        .prefault({}),
    })
    .prefault({}),
  indicator: z
    .strictObject({
      /** LEDs and buzzer with `--hal pi`: sysfs GPIO lines (`gpio`) or kernel LED class devices (`led-class`). */
      driver: z.enum(['gpio', 'led-class']).default('gpio'),
    })
    .prefault({}),
  gpio: z
    .strictObject({
      /** Label of the gpiochip carrying the lines; null finds the Raspberry Pi header chip. */
      chipLabel: z.string().min(1).max(64).nullable().default(null),
      green: gpioLine.default(17),
      /** null: amber is shown as green and red together (a bicolour LED). */
      amber: gpioLine.default(27),
      red: gpioLine.default(22),
      buzzer: gpioLine.default(18),
      /** LEDs light when their line is low. */
      activeLow: z.boolean().default(false),
      /** The buzzer sounds when its line is low; null: as activeLow. */
      buzzerActiveLow: z.boolean().nullable().default(null),
    })
    .prefault({}),
  /** The operator's confirm and refuse buttons on GPIO inputs (docs/DESIGN.md, "Operator actions"), on gpio.chipLabel's chip. */
  buttons: z
    .strictObject({
      /** Line offset of the confirm button; null when not fitted. */
      confirm: gpioLine.default(null),
      /** Line offset of the refuse button; null when not fitted. */
      refuse: gpioLine.default(null),
      /** Pressed pulls the line low (a button to ground with the pull-up on). */
      activeLow: z.boolean().default(true),
      /** A level counts once it held still this long (contact bounce). */
      debounceMs: z.number().int().min(1).max(1000).default(30),
      /** Held down longer than this is reported as a fault; 0: never. */
      stuckMs: ms(600_000).default(10_000),
    })
    .prefault({}),
  leds: z
    .strictObject({
      green: ledName.default('roadscan:green'),
      amber: ledName.default('roadscan:amber'),
      red: ledName.default('roadscan:red'),
      buzzer: ledName.default(null),
    })
    .prefault({}),
  /** LED and buzzer patterns (docs/DESIGN.md, Feedback); a new scan cuts the running one short. */
  feedback: z
    .strictObject({
      accept: verdictFeedback('green', 1000, [80]),
      warn: verdictFeedback('amber', 2000, [80, 120, 80]),
      reject: verdictFeedback('red', 2000, [800]),
      /** Blinking while the scanner is lost or the status list is stale. */
      alert: z
        .strictObject({
          led: color.default('amber'),
          onMs: z.number().int().min(1).max(10_000).default(500),
          offMs: z.number().int().min(1).max(10_000).default(500),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Pictures given to `roadscan decode-image`. */
  image: z
    .strictObject({
      /** Largest file accepted, in MiB. */
      maxFileMiB: z.number().positive().max(1024).default(32),
      /** Largest picture accepted, in megapixels (decompression bomb guard). */
      maxMegapixels: z.number().positive().max(1000).default(100),
      /** Larger pictures are shrunk to this many pixels on their long side before decoding. */
      maxSide: z.number().int().min(256).max(16_384).default(4096),
      /** Try jsQR when every ZXing pass failed (off: it decoded nothing more on the bench's picture set). */
      jsqrFallback: z.boolean().default(false),
    })
    .prefault({}),
};
