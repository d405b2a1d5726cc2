/**
 * scripts/deploy/install-kiosk.sh into a scratch root (`--root`): the kiosk secret's folder is made the
 * systemd way (a tmpfiles.d entry, applied by the real systemd-tmpfiles against the root's own
 * users and groups), setgid 2750 service-user:kiosk-group; the configuration points the service
 * there; the service may write there. Then the secret as the service writes it takes the kiosk
 * group: the kiosk user reads it, another user does not (real processes under setpriv).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../firmware-ts/paths.js';
import { newKioskSecret, writeKioskSecret } from '../../firmware-ts/screen/kiosk-secret.js';

const SCRIPT = join(PACKAGE_ROOT, 'scripts', 'deploy', 'install-kiosk.sh');
const SERVICE_UID = 4243;
const KIOSK_UID = 4244;
const KIOSK_GID = 4245;
const STRANGER_UID = 4246;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-install-kiosk-'));
  // Other users must reach the root's folders, as on a real machine.
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A scratch root as install-pi.sh leaves it: its configuration, and the users that exist there. */
function scratchRoot(name: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'etc', 'roadscan'), { recursive: true, mode: 0o755 });
  writeFileSync(
    join(root, 'etc', 'roadscan', 'config.json'),
    `${JSON.stringify({ db: join(root, 'var/lib/roadscan/roadscan.db'), screen: { port: 8480 } }, null, 2)}\n`,
    { mode: 0o644 },
  );
  writeFileSync(
    join(root, 'etc', 'passwd'),
    `root:x:0:0::/root:/bin/sh\nroadscan:x:${SERVICE_UID}:${SERVICE_UID}::/:/usr/sbin/nologin\nkiosk:x:${KIOSK_UID}:${KIOSK_UID}::/:/usr/sbin/nologin\n`,
  );
  writeFileSync(join(root, 'etc', 'group'), `root:x:0:\nroadscan:x:${SERVICE_UID}:\nkiosk:x:${KIOSK_UID}:\nroadscan-kiosk:x:${KIOSK_GID}:kiosk\n`);
  return root;
}

const install = (...args: string[]) => spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 });
const asUser = (uid: number, groups: string, file: string) =>
  spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, groups ? `--groups=${groups}` : '--clear-groups', '--', 'cat', file], { encoding: 'utf8' });

describe('scripts/deploy/install-kiosk.sh --root', () => {
  it('makes /run/roadscan 2750 roadscan:roadscan-kiosk by tmpfiles.d, points screen.kioskSecretFile there, and the secret there is the kiosk group`s only', () => {
    const root = scratchRoot('ok');
    const res = install('--root', root, '--user', 'kiosk');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('install-kiosk: kiosk secret folder /run/roadscan: mode 2750, owner roadscan, group roadscan-kiosk (the kiosk user kiosk is in it)');
    expect(res.stdout).toContain(`install-kiosk: test root ${root}: apt-get install skipped`);
    expect(res.stdout).toContain('systemctl is not usable under a test root: roadscan-kiosk.service not enabled');
    // The tmpfiles.d entry (the boot makes the folder from it) and the folder it made now.
    expect(readFileSync(join(root, 'etc/tmpfiles.d/roadscan-kiosk.conf'), 'utf8')).toMatch(/^d \/run\/roadscan 2750 roadscan roadscan-kiosk -$/m);
    const folder = statSync(join(root, 'run/roadscan'));
    expect(folder.isDirectory()).toBe(true);
    expect(folder.mode & 0o7777).toBe(0o2750);
    expect(folder.uid).toBe(SERVICE_UID);
    expect(folder.gid).toBe(KIOSK_GID);
    // The configuration, still valid for roadscan (the installer checked it), now names the folder.
    const secretFile = join(root, 'run/roadscan/kiosk-secret');
    const config = JSON.parse(readFileSync(join(root, 'etc/roadscan/config.json'), 'utf8'));
    expect(config.screen).toEqual({ port: 8480, kioskSecretFile: secretFile, kioskSecretGroup: true });
    expect(statSync(join(root, 'etc/roadscan/config.json')).mode & 0o777).toBe(0o644);
    // The hardened service may write there; the kiosk unit runs as the kiosk user.
    expect(readFileSync(join(root, 'etc/systemd/system/roadscan.service.d/kiosk-secret.conf'), 'utf8')).toMatch(
      new RegExp(`^ReadWritePaths=-${join(root, 'run/roadscan')}$`, 'm'),
    );
    expect(readFileSync(join(root, 'etc/systemd/system/roadscan-kiosk.service'), 'utf8')).toMatch(/^User=kiosk$/m);

    // The secret as the service writes it (kioskSecretGroup): 0640, the folder's group.
    const secret = newKioskSecret();
    writeKioskSecret(secretFile, secret, config.screen.kioskSecretGroup);
    const file = statSync(secretFile);
    expect(file.mode & 0o777).toBe(0o640);
    expect(file.gid).toBe(KIOSK_GID);
    const kiosk = asUser(KIOSK_UID, String(KIOSK_GID), secretFile);
    expect(kiosk.stdout).toBe(`${secret}\n`);
    const stranger = asUser(STRANGER_UID, '', secretFile);
    expect(stranger.status).not.toBe(0);
    expect(stranger.stderr).toContain('Permission denied');
    expect(stranger.stdout).toBe('');
  });

  it('refuses without an installed configuration, and a bad group name, doing nothing', () => {
    const root = join(dir, 'bare');
    mkdirSync(root);
    const res = install('--root', root);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`install-kiosk: no ${root}/etc/roadscan/config.json: install roadscan first (scripts/deploy/install-pi.sh); nothing installed\n`);
    const bad = install('--root', scratchRoot('bad'), '--group', 'kiosk;rm');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('install-kiosk: bad user or group name: kiosk;rm\n');
  });

  it('--dry-run says each step and does none', () => {
    const root = scratchRoot('dry');
    const before = readFileSync(join(root, 'etc/roadscan/config.json'), 'utf8');
    const res = install('--root', root, '--dry-run');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain(`+ write ${root}/etc/tmpfiles.d/roadscan-kiosk.conf (mode 0644)`);
    expect(res.stdout).toContain(`+ systemd-tmpfiles --create --root=${root} ${root}/etc/tmpfiles.d/roadscan-kiosk.conf`);
    expect(readFileSync(join(root, 'etc/roadscan/config.json'), 'utf8')).toBe(before);
    expect(() => statSync(join(root, 'run'))).toThrow();
  });
});
