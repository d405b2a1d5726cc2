/**
 * Every way a sync must refuse, over real HTTP: the outcome says why in one line, and the
 * scanner holds exactly what it held before (seq, iat, entries, every lookup, its files, no
 * pending rows).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeSnapshotHeader, readDeltaHeader } from '../../../firmware-ts/status/list/index.js';
import type { SyncOutcome } from '../../../firmware-ts/status/sync/index.js';
import { signManifest, type ManifestBody } from '../../../sim/status/manifest-signer.js';
import { manifestBodyOf, readPublisherState, writeManifest } from '../../../sim/status/status-publisher.js';
import { StatusWorld, randomKeyHex } from './status-fixture.js';

const A = randomKeyHex();
const B = randomKeyHex();
const C = randomKeyHex();
const D = randomKeyHex();

interface Held {
  seq: number | null;
  iat: number | null;
  entries: number;
  files: string[];
  overlayRows: number;
  answers: number[];
}

function held(w: StatusWorld): Held {
  const store = w.openStore();
  const h: Held = {
    seq: store.seq(),
    iat: store.listIat(),
    entries: store.entries(),
    // A partial download (.part-*) may stay: the next sync resumes it (mobile-link.test.ts).
    files: readdirSync(w.dataDir)
      .filter((n) => !n.startsWith('.part-'))
      .sort(),
    overlayRows: (w.db.prepare('SELECT count(*) AS n FROM status_overlay').get() as { n: number }).n,
    answers: [A, B, C, D].map((k) => store.statusOf(Buffer.from(k, 'hex'))),
  };
  store.close();
  return h;
}

/** Re-signs the current manifest after changing its body. */
function resign(w: StatusWorld, change: (body: ManifestBody) => void): void {
  const body = manifestBodyOf(readPublisherState(w.publishDir)!);
  change(body);
  writeFileSync(join(w.publishDir, 'manifest.cose'), signManifest(body, w.authority.keys.sl));
}

function sha(file: string): Buffer {
  return createHash('sha256').update(readFileSync(file)).digest();
}

function expectRefused(out: SyncOutcome, before: Held, after: Held, why: RegExp): void {
  expect(out.ok).toBe(false);
  expect(out.error).toMatch(why);
  expect(out.error).not.toMatch(/\n/);
  expect(out.applied).toBe('none');
  expect(after).toEqual(before);
}

