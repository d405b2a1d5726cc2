/**
 * Configuration of the operator screen: the local page that `roadscan run` serves to the kiosk
 * browser. It listens on the loopback address by default, because the page shows personal
 * fields of the person being checked and nobody else on the network should see them.
 * @module
 */
import { z } from 'zod';

export const screenSection = {
  screen: z
    .strictObject({
      /** Serve the operator page at all (a headless unit with LEDs only may turn it off). */
      enabled: z.boolean().default(true),
      /** Address to listen on; keep the loopback address unless a second display needs the page. */
      host: z.string().min(1).max(253).default('127.0.0.1'),
      /** TCP port of the page; 0 picks a free port (tests). */
      port: z.number().int().min(0).max(65535).default(8480),
      /** Language of every text on the page. */
      lang: z.enum(['zh', 'en']).default('zh'),
      /** Seconds after which the personal fields of the current scan disappear from the page. */
      clearAfterSec: z.number().int().min(1).max(3600).default(30),
      /** How many earlier scans the page lists (verdict, type and time only). */
      history: z.number().int().min(0).max(10).default(3),
      /**
       * File the per-boot kiosk secret is written to, readable only by the kiosk user (0600, or 0640
       * when `kioskSecretGroup`); scripts/deploy/kiosk.sh reads it. Default: `kiosk-secret` beside the database.
       */
      kioskSecretFile: z.string().min(1).max(4096).optional(),
      /** Write the secret 0640 (the folder's group is the kiosk user's group) instead of 0600. */
      kioskSecretGroup: z.boolean().default(false),
    })
    .prefault({}),
};
