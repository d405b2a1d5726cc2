/**
 * Configuration of the status-list sync (docs/STATUS-LIST.md): where the list is published, how often
 * the service fetches it, how it backs off while the network is down, and how old a list may
 * get before every scan carries STATUS_LIST_STALE.
 * @module
 */
import { z } from 'zod';

export const syncSection = {
  statusList: z
    .strictObject({
      /** Base URL of the published list; null disables background sync. */
      url: z
        .string()
        .url()
        .refine((u) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(u), 'a URL carrying a user name or password is refused (it would be shown and stored in clear)')
        .nullable()
        .default(null),
      /**
       * Past this age of the last verified manifest, scans carry STATUS_LIST_STALE; null: the
       * policy's (`statusList.maxAgeHours`, 24 by default). Only a stricter value applies.
       */
      maxAgeHours: z
        .number()
        .positive()
        .max(24 * 365)
        .nullable()
        .default(null),
      /** Period of the background sync after a success. */
      periodMin: z
        .number()
        .positive()
        .max(24 * 60)
        .default(60),
      /**
       * Random spread of every wait, as a fraction (0.1: +/-10%), so a fleet that boots
       * together does not fetch together.
       */
      jitter: z.number().min(0).max(0.5).default(0.1),
      /** First retry after a failed sync; doubles on each further failure... */
      retryMinSec: z.number().positive().max(3600).default(30),
      /** ...up to this cap (never longer than the period). */
      retryMaxMin: z
        .number()
        .positive()
        .max(24 * 60)
        .default(30),
      /** A request gives up when no byte arrives for this long. */
      timeoutSec: z.number().positive().max(600).default(30),
      /**
       * A transfer bringing less than this many bytes per second over any window of
       * minRateWindowSec is cut off as too slow (docs/STATUS-LIST.md); 0 disables the floor.
       */
      minRateBytesPerSec: z
        .number()
        .int()
        .min(0)
        .max(1 << 30)
        .default(1024),
      minRateWindowSec: z.number().positive().max(3600).default(60),
    })
    .prefault({}),
};