describe('a scanner holding seq 1 refuses a bad seq 2', () => {
  let w: StatusWorld;
  let before: Held;
  beforeEach(async () => {
    w = await StatusWorld.create();
    w.publish({ [A]: 1, [B]: 2, [C]: 3 });
    expect(await w.sync()).toMatchObject({ ok: true, seq: 1 });
    w.publish({ [A]: 0, [D]: 1, [C]: 5 }, { newSnapshot: false });
    before = held(w);
    expect(before.seq).toBe(1);
  });
  afterEach(() => w.close());

  const refused = async (why: RegExp) => {
    const out = await w.sync({ timeoutMs: 500 });
    expectRefused(out, before, held(w), why);
    return out;
  };

  it('applies the good seq 2 when nothing is broken (the control case)', async () => {
    const out = await w.sync();
    expect(out).toMatchObject({ ok: true, seq: 2, applied: 'deltas', entries: 3 });
    const store = w.openStore();
    expect(w.expectMatches(store, 2)).toEqual([]);
    store.close();
  });

  it('forged manifest: damaged signature', async () => {
    writeManifest(w.publishDir, readPublisherState(w.publishDir)!, w.authority.keys.sl, 'bad-signature');
    await refused(/signature does not verify/);
  });

  it('forged manifest: signed by a key the trust list does not hold', async () => {
    writeManifest(w.publishDir, readPublisherState(w.publishDir)!, w.authority.keys.sl, 'unknown-key');
    await refused(/trust list .* does not hold/);
  });

  it('forged manifest: signed by an issuer key that is not an SL key', async () => {
    writeManifest(w.publishDir, readPublisherState(w.publishDir)!, w.authority.keys.sl, 'not-sl-key', w.authority.keys.mps);
    await refused(/not an SL/);
  });

  it('a delta whose SHA-256 differs from the manifest', async () => {
    const file = join(w.publishDir, 'delta-1-2.bin');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1]! ^= 0x01;
    writeFileSync(file, bytes);
    await refused(/delta-1-2\.bin: SHA-256 differs/);
  });

  it('a manifest count that disagrees with the file', async () => {
    resign(w, (b) => {
      b.deltas[0]!.count += 1;
    });
    await refused(/delta-1-2\.bin: server announces \d+ bytes, the manifest says \d+/);
  });

  it('a delta header that disagrees with the manifest (count, then seqs), hash matching', async () => {
    const file = join(w.publishDir, 'delta-1-2.bin');
    const bytes = readFileSync(file);
    const h = readDeltaHeader(bytes);
    bytes.writeUInt32BE(h.count + 1, 20);
    writeFileSync(file, bytes);
    resign(w, (b) => {
      b.deltas[0]!.sha256 = sha(file);
    });
    await refused(/header count \d+ differs from the manifest's \d+/);
    bytes.writeUInt32BE(h.count, 20);
    bytes.writeBigUInt64BE(7n, 12);
    writeFileSync(file, bytes);
    resign(w, (b) => {
      b.deltas[0]!.sha256 = sha(file);
    });
    await refused(/header says 1→7, the manifest 1→2/);
  });

  it('a delta that lists a key twice', async () => {
    const file = join(w.publishDir, 'delta-1-2.bin');
    const bytes = readFileSync(file);
    bytes.copy(bytes, 24 + 17, 24, 24 + 16); // record 1 gets record 0's key
    writeFileSync(file, bytes);
    resign(w, (b) => {
      b.deltas[0]!.sha256 = sha(file);
    });
    await refused(/listed twice/);
  });

  it('a body cut off mid-transfer', async () => {
    w.server.faults.set('/delta-1-2.bin', { kind: 'truncate', afterBytes: 30 });
    await refused(/delta-1-2\.bin: truncated body \(30 of \d+ bytes/);
  });

  it('a file shorter on the server than the manifest says', async () => {
    truncateSync(join(w.publishDir, 'delta-1-2.bin'), 40);
    await refused(/server announces 40 bytes/);
  });

  it('rollback: a validly signed manifest with a lower seq', async () => {
    const seq2Manifest = readFileSync(join(w.publishDir, 'manifest.cose'));
    expect((await w.sync()).seq).toBe(2);
    before = held(w);
    w.publish({ [B]: 0 });
    expect((await w.sync()).seq).toBe(3);
    before = held(w);
    writeFileSync(join(w.publishDir, 'manifest.cose'), seq2Manifest);
    await refused(/rollback refused: manifest seq 2 is lower than the held seq 3/);
  });

  it('server down (connection refused)', async () => {
    await w.server.close();
    await refused(/manifest\.cose: connection refused/);
  });

  it('HTTP 404 for the manifest, and for a delta', async () => {
    w.server.faults.set('/manifest.cose', { kind: 'status', code: 404 });
    await refused(/manifest\.cose: HTTP 404/);
    w.server.faults.clear();
    w.server.faults.set('/delta-1-2.bin', { kind: 'status', code: 404 });
    await refused(/delta-1-2\.bin: HTTP 404/);
  });

  it('a server that never answers (timeout)', async () => {
    w.server.faults.set('/manifest.cose', { kind: 'hang' });
    await refused(/manifest\.cose: no data for 0\.5 s \(timeout\)/);
  });

  it('a server that stalls mid-body (timeout)', async () => {
    w.server.faults.set('/delta-1-2.bin', { kind: 'slow', bytesPerTick: 1 });
    const out = await w.sync({ timeoutMs: 5 });
    expect(out.ok).toBe(false);
    expect(held(w)).toEqual(before);
  });

  it('wrong content: an HTML page instead of the manifest', async () => {
    w.server.faults.set('/manifest.cose', { kind: 'body', body: '<html><body>captive portal</body></html>' });
    await refused(/manifest: not a COSE_Sign1/);
  });

  it('a manifest whose paths leave the base URL', async () => {
    resign(w, (b) => {
      b.deltas[0]!.path = '../delta-1-2.bin';
    });
    await refused(/path is not a plain relative path/);
  });

  it('a manifest that offers no way from its snapshot to its seq', async () => {
    resign(w, (b) => {
      b.seq = 9;
    });
    await refused(/no delta chain leads from snapshot seq 1 to seq 9/);
  });
});

describe('a scanner that never synced refuses a bad snapshot', () => {
  let w: StatusWorld;
  beforeEach(async () => {
    w = await StatusWorld.create();
    w.publish({ [A]: 1, [B]: 2, [C]: 3 });
  });
  afterEach(() => w.close());

  const refused = async (why: RegExp) => {
    const before = held(w);
    expect(before.seq).toBeNull();
    const out = await w.sync({ timeoutMs: 500 });
    expectRefused(out, before, held(w), why);
    expect(readdirSync(w.dataDir)).toEqual([]);
  };

  it('a snapshot whose SHA-256 differs', async () => {
    const file = join(w.publishDir, 'snap-1.bin');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1]! ^= 0x01;
    writeFileSync(file, bytes);
    await refused(/snap-1\.bin: SHA-256 differs/);
  });

  it('a snapshot with unsorted keys (hash matching)', async () => {
    const file = join(w.publishDir, 'snap-1.bin');
    const bytes = readFileSync(file);
    const first = Buffer.from(bytes.subarray(16, 33));
    bytes.copy(bytes, 16, 33, 50);
    first.copy(bytes, 33);
    writeFileSync(file, bytes);
    resign(w, (b) => {
      b.snap.sha256 = sha(file);
    });
    await refused(/snap-1\.bin: record 1 is not above the one before it/);
  });

  it('a snapshot header with another seq (hash matching)', async () => {
    const file = join(w.publishDir, 'snap-1.bin');
    const bytes = readFileSync(file);
    encodeSnapshotHeader(5, 3).copy(bytes, 0);
    writeFileSync(file, bytes);
    resign(w, (b) => {
      b.snap.sha256 = sha(file);
    });
    await refused(/header seq 5 differs from the manifest's 1/);
  });

  it('a snapshot cut off mid-transfer', async () => {
    w.server.faults.set('/snap-1.bin', { kind: 'truncate', afterBytes: 20 });
    await refused(/snap-1\.bin: truncated body/);
  });

  it('wrong content: an error page served with status 200 for the snapshot', async () => {
    w.server.faults.set('/snap-1.bin', { kind: 'body', body: '<html>oops</html>' });
    await refused(/snap-1\.bin: not a snapshot \(no RSS1 header\)/);
  });
});
