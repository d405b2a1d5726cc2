/**
 * `roadscan sync` and `roadscan status` as scripts and acceptance checks run them (docs/CLI.md):
 * the built CLI in a child process, a real HTTP server, JSON on standard output, exit statuses.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { StatusWorld, randomKeyHex } from './status-fixture.js';

describe('roadscan sync / roadscan status', () => {
  let w: StatusWorld;
  let trustFile: string;
  let common: string[];
  beforeAll(async () => {
    w = await StatusWorld.create();
    w.db.close();
    trustFile = join(w.root, 'trust.json');
    writeFileSync(trustFile, JSON.stringify(w.authority.trustList(1, { root: w.rootKeys })));
    common = ['--db', w.dbFile, '--trust', trustFile];
  });
  afterAll(() => w.close());

  it('status before any sync: no list, so scans will be stale', async () => {
    const r = await runCli(['status', '--json', ...common]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ seq: null, entries: 0, listIat: null, trustVersion: 1, clock: 'ok', stale: true });
  });

  it('sync applies the published list, then finds nothing to do', async () => {
    w.publish({ [randomKeyHex()]: 1, [randomKeyHex()]: 2 });
    const r = await runCli(['sync', '--url', w.server.url, '--json', ...common]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, seq: 1, applied: 'snapshot', entries: 2, error: null });
    expect(out.iat).toMatch(/^\d{4}-\d\d-\d\dT/);
    const again = await runCli(['sync', '--url', w.server.url, ...common]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^status list seq 1: already current, 2 entries, published \d{4}-\d\d-\d\dT/);
  });

  it('status reports the list, its age and the trust list version', async () => {
    w.publish({ [randomKeyHex()]: 3 }, { trustDocument: w.signedTrust(4) });
    const s = await runCli(['sync', '--url', w.server.url, '--json', ...common]);
    expect(JSON.parse(s.stdout)).toMatchObject({ ok: true, seq: 2, applied: 'deltas', entries: 3, trustVersion: 4 });
    const r = await runCli(['status', '--json', ...common]);
    const st = JSON.parse(r.stdout);
    expect(st).toMatchObject({ seq: 2, entries: 3, trustVersion: 4, clock: 'ok', lastSync: { ok: true, error: null } });
    expect(st.listIat).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    const human = await runCli(['status', ...common]);
    expect(human.stdout).toMatch(/status list: seq 2, 3 entries/);
    expect(human.stdout).toMatch(/trust list: version 4/);
  });

  it('a failed sync exits 1 with the reason in one line and leaves the list', async () => {
    w.server.faults.set('/manifest.cose', { kind: 'status', code: 503 });
    const j = await runCli(['sync', '--url', w.server.url, '--json', ...common]);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, seq: 2, applied: 'none', entries: 3, error: 'manifest.cose: HTTP 503 Service Unavailable' });
    const human = await runCli(['sync', '--url', w.server.url, ...common]);
    expect(human.code).toBe(1);
    expect(human.stderr).toBe('roadscan: sync failed: manifest.cose: HTTP 503 Service Unavailable\n');
    w.server.faults.clear();
    const st = JSON.parse((await runCli(['status', '--json', ...common])).stdout);
    expect(st).toMatchObject({ seq: 2, entries: 3, lastSync: { ok: false, error: 'manifest.cose: HTTP 503 Service Unavailable' } });
  });

  it('usage errors exit 2 with one line', async () => {
    const noUrl = await runCli(['sync', ...common]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/^roadscan: no status list URL: give --url BASE_URL or set statusList.url in the configuration\n$/);
    const badUrl = await runCli(['sync', '--url', 'ftp://x/', ...common]);
    expect(badUrl.code).toBe(1);
    expect(JSON.parse((await runCli(['sync', '--url', 'ftp://x/', '--json', ...common])).stdout).error).toMatch(/base URL must be http or https/);
    const badTimeout = await runCli(['sync', '--url', w.server.url, '--timeout', 'soon', ...common]);
    expect(badTimeout.code).toBe(2);
  });
});
