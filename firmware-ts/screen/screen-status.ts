/**
 * The status strip's facts from what the service already knows. The list is stale by the same rule
 * the scan checker uses for STATUS_LIST_STALE, so the strip and the verdicts never disagree.
 * @module
 */
import { listAge } from '../core/staleness.js';
import type { ScreenStatus } from './screen-view.js';

export interface ScreenStatusInput {
  scanner: ScreenStatus['scanner'];
  /** `iat` of the last verified status-list manifest (StatusSource.listIat()), or null. */
  listIat: number | null;
  /** The check time's seconds (the clock floor applies when the clock is unreliable). */
  nowSec: number;
  /** statusList.maxAgeHours in seconds. */
  maxAgeSec: number;
  clockReliable: boolean;
  profile: string;
  region: string;
  station: string | null;
  pendingUploads: number;
}

export function screenStatusOf(input: ScreenStatusInput): ScreenStatus {
  const age = listAge(input.listIat, input.nowSec, input.maxAgeSec);
  return {
    scanner: input.scanner,
    listAgeSec: age.ageSec,
    listStale: age.stale,
    clock: input.clockReliable ? 'ok' : 'unreliable',
    profile: input.profile,
    region: input.region,
    station: input.station,
    pendingUploads: input.pendingUploads,
  };
}
