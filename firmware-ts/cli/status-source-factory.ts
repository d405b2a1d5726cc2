/**
 * The status list a command checks against. Until the store is wired this is the never-synced
 * list, so every scan carries STATUS_LIST_STALE rather than passing as "nothing revoked".
 * @module
 */
import { NEVER_SYNCED, type StatusSource } from '../status/status-source.js';
import type { Runtime } from './context.js';

export interface CommandStatusSource extends StatusSource {
  /** The trust list last received by sync, or null. */
  trustJson(): unknown | null;
}

export function openStatusSource(_rt: Runtime): CommandStatusSource {
  return { ...NEVER_SYNCED, trustJson: () => null };
}
