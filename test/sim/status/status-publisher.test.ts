/**
 * The test authority's publisher: the files it writes are exactly the list it was told (merged
 * snapshots, sorted deltas), the manifest names what the options ask, and each forgery fails
 * verification for its own reason.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { verifyManifest } from '../../../firmware-ts/status/sync/index.js';
import { KEY_BYTES, RECORD_BYTES, compareKeys, readDeltaHeader } from '../../../firmware-ts/status/list/index.js';
import { parseTrustList } from '../../../firmware-ts/verify/trust-list.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { FORGERIES } from '../../../sim/status/manifest-signer.js';
import { SnapshotCursor } from '../../../sim/status/snapshot-cursor.js';
import { publishNext, readPublisherState, writeManifest } from '../../../sim/status/status-publisher.js';
import { writeSyntheticSnapshot } from '../../../sim/status/synthetic-list.js';
import { runCli } from '../../helpers/cli.js';
import { randomKeyHex, tempDir } from '../../firmware-ts/status/status-fixture.js';

const root = tempDir('roadscan-sim-sl-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const authority = TestAuthority.create();
const trust = parseTrustList(authority.trustList(1));

function readSnapshot(file: string): Map<string, number> {
  const c = new SnapshotCursor(file);
  const out = new Map<string, number>();
  let prev: Buffer | null = null;
  while (c.next()) {
    const key = Buffer.from(c.buf.subarray(c.off, c.off + KEY_BYTES));
    if (prev) expect(compareKeys(prev, 0, key, 0)).toBeLessThan(0);
    prev = key;
    out.set(key.toString('hex'), c.buf[c.off + KEY_BYTES]!);
  }
  c.close();
  return out;
}

describe('publishNext', () => {
  it('merges every seq into a sorted full snapshot and writes the delta of its changes', () => {
    const dir = join(root, 'merge');
    const model = new Map<string, number>();
    const keys = Array.from({ length: 300 }, randomKeyHex);
    for (let seq = 1; seq <= 5; seq++) {
      const changes = new Map<string, number>();
      for (let i = 0; i < 60; i++) changes.set(keys[(seq * 37 + i * 7) % keys.length]!, (seq + i) % 9);
      const state = publishNext({ dir, key: authority.keys.sl, iat: 1_790_000_000 + seq, changes, keepDeltas: 3 });
      for (const [k, s] of changes) s === 0 ? model.delete(k) : model.set(k, s);
      expect(state.seq).toBe(seq);
      expect(readSnapshot(join(dir, state.full.path))).toEqual(model);
      expect(state.deltas.map((d) => `${d.from}-${d.to}`)).toEqual([...Array(seq - 1).keys()].map((i) => `${i + 1}-${i + 2}`).slice(-3));
      if (seq > 1) {
        const delta = readFileSync(join(dir, `delta-${seq - 1}-${seq}.bin`));
        expect(readDeltaHeader(delta)).toMatchObject({ magic: 'RSD1', from: seq - 1, to: seq, count: changes.size });
        const got = new Map<string, number>();
        for (let o = 24; o < delta.length; o += RECORD_BYTES) got.set(delta.subarray(o, o + 16).toString('hex'), delta[o + 16]!);
        expect(got).toEqual(changes);
      }
      const m = verifyManifest(readFileSync(join(dir, 'manifest.cose')), trust);
      expect(m).toMatchObject({ seq, iat: 1_790_000_000 + seq, snap: { seq, count: model.size } });
    }
    // Only the files the manifest names (plus the publisher's own state) remain.
    expect(readdirSync(dir).sort()).toEqual(['delta-2-3.bin', 'delta-3-4.bin', 'delta-4-5.bin', 'manifest.cose', 'publisher.json', 'snap-5.bin']);
  });

  it('can keep naming an older snapshot, and can offer no deltas at all', () => {
    const dir = join(root, 'older');
    publishNext({ dir, key: authority.keys.sl, iat: 1, changes: new Map([[randomKeyHex(), 1]]) });
    const s2 = publishNext({ dir, key: authority.keys.sl, iat: 2, changes: new Map([[randomKeyHex(), 2]]), newSnapshot: false });
    expect(s2.snap.path).toBe('snap-1.bin');
    expect(s2.full.path).toBe('snap-2.bin');
    expect(existsSync(join(dir, 'snap-1.bin'))).toBe(true);
    const s3 = publishNext({ dir, key: authority.keys.sl, iat: 3, changes: new Map(), keepDeltas: 0 });
    expect(s3.deltas).toEqual([]);
    expect(s3.snap.path).toBe('snap-3.bin');
    expect(readdirSync(dir).sort()).toEqual(['manifest.cose', 'publisher.json', 'snap-3.bin']);
  });

  it('each forgery fails verification for its own reason', () => {
    const dir = join(root, 'forged');
    const state = publishNext({ dir, key: authority.keys.sl, iat: 1, changes: new Map([[randomKeyHex(), 1]]) });
    const why = { 'bad-signature': /signature does not verify/, 'unknown-key': /does not hold/, 'not-sl-key': /not an SL/ };
    for (const f of FORGERIES) {
      writeManifest(dir, state, authority.keys.sl, f, authority.keys.mps);
      expect(() => verifyManifest(readFileSync(join(dir, 'manifest.cose')), trust)).toThrow(why[f]);
    }
    expect(readPublisherState(dir)!.seq).toBe(1);
  });
});

describe('writeSyntheticSnapshot', () => {
  it('writes count strictly ascending keys and samples their statuses', () => {
    const file = join(root, 'synthetic.rss');
    const list = writeSyntheticSnapshot(file, 9, 5000, 3, 100);
    const content = readSnapshot(file);
    expect(content.size).toBe(5000);
    expect(list.written.count).toBe(5000);
    expect(list.sampleStatuses).toHaveLength(50);
    list.sampleStatuses.forEach((s, i) => expect(content.get(list.samples.subarray(i * 16, i * 16 + 16).toString('hex'))).toBe(s));
    // Deterministic for a seed.
    const again = writeSyntheticSnapshot(join(root, 'synthetic2.rss'), 9, 5000, 3, 100);
    expect(again.written.sha256.equals(list.written.sha256)).toBe(true);
  });
});

describe('roadscan sim publish-status / serve-status', () => {
  it('publishes, serves, and a scanner syncs from it; a forged manifest is refused', async () => {
    const auth = join(root, 'auth');
    const www = join(root, 'www');
    expect((await runCli(['sim', 'init', auth])).code).toBe(0);
    const pub = await runCli(['sim', 'publish-status', '--dir', auth, '--out', www, '--random', '50', '--set', `${'ab'.repeat(16)}=2`]);
    expect(pub.code).toBe(0);
    expect(pub.stdout).toBe('published seq 1: snapshot snap-1.bin (51 entries), manifest.cose\n');
    const bad = await runCli(['sim', 'publish-status', '--dir', auth, '--out', www, '--set', 'xyz=1']);
    expect(bad.code).toBe(2);
    const server = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'roadscan.js'), 'sim', 'serve-status', www], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve) => server.stdout.once('data', (b: Buffer) => resolve(b.toString().trim())));
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const common = ['--db', join(root, 'scanner.db'), '--trust', join(auth, 'trust.json'), '--json'];
      const sync = await runCli(['sync', '--url', url, ...common]);
      expect(JSON.parse(sync.stdout)).toMatchObject({ ok: true, seq: 1, entries: 51 });
      expect((await runCli(['sim', 'publish-status', '--dir', auth, '--out', www, '--forge', 'bad-signature'])).code).toBe(0);
      const refused = await runCli(['sync', '--url', url, ...common]);
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout).error).toMatch(/signature does not verify/);
    } finally {
      server.kill('SIGINT');
    }
    const code = await new Promise((resolve) => server.on('close', resolve));
    expect(code).toBe(0);
  });
});
