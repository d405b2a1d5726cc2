/**
 * The age of the status list and whether it is stale (docs/STATUS-LIST.md step 5): the age is
 * `now - iat` of the last verified manifest; a scanner that never verified one is stale, always.
 * @module
 */

export interface ListAge {
  stale: boolean;
  /** Seconds since the last verified manifest's iat; null when none was ever verified. */
  ageSec: number | null;
}

export function listAge(iat: number | null, nowSec: number, maxAgeSec: number): ListAge {
  if (iat === null) return { stale: true, ageSec: null };
  const ageSec = nowSec - iat;
  return { stale: ageSec > maxAgeSec, ageSec };
}
