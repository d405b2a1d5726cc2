/**
 * `roadscan sim publish-status --policy FILE` (issue 22): a policy rules document published through
 * the CLI, signed by the test authority's root, fetched by a real `roadscan sync --json` from a
 * status server on 127.0.0.1 (its `rules` names `policy`), then shown by `status --json`.
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagedConfigFile } from '../../../firmware-ts/paths.js';
import { StatusServer } from '../../../sim/status/status-server.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let server: StatusServer;
const auth = () => join(dir, 'authority');
const www = () => join(dir, 'www');
const common = () => ['--db', join(dir, 's.db'), '--trust', join(auth(), 'trust.json')];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-publish-policy-'));
  server = await StatusServer.start(www());
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('roadscan sim publish-status --policy', () => {
  it('publishes a signed policy that sync takes and status shows', async () => {
    expect((await runCli(['sim', 'init', auth()])).code).toBe(0);
    const file = join(dir, 'policy.json');
    const shipped = JSON.parse(readFileSync(packagedConfigFile('policy.json'), 'utf8'));
    writeFileSync(file, JSON.stringify({ ...shipped, version: 3, presentation: { windowSec: 60, skewSec: 30 }, voucher: { days: 3 } }));
    const published = await runCli(['sim', 'publish-status', '--dir', auth(), '--out', www(), '--json', '--policy', file]);
    expect(published.code, published.stderr).toBe(0);
    expect(JSON.parse(published.stdout).rules.map((r: { name: string }) => r.name)).toContain('policy');

    const synced = await runCli(['sync', '--url', server.url, '--json', ...common()]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(JSON.parse(synced.stdout)).toMatchObject({ ok: true, rules: { policy: 3 } });

    const status = await runCli(['status', '--json', ...common()]);
    const shown = JSON.parse(status.stdout);
    expect(shown.rules.policy).toBe(3);
    expect(shown.policy).toMatchObject({ version: 3 });
  });

  it('refuses a policy file that is not JSON, with a one-line error', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    const res = await runCli(['sim', 'publish-status', '--dir', auth(), '--out', www(), '--policy', bad]);
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });
});
