/**
 * What the appliance needs from a barcode scanner, whatever it is: a serial module, a terminal,
 * a script. Drivers know nothing of credentials; they deliver the text of each code read.
 * @module
 */
import type { EventEmitter } from 'node:events';
import type { DropReason } from './frame-parser.js';

export type ScannerState = 'open' | 'closed' | 'error';

/** One code read by the scanner. */
export interface ScanFrame {
  /** The code's text: valid UTF-8, AIM prefix and surrounding blanks removed, no control characters. */
  text: string;
  /** AIM symbology identifier sent by the module (e.g. "]Q1"), or null. */
  symbology: string | null;
  /** `performance.now()` when the frame's last byte was seen, for latency figures. */
  receivedAt: number;
  /**
   * A camera's scans: when the frame the code was read from arrived whole from the driver
   * (`performance.now()`, as `receivedAt`, which is the same instant): the scan's latency is
   * measured from the frame, not from the end of its decode. Absent for other scanners.
   */
  frameArrivedAt?: number;
}

export interface ScannerStateChange {
  state: ScannerState;
  /** One line for a person: why it closed or failed, what to do. Never raw device output. */
  detail?: string;
}

export interface DroppedFrame {
  /** Why; `picture-refused`: a camera's picture (a folder camera's file) not played at all. */
  reason: DropReason | 'picture-refused';
  /** How many bytes were thrown away. */
  bytes: number;
  /** One line for a person, when the reason needs one (which picture, and why). */
  detail?: string;
}

export interface ScannerEvents {
  frame: [ScanFrame];
  state: [ScannerStateChange];
  dropped: [DroppedFrame];
}

export interface Scanner extends EventEmitter<ScannerEvents> {
  /** Human name of the source, for logs ("/dev/ttyACM0", "terminal", "script demo"). */
  readonly name: string;
  /** Current state; `open` once frames can arrive. */
  readonly state: ScannerState;
  /**
   * Starts reading. Resolves once the first open attempt is over, whether it succeeded or not:
   * a scanner that is not plugged in yet is not an error for the service, it is retried.
   */
  start(): Promise<void>;
  /** Stops reading and releases the device; no event is emitted afterwards. */
  stop(): Promise<void>;
}
