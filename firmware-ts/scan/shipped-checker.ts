/**
 * A `ScanChecker` over the data shipped in config/ (adoption table, calendar) with default
 * station rules: what the simulator, benchmarks and fuzzers check against.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Profile } from '../config/schema.js';
import { packagedConfigFile } from '../paths.js';
import { RegionAdoption } from '../policy/region-adoption.js';
import { WorkingDayCalendar } from '../policy/working-day-calendar.js';
import { NEVER_SYNCED, type StatusSource } from '../status/status-source.js';
import { parseTrustList } from '../verify/trust-list.js';
import { ScanChecker } from './scan-checker.js';

export interface ShippedCheckerOptions {
  trust: unknown;
  profile?: Profile;
  region?: string;
  station?: string | null;
  status?: StatusSource;
}

export function shippedChecker(opts: ShippedCheckerOptions): ScanChecker {
  const read = (f: string) => JSON.parse(readFileSync(packagedConfigFile(f), 'utf8'));
  return new ScanChecker({
    trust: parseTrustList(opts.trust),
    status: opts.status ?? NEVER_SYNCED,
    rules: {
      profile: opts.profile ?? 'roadside',
      region: opts.region ?? '110105',
      station: opts.station ?? null,
      faceRecognition: false,
      boardBeforeSec: 3600,
      boardAfterSec: 600,
      adoption: RegionAdoption.fromJson(read('adoption.json')),
      calendar: WorkingDayCalendar.fromJson(read('calendar-cn.json')),
    },
    presentation: { skewSec: 30, windowSec: 180 },
    statusMaxAgeSec: 86400,
  });
}
