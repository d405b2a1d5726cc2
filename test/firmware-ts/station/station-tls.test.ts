/**
 * The station store over TLS (station.shared.tls, issue 11): a real nats-server with JetStream
 * that asks every client for a certificate (`verify: true`), certificates made here by `openssl`
 * (a CA, the server's for 127.0.0.1, a gate's client certificate). With the station's CA and its
 * own certificate a gate connects and claims; with another CA it refuses the server and says
 * why in its log, and answers alone (STATION_OFFLINE) instead of waiting or trusting it; without a
 * client certificate the server refuses the gate.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStationIdentity } from '../../../firmware-ts/station/nats-station-bucket.js';
import { boardedBy as rec, LoneNatsServer, onceKey as key } from '../../helpers/lone-nats.js';

let nats: LoneNatsServer;
let dir: string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, and a certificate it signs for `cn` with these extensions. */
function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  );
}
function makeCert(name: string, ca: string, cn: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  );
}

function gate(name: string, tls: { caFile: string | null; certFile: string | null; keyFile: string | null }) {
  return nats.gate(name, { bucket: 'tls', tls });
}

beforeAll(async () => {
  nats = new LoneNatsServer('roadscan-station-tls-');
  dir = nats.dir;
  makeCa('ca');
  makeCa('other-ca');
  makeCert('server', 'ca', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeCert('gate', 'ca', 'gate1', 'extendedKeyUsage=clientAuth\n');
  await nats.start(
    'with TLS',
    [
      'tls {',
      `  cert_file: "${join(dir, 'server.pem')}"`,
      `  key_file: "${join(dir, 'server.key')}"`,
      `  ca_file: "${join(dir, 'ca.pem')}"`,
      '  verify: true',
      '  timeout: 2',
      '}',
    ],
    '?js-enabled-only=true',
  );
}, 60_000);

afterAll(() => nats?.close());

const until = (what: string, ok: () => boolean) => nats.until(what, ok);

describe('the station store over TLS', () => {
  it("connects with the station's CA and its own client certificate, and claims", async () => {
    const { s, warnings } = gate('gate1', { caFile: 'ca.pem', certFile: 'gate.pem', keyFile: 'gate.key' });
    await until('connected over TLS', () => s.station!.state().connected).catch((e: Error) => {
      throw new Error(`${e.message}\nwarnings: ${warnings.join('\n')}`);
    });
    expect(await s.store.claim(key(1), rec('gate1', 1_800_000_001), 1_900_000_000)).toEqual({ result: 'claimed', offline: false });
    expect(await s.store.claim(key(1), rec('gate1', 1_800_000_002), 1_900_000_000)).toMatchObject({ result: 'taken', offline: false });
  }, 30_000);

  it('refuses a server its CA did not sign, says why, and answers alone', async () => {
    const { s, warnings } = gate('gate2', { caFile: 'other-ca.pem', certFile: 'gate.pem', keyFile: 'gate.key' });
    await until('the refusal in the log', () => warnings.some((w) => w.includes('station store not reachable')));
    const why = warnings.find((w) => w.includes('station store not reachable'))!;
    expect(why).toMatch(/certificate|self[- ]signed|verify/i);
    expect(s.station!.state().connected).toBe(false);
    expect(await s.store.claim(key(2), rec('gate2', 1_800_000_010), 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
  }, 30_000);

  it('is refused by the server without a client certificate', async () => {
    const { s, warnings } = gate('gate3', { caFile: 'ca.pem', certFile: null, keyFile: null });
    await until('a failed connection in the log', () => warnings.some((w) => w.includes('station store not reachable')));
    // Never connected, so every claim is this device's own, and says so.
    expect(s.station!.state().connected).toBe(false);
    expect(await s.store.claim(key(3), rec('gate3', 1_800_000_020), 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
  }, 30_000);

  it("accepts a certificate only for one of the station's own servers when the client cannot name the host", () => {
    const cert = new X509Certificate(readFileSync(join(dir, 'server.pem'))).toLegacyObject();
    // The client names no host for an IP address; Node then checks against "localhost".
    expect(checkStationIdentity('localhost', cert, ['127.0.0.1:4222', 'nats://10.0.0.2:4222'])).toBeUndefined();
    const refused = checkStationIdentity('localhost', cert, ['10.0.0.2:4222', '[::1]:4222']);
    expect(refused).toBeInstanceOf(Error);
    expect(refused!.message).toMatch(/localhost/);
  });
});
