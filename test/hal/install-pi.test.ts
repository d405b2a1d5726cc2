/**
 * scripts/deploy/install-pi.sh in dry-run mode (it prints every action instead of doing it), and the
 * station store member's nats-server configuration it installs, checked by nats-server itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld, type DemoWorld } from '../../sim/scenarios/demo.js';
import { Nginx } from '../helpers/nginx.js';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';

const SCRIPT = join(PACKAGE_ROOT, 'scripts', 'deploy', 'install-pi.sh');
const run = (...args: string[]) => spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8' });
/**
 * The anchor and the URL every install needs. Even a dry run checks them for real (the anchor, the
 * URL and one full sync into a scratch database, before anything is done), so they are a test
 * authority's trust list and its publication served by nginx on 127.0.0.1.
 */
let ANCHOR = '';
let URL = '';
let world: DemoWorld;
let nginx: Nginx;
const provisioned = () => ['--trust', ANCHOR, '--status-url', URL];
beforeAll(async () => {
  world = createDemoWorld(join(mkdtempSync(join(tmpdir(), 'roadscan-install-plan-')), 'authority'), Math.floor(Date.now() / 1000));
  nginx = await Nginx.start(world.publishedDir);
  ANCHOR = world.trustFile;
  URL = nginx.url;
});
afterAll(async () => {
  await nginx?.stop();
  if (world) rmSync(join(world.dir, '..'), { recursive: true, force: true });
});

