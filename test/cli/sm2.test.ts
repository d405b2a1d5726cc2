/**
 * SM2 with SM3 through the command line, as an operator meets it: an SM2 test authority (`roadscan
 * sim init --alg SM2`), its codes through `roadscan verify` (accepted; each refusal: bad issuer
 * signature, bad holder signature, an alg that is not the key's, a trust list with a point off the
 * curve refused in one line), and `roadscan sync` from the simulator's publisher on 127.0.0.1: the
 * manifest signed by the SM2 SL key syncs, a revoked SM2 credential is then REVOKED, a
 * well-signed trust list carrying a point off the curve refuses the whole sync in one line, and
 * an SM2 root rotation is taken.
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offCurveEntry } from '../../sim/authority/trust-list-json.js';
import { StatusServer } from '../../sim/status/status-server.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
let server: StatusServer;
const auth = () => join(dir, 'authority');
const trustFile = () => join(auth(), 'trust.json');
const db = () => join(dir, 'scanner.db');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-sm2-cli-'));
  server = await StatusServer.start(join(dir, 'www'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const issue = async (...args: string[]) => {
  const r = await runCli(['sim', 'issue', '--dir', auth(), '--json', ...args]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { text: string; statusKey: string };
};
const verify = async (text: string, trust = trustFile(), profile = 'roadside') => {
  const r = await runCli(['verify', '--json', '--trust', trust, '--db', db(), '--profile', profile, '--region', '110105', text]);
  return { ...r, answer: r.stdout ? (JSON.parse(r.stdout) as { verdict: string; reasons: string[] }) : null };
};
const publish = (...args: string[]) => runCli(['sim', 'publish-status', '--dir', auth(), '--out', join(dir, 'www'), '--json', ...args]);
const sync = async () => JSON.parse((await runCli(['sync', '--url', server.url, '--json', '--db', db(), '--trust', trustFile()])).stdout);

describe('roadscan with an SM2 authority', () => {
  it('sim init --alg SM2: every key of the list and of the root is an SM2 point', async () => {
    expect((await runCli(['sim', 'init', auth(), '--alg', 'SM2'])).code).toBe(0);
    const trust = JSON.parse(readFileSync(trustFile(), 'utf8'));
    for (const k of [...trust.issuers, ...trust.root.keys]) {
      expect(k.alg).toBe('SM2');
      expect(Buffer.from(k.key, 'base64url')).toHaveLength(65);
    }
  });

  it('verify: an SM2 live licence is accepted but for the list never synced', async () => {
    const r = await verify((await issue('--type', 'DL')).text);
    expect(r.answer).toMatchObject({ verdict: 'warn', reasons: ['STATUS_LIST_STALE'] });
  });

  it.each([
    ['issuer-signature', 'BAD_SIGNATURE'],
    ['holder-signature', 'BAD_HOLDER_SIGNATURE'],
    ['alg-mismatch', 'BAD_SIGNATURE'],
    ['holder-alg-mismatch', 'BAD_HOLDER_SIGNATURE'],
  ])('verify refuses --flaw %s: %s', async (flaw, reason) => {
    const r = await verify((await issue('--type', 'DL', '--flaw', flaw)).text);
    expect(r.code).toBe(1);
    expect(r.answer).toMatchObject({ verdict: 'reject', reasons: [reason, 'STATUS_LIST_STALE'] });
  });

  it('verify takes an Ed25519 holder under the SM2 issuer', async () => {
    const r = await verify((await issue('--type', 'VR', '--holder-alg', 'EdDSA')).text, trustFile(), 'window');
    expect(r.answer).toMatchObject({ verdict: 'warn', reasons: ['STATUS_LIST_STALE'] });
  });

  it('verify refuses a trust list with a point off the curve, in one line, exit 2', async () => {
    const trust = JSON.parse(readFileSync(trustFile(), 'utf8'));
    trust.issuers[0] = offCurveEntry(trust.issuers[0]);
    const bad = join(dir, 'off-curve.json');
    writeFileSync(bad, JSON.stringify(trust));
    const r = await verify((await issue('--type', 'DL')).text, bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/trust list: .*not a valid SM2 key/);
  });

  it('sync: the manifest signed by the SM2 SL key syncs; a revoked SM2 credential is then REVOKED', async () => {
    const code = await issue('--type', 'DL');
    expect((await publish()).code).toBe(0);
    expect(await sync()).toMatchObject({ ok: true, seq: 1 });
    expect((await verify(code.text)).answer).toMatchObject({ verdict: 'accept', reasons: [] });
    expect((await publish('--set', `${code.statusKey}=1`)).code).toBe(0);
    expect(await sync()).toMatchObject({ ok: true, seq: 2 });
    const r = await verify(code.text);
    expect(r.code).toBe(1);
    expect(r.answer).toMatchObject({ verdict: 'reject', reasons: ['REVOKED'] });
  });

  it('sync refuses a forged SM2 manifest, and a root-signed trust list with a point off the curve, each in one line', async () => {
    expect((await publish('--forge', 'bad-signature')).code).toBe(0);
    const forged = await sync();
    expect(forged.ok).toBe(false);
    expect(forged.error).toMatch(/signature does not verify/);
    expect((await publish('--trust-version', '3', '--forge-trust', 'off-curve-key')).code).toBe(0);
    const offCurve = await sync();
    expect(offCurve.ok).toBe(false);
    expect(offCurve.error).not.toContain('\n');
    expect(offCurve.error).toMatch(/not a valid SM2 key/);
  });

  it('sync takes an SM2 trust list signed by the SM2 root, and a rotation to a new SM2 root', async () => {
    // Version 3 again, well made this time: it replaces the refused one in the publisher's chain.
    expect((await publish('--trust-version', '3')).code).toBe(0);
    const taken = await sync();
    expect(taken.error ?? null).toBeNull();
    expect(taken).toMatchObject({ ok: true, trustVersion: 3 });
    expect((await runCli(['sim', 'rotate-root', '--dir', auth()])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(auth(), 'root', 'root-2.json'), 'utf8')).keys.every((k: { alg?: string }) => k.alg === 'SM2')).toBe(true);
    expect((await publish('--trust-version', '4')).code).toBe(0);
    expect(await sync()).toMatchObject({ ok: true, trustVersion: 4 });
  });
});
