/**
 * Configuration of the scan path: where the scanner stands and which rules it applies.
 * @module
 */
import { z } from 'zod';
import { REGION_CODE_RE } from '../region-code.js';
import { stationSharedSection } from './station-shared.js';

export const regionCode = z.string().regex(REGION_CODE_RE, 'a 6-digit region code such as "110105"');

export const scanSection = {
  device: z
    .strictObject({
      /** Stable id of this unit, recorded in the audit log. */
      id: z.string().min(1).max(64).default('roadscan-dev'),
      /** Operator (officer or clerk) id, recorded in the audit log; never a name. */
      operator: z.string().max(64).default(''),
    })
    .prefault({}),
  profile: z.enum(['roadside', 'window', 'gate']).default('roadside'),
  region: regionCode.default('110105'),
  station: z
    .strictObject({
      /** Station code printed on tickets as `frm`, e.g. "S110105001"; null when not at a station. */
      code: z.string().min(1).max(32).nullable().default(null),
      /** The station's name, shown beside its code on the screen (e.g. "北京六里桥客运主枢纽"); null for none. */
      name: z.string().min(1).max(64).nullable().default(null),
      /** Stations with face recognition skip the manual ID check (CHECK_ID). */
      faceRecognition: z.boolean().default(false),
      /**
       * Boarding window around the departure instant, in minutes; null: the policy's
       * (`boarding.beforeDepMin` 60, `.afterDepMin` 10 by default). Only a stricter value applies.
       */
      boardBeforeMin: z
        .number()
        .int()
        .min(0)
        .max(24 * 60)
        .nullable()
        .default(null),
      boardAfterMin: z
        .number()
        .int()
        .min(0)
        .max(24 * 60)
        .nullable()
        .default(null),
      /** The station's shared once-only store; null: this device alone. */
      shared: stationSharedSection,
    })
    .prefault({}),
  /** Live-code freshness; null: the policy's (skew 30 s, window 180 s by default). Only a stricter value applies. */
  presentation: z
    .strictObject({
      skewSec: z.number().int().min(0).max(3600).nullable().default(null),
      windowSec: z.number().int().min(1).max(86400).nullable().default(null),
    })
    .prefault({}),
  /** Trust list file (docs/CREDENTIALS.md section 5); null to rely on the list received by sync. */
  trustFile: z.string().min(1).nullable().default(null),
  /** Region adoption table; null for the one shipped in config/adoption.json. */
  adoptionFile: z.string().min(1).nullable().default(null),
  /** Official working-day calendar; null for the one shipped in config/calendar-cn.json. */
  calendarFile: z.string().min(1).nullable().default(null),
  /** The SQLite database (status list, sync state, audit log, boarded tickets, clock floor); null for data/roadscan.db in the package. */
  db: z.string().min(1).nullable().default(null),
};
