/**
 * The audit log as the configuration sets it up: its checkpoint interval and the device key its
 * checkpoints are signed with. The service makes the key when the device has none yet (a device
 * never provisioned, a demo); commands only use the key that is there, and a command run by a user
 * who may not read it still works: what it writes waits unsigned for the service to sign it.
 * @module
 */
import { AuditLog } from '../audit/audit-log.js';
import { DeviceKeyError, makeDeviceKey, readDeviceKey, type DeviceKey } from '../audit/device-key.js';
import type { Runtime } from './runtime.js';

export interface OpenAuditLogOptions {
  /** Make the device key if there is none (the service). */
  makeKey?: boolean;
  /** Told, in one line, why the log runs without its key. */
  onKeyProblem?(line: string): void;
}

/** The device key for the runtime's database: null in memory, or when it cannot be had (said). */
export function deviceKeyFor(rt: Runtime, opts: OpenAuditLogOptions = {}): DeviceKey | null {
  if (rt.dbFile === ':memory:') return null;
  try {
    return opts.makeKey ? makeDeviceKey(rt.dbFile).key : readDeviceKey(rt.dbFile);
  } catch (err) {
    const line = err instanceof DeviceKeyError ? err.message : `device key: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    opts.onKeyProblem?.(line);
    return null;
  }
}

export function openAuditLog(rt: Runtime, key: DeviceKey | null = deviceKeyFor(rt)): AuditLog {
  return new AuditLog(
    rt.db,
    { deviceId: rt.config.device.id, operator: rt.config.device.operator },
    { key: key?.signing ?? null, checkpointEvery: rt.config.audit.checkpointEvery },
  );
}