/** A station's key material as scripts/deploy/station-keys.sh makes it once (members gate1..3, a window). */
let keysDir = '';
function stationKeys(): string {
  if (keysDir) return keysDir;
  keysDir = join(mkdtempSync(join(tmpdir(), 'roadscan-station-keys-')), 'keys');
  const made = spawnSync(
    'bash',
    [
      join(PACKAGE_ROOT, 'scripts', 'deploy', 'station-keys.sh'),
      '--out',
      keysDir,
      '--station',
      'station-7',
      '--member',
      'gate1=10.0.0.11',
      '--member',
      'gate2=10.0.0.12',
      '--member',
      'gate3=10.0.0.13',
      '--device',
      'win1',
      '--days',
      '2',
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(made.stderr);
  return keysDir;
}
afterAll(() => {
  if (keysDir) rmSync(join(keysDir, '..'), { recursive: true, force: true });
});

describe('scripts/deploy/install-pi.sh', () => {
  it('plans the whole install: user in dialout and gpio, package, config, udev rule, service', () => {
    const res = run('--dry-run', ...provisioned(), '--user', 'scanuser', '--prefix', '/opt/rs', '--no-start');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = res.stdout;
    expect(out).toContain('+ usermod -a -G dialout,gpio scanuser');
    // One build (npm ci runs it as `prepare`), then nothing of the build left on the device.
    expect(out).toContain('npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund && npm cache clean --force');
    expect(out).not.toContain('npm run build');
    expect(out).not.toContain('socat');
    expect(out).toContain('/opt/rs/config/default.json');
    expect(out).toContain('+ write /etc/udev/rules.d/60-roadscan.rules (mode 0644)');
    expect(out).toContain('+ write /etc/systemd/system/roadscan.service (mode 0644)');
    expect(out).toContain('+ systemctl enable roadscan.service');
    expect(out).not.toContain('--now');
    // Fresh package lists first; the anchor and URL provisioned before the unit is enabled.
    // The anchor and the URL checked before anything at all is done (provisioning is a transaction).
    expect(out.split('\n').find((l) => l.startsWith('+ '))).toBe('+ env DEBIAN_FRONTEND=noninteractive apt-get update');
    expect(out.indexOf('checking the trust anchor and the status list before installing anything')).toBeGreaterThan(-1);
    expect(out.indexOf('checking the trust anchor')).toBeLessThan(out.indexOf('+ env DEBIAN_FRONTEND=noninteractive apt-get update'));
    const provision = out.indexOf(`provision --config /etc/roadscan/config.json --trust ${ANCHOR} --status-url ${URL} --wait 0`);
    expect(provision).toBeGreaterThan(0);
    expect(provision).toBeLessThan(out.indexOf('+ systemctl enable roadscan.service'));
    expect(out).toContain('NOT started (--no-start)');
    expect(out).not.toContain('done: scanning');
  });

  it('with the unit started, says done only after /healthz says it scans', () => {
    const out = run('--dry-run', ...provisioned()).stdout;
    const started = out.indexOf('+ systemctl enable --now roadscan.service');
    const check = out.indexOf('+ node /opt/roadscan/bin/roadscan.js provision --check --config /etc/roadscan/config.json --wait 60');
    expect(started).toBeGreaterThan(0);
    expect(check).toBeGreaterThan(started);
    expect(out.indexOf('install-pi: done: scanning')).toBeGreaterThan(check);
  });

  it('refuses bad arguments with one line and exit status 2', () => {
    expect(run('--prefix', 'relative/path')).toMatchObject({ status: 2, stderr: 'install-pi: --prefix must be an absolute path\n' });
    expect(run('--user', 'Bad User')).toMatchObject({ status: 2, stderr: 'install-pi: bad user name: Bad User\n' });
    expect(run('--frobnicate')).toMatchObject({ status: 2, stderr: 'install-pi: unknown option --frobnicate\n' });
    expect(run('--dry-run', '--status-url', 'https://s/')).toMatchObject({
      status: 2,
      stderr: "install-pi: no trust anchor: give --trust FILE (the authority's trust list, JSON); nothing installed\n",
    });
    expect(run('--dry-run', '--trust', '/nonexistent/trust.json', '--status-url', 'https://s/').status).toBe(2);
    expect(run('--dry-run', '--trust', ANCHOR, '--status-url', 'ftp://s/').status).toBe(2);
  });

  it('ships a unit that runs the pi hardware with the system configuration and stops on SIGTERM', () => {
    const unit = readFileSync(join(PACKAGE_ROOT, 'scripts', 'deploy', 'roadscan.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/roadscan\/bin\/roadscan\.js run --hal pi --config \/etc\/roadscan\/config\.json$/m);
    expect(unit).toMatch(/^SupplementaryGroups=dialout gpio$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m);
  });

  it('--station-cluster plans nats-server with JetStream, its unit, and station.shared naming every member', () => {
    const keys = ['--station-keys', stationKeys(), '--station-name', 'station-7'];
    const res = run(
      '--dry-run',
      ...provisioned(),
      '--no-start',
      '--station-cluster',
      '--node-name',
      'gate1',
      '--node-ip',
      '10.0.0.11',
      '--peers',
      '10.0.0.12,10.0.0.13',
      ...keys,
    );
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const out = res.stdout;
    expect(out).toContain('apt-get install -y --no-install-recommends nats-server');
    expect(out).toContain('+ systemctl disable --now nats-server.service');
    expect(out).toContain('+ write /etc/roadscan/nats-station.conf (mode 0644)');
    expect(out).toContain('+ nats-server --config /etc/roadscan/nats-station.conf -t');
    expect(out).toContain('+ write /etc/systemd/system/roadscan-nats.service (mode 0644)');
    expect(out).toContain('+ systemctl enable roadscan-nats.service');
    expect(out).toContain('10.0.0.11:4222,10.0.0.12:4222,10.0.0.13:4222');
    // Its own member key for nats-server, its own device key for roadscan, both 0600.
    expect(out).toContain(`+ install -m 0600 -o nats -g nats ${stationKeys()}/members/gate1.key /etc/roadscan/station/member.key`);
    expect(out).toContain(`+ install -m 0600 -o roadscan -g roadscan ${stationKeys()}/devices/gate1.key /etc/roadscan/station/device.key`);
    expect(out).not.toContain('ca.key');
    // The store is set before the appliance's unit is enabled, so its first start already shares.
    expect(out.indexOf('station.shared.servers')).toBeLessThan(out.indexOf('+ systemctl enable roadscan.service'));
    expect(run('--dry-run', ...provisioned()).stdout).not.toContain('nats-server');
  });

  it('--station-cluster refuses to install an open station: no keys, or keys of another station or without this member', () => {
    const base = ['--dry-run', ...provisioned(), '--station-cluster', '--node-name', 'gate1', '--node-ip', '10.0.0.11', '--peers', '10.0.0.12'];
    expect(run(...base, '--station-name', 'station-7')).toMatchObject({
      status: 2,
      stderr: 'install-pi: --station-cluster needs --station-keys DIR (made once per station by scripts/deploy/station-keys.sh); nothing installed\n',
    });
    expect(run(...base, '--station-keys', stationKeys(), '--station-name', 'station-8').stderr).toBe(
      `install-pi: --station-keys ${stationKeys()} are station station-7's, not station-8's; nothing installed\n`,
    );
    expect(
      run(
        '--dry-run',
        ...provisioned(),
        '--station-cluster',
        '--node-name',
        'gate9',
        '--node-ip',
        '10.0.0.19',
        '--peers',
        '10.0.0.12',
        '--station-keys',
        stationKeys(),
        '--station-name',
        'station-7',
      ),
    ).toMatchObject({ status: 2 });
  });

  it("--station-cluster refuses to guess a member's name, address or peers", () => {
    expect(run('--dry-run', ...provisioned(), '--station-cluster', '--node-ip', '10.0.0.11', '--peers', '10.0.0.12')).toMatchObject({ status: 2 });
    expect(run('--dry-run', ...provisioned(), '--station-cluster', '--node-name', 'g1', '--peers', '10.0.0.12')).toMatchObject({ status: 2 });
    expect(run('--dry-run', ...provisioned(), '--station-cluster', '--node-name', 'g1', '--node-ip', '10.0.0.11')).toMatchObject({ status: 2 });
    expect(run('--dry-run', ...provisioned(), '--station-cluster', '--node-name', 'g1', '--node-ip', '10.0.0.11;reboot', '--peers', '10.0.0.12').stderr).toBe(
      'install-pi: --station-cluster needs --node-ip (an IP address)\n',
    );
  });

  it('renders a member configuration that nats-server accepts: JetStream store, cluster name, routes to the peers, closed', () => {
    // The member's TLS folder as the installer fills it.
    const tlsDir = mkdtempSync(join(tmpdir(), 'roadscan-natstls-'));
    writeFileSync(join(tlsDir, 'ca.pem'), readFileSync(join(stationKeys(), 'ca.pem')));
    writeFileSync(join(tlsDir, 'member.pem'), readFileSync(join(stationKeys(), 'members', 'gate1.pem')));
    writeFileSync(join(tlsDir, 'member.key'), readFileSync(join(stationKeys(), 'members', 'gate1.key')));
    const res = spawnSync(
      'bash',
      [
        join(PACKAGE_ROOT, 'scripts', 'deploy', 'nats-station-conf.sh'),
        'gate1',
        '10.0.0.11',
        '10.0.0.12,10.0.0.13',
        'station-7',
        '/var/lib/roadscan-nats/jetstream',
        tlsDir,
        'roadscan-once',
        'gate1,gate2,win1',
      ],
      { encoding: 'utf8' },
    );
    expect(res.status).toBe(0);
    const conf = res.stdout;
    expect(conf).toMatch(/^server_name: "gate1"$/m);
    expect(conf).toMatch(/^listen: "10\.0\.0\.11:4222"$/m);
    expect(conf).toMatch(/^ {2}store_dir: "\/var\/lib\/roadscan-nats\/jetstream"$/m);
    expect(conf).toMatch(/^ {2}name: "station-7"$/m);
    expect(conf).toContain('"nats-route://10.0.0.12:6222"\n    "nats-route://10.0.0.13:6222"');
    expect(conf).not.toContain('@');
    // Closed: TLS with client certificates mapped to users on clients, TLS both ways on routes,
    // each device allowed only the bucket's subjects and its stream's API.
    expect(conf).toContain('verify_and_map: true');
    expect(conf).toMatch(/cluster \{[\s\S]*tls \{[\s\S]*verify: true/);
    expect(conf).toContain('{ user: "CN=win1,OU=device,O=roadscan station station-7", permissions: $DEVICE }');
    expect(conf).toContain('"$KV.roadscan-once.>"');
    expect(conf).not.toMatch(/STREAM\.(UPDATE|DELETE|PURGE)/);
    const dir = mkdtempSync(join(tmpdir(), 'roadscan-natsconf-'));
    try {
      writeFileSync(join(dir, 'n.conf'), conf);
      const check = spawnSync('nats-server', ['-t', '-c', join(dir, 'n.conf')], { encoding: 'utf8' });
      expect(check.stderr + check.stdout).toContain('is valid');
      expect(check.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(tlsDir, { recursive: true, force: true });
    }
  });

  it('ships a nats-server unit that runs the station configuration and stops gently', () => {
    const unit = readFileSync(join(PACKAGE_ROOT, 'scripts', 'deploy', 'roadscan-nats.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/sbin\/nats-server --config \/etc\/roadscan\/nats-station\.conf$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^Before=roadscan\.service$/m);
  });
});
