/**
 * The few shapes the scan path and its outputs share: where a scanner stands (as the audit log
 * records it) and the logger they write to. Kept apart so that the desk and the path name them
 * without importing each other.
 * @module
 */

/** Where the scanner stands, as the audit log records it. */
export interface Place {
  profile: string;
  region: string;
  station: string | null;
}

/** The few logger methods the scan path and the device loop use (a pino logger fits). */
export interface PathLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const NO_LOG: PathLogger = { info() {}, warn() {}, error() {} };
