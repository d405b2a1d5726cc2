/**
 * The rules data on `/healthz` and in `/metrics`: versions and sources, and from 1 November
 * (CST) the next-year warning and `roadscan_calendar_next_year_missing`, through a real
 * HealthServer on 127.0.0.1 and prom-client.
 * @module
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from '../../../firmware-ts/health/health-server.js';
import { healthRules } from '../../../firmware-ts/health/health-rules.js';
import { ScanMetrics } from '../../../firmware-ts/health/scan-metrics.js';
import { packagedConfigFile } from '../../../firmware-ts/paths.js';
import { calendarCoverage } from '../../../firmware-ts/rules/calendar-coverage.js';
import { parseRulesData } from '../../../firmware-ts/rules/rules-data.js';
import { rulesInForce } from '../../../firmware-ts/rules/rules-in-force.js';

const shipped = (f: string) => JSON.parse(readFileSync(packagedConfigFile(f), 'utf8'));
const inForce = rulesInForce(
  {
    calendar: parseRulesData('calendar-cn', shipped('calendar-cn.json')),
    adoption: parseRulesData('adoption', shipped('adoption.json')),
    policy: parseRulesData('policy', shipped('policy.json')),
  },
  { calendar: null, adoption: parseRulesData('adoption', { version: 4, types: {} }), policy: null },
);

let server: HealthServer | null = null;
afterEach(async () => server?.stop());

async function serve(nowSec: number): Promise<{ health: Record<string, unknown>; metrics: string }> {
  const metrics = new ScanMetrics({ processMetrics: false });
  metrics.watchCalendar(() => calendarCoverage(inForce.calendar.years, nowSec).nextYearMissing);
  server = new HealthServer({
    port: 0,
    metrics,
    state: () => ({
      scanner: 'open',
      list: { seq: 1, entries: 0, ageSec: 10, stale: false },
      clock: { state: 'ok', floor: new Date(0).toISOString() },
      rules: healthRules(inForce, calendarCoverage(inForce.calendar.years, nowSec)),
      lastScan: null,
    }),
  });
  const { port } = await server.start();
  const get = (p: string) => fetch(`http://127.0.0.1:${port}${p}`).then((r) => r.text());
  return { health: JSON.parse(await get('/healthz')), metrics: await get('/metrics') };
}

describe('rules data on /healthz and /metrics', () => {
  it('in October: versions and sources, no warning, the gauge at 0', async () => {
    const { health, metrics } = await serve(Date.parse('2026-10-31T15:59:00Z') / 1000);
    expect(health).toMatchObject({
      status: 'ok',
      warnings: [],
      rules: { 'calendar-cn': { version: 1, source: 'configured' }, adoption: { version: 4, source: 'synced' } },
    });
    expect(metrics).toMatch(/^roadscan_calendar_next_year_missing 0$/m);
  });

  it('from 1 November CST without next year: a warning (still ok) and the gauge at 1', async () => {
    const { health, metrics } = await serve(Date.parse('2026-10-31T16:00:00Z') / 1000);
    expect(health.status).toBe('ok');
    expect(health.warnings).toEqual([expect.stringMatching(/no schedule for 2027/)]);
    expect(metrics).toMatch(/^roadscan_calendar_next_year_missing 1$/m);
  });
});
