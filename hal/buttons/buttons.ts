/**
 * What the appliance needs from the operator's two buttons (docs/DESIGN.md, "Operator actions"):
 * one `press` event per deliberate press of confirm or refuse. Contact bounce, a button held
 * down and a button already down at start-up are the driver's business, never an extra action.
 * @module
 */
import type { EventEmitter } from 'node:events';

export type ButtonName = 'confirm' | 'refuse';
export const BUTTON_NAMES: readonly ButtonName[] = ['confirm', 'refuse'];

export interface ButtonPress {
  button: ButtonName;
  /** When the press became certain (after debouncing), milliseconds on the driver's clock. */
  atMs: number;
}

/** A line that misbehaves (a read error, a button held far longer than a press). */
export interface ButtonFault {
  button: ButtonName;
  /** One printable line. */
  message: string;
}

export interface ButtonsEvents {
  press: [ButtonPress];
  fault: [ButtonFault];
}

export interface Buttons extends EventEmitter<ButtonsEvents> {
  readonly name: string;
  /** Acquires the inputs; rejects with `ButtonsError` (one clear line) when it cannot. */
  open(): Promise<void>;
  /** Releases the inputs; no press is reported afterwards. */
  close(): Promise<void>;
}

export class ButtonsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ButtonsError';
  }
}
