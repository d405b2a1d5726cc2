/**
 * The few shapes the service's parts share (where a scanner stands, the logger they write to).
 * Kept apart from `appliance.ts` so that the operator desk, which the appliance drives, can name
 * them without importing the appliance back.
 * @module
 */

/** Where the scanner stands, as the audit log records it. */
export interface Place {
  profile: string;
  region: string;
  station: string | null;
}

/** The few logger methods the service uses (a pino logger fits). */
export interface ServiceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
