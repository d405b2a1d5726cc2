/**
 * The station store with a NATS credentials file (station.shared.credsFile, issue 11): a real
 * nats-server in operator mode (JWT accounts, the memory resolver), its operator, account and
 * user made here with nkeys and signed as NATS JWTs. The gate's creds file connects and claims;
 * a user signed by another account is refused, said in the log, and the gate answers alone.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccount, createOperator, createUser, type KeyPair } from '@nats-io/nkeys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardedBy as rec, LoneNatsServer, onceKey as key } from '../../helpers/lone-nats.js';

let nats: LoneNatsServer;
let dir: string;

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

/** A NATS JWT (ed25519-nkey) for `sub`, issued and signed by `issuer`. */
function jwt(issuer: KeyPair, sub: string, name: string, nats: Record<string, unknown>): string {
  const claims: Record<string, unknown> = { iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey(), name, sub, nats: { ...nats, version: 2 } };
  claims.jti = createHash('sha256').update(JSON.stringify(claims)).digest('base64url');
  const head = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }))}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${b64url(issuer.sign(Buffer.from(head)))}`;
}

function credsFile(name: string, account: KeyPair): string {
  const user = createUser();
  const token = jwt(account, user.getPublicKey(), name, { type: 'user', pub: {}, sub: {}, subs: -1, data: -1, payload: -1 });
  const seed = Buffer.from(user.getSeed()).toString('utf8');
  const file = join(dir, `${name}.creds`);
  writeFileSync(
    file,
    `-----BEGIN NATS USER JWT-----\n${token}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`,
  );
  return file;
}

let account: KeyPair;
let stranger: KeyPair;

function gate(name: string, creds: string) {
  return nats.gate(name, { bucket: 'creds', credsFile: creds });
}

const until = (what: string, ok: () => boolean) => nats.until(what, ok);

beforeAll(async () => {
  nats = new LoneNatsServer('roadscan-station-creds-');
  dir = nats.dir;
  const operator = createOperator();
  const system = createAccount();
  account = createAccount();
  stranger = createAccount();
  const limits = { subs: -1, conn: -1, leaf: -1, imports: -1, exports: -1, data: -1, payload: -1, wildcards: true };
  const js = { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 };
  const accountJwt = jwt(operator, account.getPublicKey(), 'station', { type: 'account', limits: { ...limits, ...js } });
  const systemJwt = jwt(operator, system.getPublicKey(), 'SYS', { type: 'account', limits });
  const operatorJwt = jwt(operator, operator.getPublicKey(), 'roadscan-test', { type: 'operator', system_account: system.getPublicKey() });
  await nats.start('in operator mode', [
    `operator: "${operatorJwt}"`,
    `system_account: "${system.getPublicKey()}"`,
    'resolver: MEMORY',
    'resolver_preload: {',
    `  ${account.getPublicKey()}: "${accountJwt}"`,
    `  ${system.getPublicKey()}: "${systemJwt}"`,
    '}',
  ]);
}, 60_000);

afterAll(() => nats?.close());

describe('the station store with a credentials file', () => {
  it("connects with a user of the station's account, and claims", async () => {
    const { s, warnings } = gate('gate1', credsFile('gate1', account));
    await until('connected with credentials', () => s.station!.state().connected).catch((e: Error) => {
      throw new Error(`${e.message}\nwarnings: ${warnings.join('\n')}`);
    });
    expect(await s.store.claim(key(1), rec('gate1', 1_800_000_001), 1_900_000_000)).toEqual({ result: 'claimed', offline: false });
    expect(await s.store.claim(key(1), rec('gate1', 1_800_000_002), 1_900_000_000)).toMatchObject({ result: 'taken', offline: false });
  }, 30_000);

  it('is refused with a user of an account the station does not know, says why, and answers alone', async () => {
    const { s, warnings } = gate('gate2', credsFile('gate2', stranger));
    await until('the refusal in the log', () => warnings.some((w) => w.includes('station store not reachable')));
    expect(warnings.find((w) => w.includes('station store not reachable'))).toMatch(/authoriz|auth/i);
    expect(s.station!.state().connected).toBe(false);
    expect(await s.store.claim(key(2), rec('gate2', 1_800_000_010), 1_900_000_000)).toEqual({ result: 'claimed', offline: true });
  }, 30_000);
});
