/**
 * Configuration of the status-list sync (STATUS-LIST.md).
 * @module
 */
import { z } from 'zod';

export const syncSection = {
  statusList: z
    .strictObject({
      /** Base URL of the published list; null disables background sync. */
      url: z.string().url().nullable().default(null),
      /** Past this age of the last verified manifest, scans carry STATUS_LIST_STALE. */
      maxAgeHours: z.number().positive().max(24 * 365).default(24),
      periodMin: z.number().positive().max(24 * 60).default(60),
    })
    .prefault({}),
};
