/**
 * A screen or health port another process holds is a set-up problem (a SetupError: exit 2, one
 * line naming the port), never a service that says it runs without its screen or its health
 * endpoint. Most often it is a second `roadscan run` beside the first.
 * @module
 */
import { SetupError } from './setup-error.js';

export function throwIfPortTaken(what: 'screen' | 'health', at: { host: string; port: number }, err: unknown): void {
  if ((err as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') return;
  throw new SetupError(`${what} port ${at.host}:${at.port} is already in use (another roadscan run?): stop it, or change ${what}.port`);
}
