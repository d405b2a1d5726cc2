/**
 * The clock floor as the configuration (`clock` section) sets it up, so every command and the
 * service build it the same way.
 * @module
 */
import type { Db } from '../store/database.js';
import { ClockFloor } from './clock-floor.js';

/** The `clock` section of the configuration. */
export interface ClockConfig {
  toleranceSec: number;
  maxAheadDays: number;
  scanLeadHours: number;
}

export function clockFloorFromConfig(db: Db, clock: ClockConfig): ClockFloor {
  return new ClockFloor(db, {
    toleranceSec: clock.toleranceSec,
    maxAheadSec: clock.maxAheadDays * 86400,
    scanLeadSec: clock.scanLeadHours * 3600,
  });
}
