/** scripts/install-pi.sh in dry-run mode (it prints every action instead of doing it). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';

const SCRIPT = join(PACKAGE_ROOT, 'scripts', 'install-pi.sh');
const run = (...args: string[]) => spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8' });

describe('scripts/install-pi.sh', () => {
  it('plans the whole install: user in dialout and gpio, package, config, udev rule, service', () => {
    const res = run('--dry-run', '--user', 'scanuser', '--prefix', '/opt/rs', '--no-start');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = res.stdout;
    expect(out).toContain('+ usermod -a -G dialout,gpio scanuser');
    // One build (npm ci runs it as `prepare`), then nothing of the build left on the device.
    expect(out).toContain("npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund && npm cache clean --force");
    expect(out).not.toContain('npm run build');
    expect(out).not.toContain('socat');
    expect(out).toContain('/opt/rs/config/default.json');
    expect(out).toContain('+ write /etc/udev/rules.d/60-roadscan.rules (mode 0644)');
    expect(out).toContain('+ write /etc/systemd/system/roadscan.service (mode 0644)');
    expect(out).toContain('+ systemctl enable roadscan.service');
    expect(out).not.toContain('--now');
  });

  it('refuses bad arguments with one line and exit status 2', () => {
    expect(run('--prefix', 'relative/path')).toMatchObject({ status: 2, stderr: 'install-pi: --prefix must be an absolute path\n' });
    expect(run('--user', 'Bad User')).toMatchObject({ status: 2, stderr: 'install-pi: bad user name: Bad User\n' });
    expect(run('--frobnicate')).toMatchObject({ status: 2, stderr: 'install-pi: unknown option --frobnicate\n' });
  });

  it('ships a unit that runs the pi hardware with the system configuration and stops on SIGTERM', () => {
    const unit = readFileSync(join(PACKAGE_ROOT, 'scripts', 'roadscan.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/roadscan\/bin\/roadscan\.js run --hal pi --config \/etc\/roadscan\/config\.json$/m);
    expect(unit).toMatch(/^SupplementaryGroups=dialout gpio$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m);
  });
});
