/**
 * scripts/deploy/roadscan.service as systemd itself reads it: `systemd-analyze security --offline=yes`
 * must rate its exposure 2.5 or lower, and the unit must be supervised (Type=notify with a
 * watchdog) and start without waiting for a network the appliance does not need.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';

const UNIT = join(PACKAGE_ROOT, 'scripts', 'deploy', 'roadscan.service');

describe('scripts/deploy/roadscan.service', () => {
  it('rates 2.5 or lower in systemd-analyze security', () => {
    const res = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', UNIT], { encoding: 'utf8' });
    expect(res.error, 'systemd-analyze is needed (apt-get install systemd)').toBeUndefined();
    const m = /Overall exposure level for roadscan\.service: (\d+\.\d+)/.exec(res.stdout);
    expect(m, res.stdout + res.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.5);
  });

  it('is supervised by a watchdog and starts without waiting for a network', () => {
    const unit = readFileSync(UNIT, 'utf8');
    expect(unit).toMatch(/^Type=notify$/m);
    expect(unit).toMatch(/^WatchdogSec=\d+$/m);
    expect(unit).toMatch(/^NotifyAccess=all$/m);
    expect(unit).not.toMatch(/^[^#]*network-online\.target/m);
    expect(unit).toMatch(/^DevicePolicy=closed$/m);
    expect(unit).toMatch(/^CapabilityBoundingSet=$/m);
  });
});
