/**
 * What the once-only store reports between scans (a fault, a recovery, a ticket found boarded twice
 * at a handover), as events the scan path subscribes to. The store and its step are built before
 * the path that uses them; this is the channel between, so nothing is told through a closure
 * filled in later.
 * @module
 */
import type { OnceConflict } from '../station/handover-queue.js';
import type { StoreFault } from '../station/once-only-stage.js';
import { TypedEmitter } from './typed-emitter.js';

export interface OnceOnlyReportEvents {
  fault: StoreFault;
  recovered: undefined;
  conflict: OnceConflict;
}

export class OnceOnlyReports extends TypedEmitter<OnceOnlyReportEvents> {
  /** The callbacks the once-only step and the station store take (app/once-only.ts). */
  readonly handlers = {
    onStoreFault: (fault: StoreFault): void => this.emit('fault', fault),
    onStoreRecovered: (): void => this.emit('recovered', undefined),
    onConflict: (conflict: OnceConflict): void => this.emit('conflict', conflict),
  };
}
