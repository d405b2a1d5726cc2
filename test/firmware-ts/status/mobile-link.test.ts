/**
 * Downloads over a mobile link (docs/STATUS-LIST.md "Downloads over a network that comes and goes"),
 * against a real nginx serving a publication of the test authority, behind the fault-injecting
 * proxy of sim/net: nginx's own ETag, Range, If-Range and 304 answers, our cuts and throttles.
 */
import { mkdirSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { statusDataDir } from '../../../firmware-ts/status/list/index.js';
import { snapshotBytes } from '../../../firmware-ts/status/list/index.js';
import { StatusListStore } from '../../../firmware-ts/status/list/index.js';
import { syncOnce } from '../../../firmware-ts/status/sync/index.js';
import { parseTrustList } from '../../../firmware-ts/verify/trust-list.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { FaultProxy } from '../../../sim/net/fault-proxy.js';
import { publishFromSnapshot } from '../../../sim/status/status-publisher.js';
import { writeSyntheticSnapshot, type SyntheticList } from '../../../sim/status/synthetic-list.js';
import { Nginx } from '../../helpers/nginx.js';
import { T0, tempDir } from './status-fixture.js';

/** Ten million entries: the 170 MB snapshot of the spec; the other cases use a smaller list. */
const ENTRIES = Number(process.env.ROADSCAN_MOBILE_ENTRIES ?? 10_000_000);
const SMALL = 1_000_000;
const MB = 1 << 20;

let root: string;
let www: string;
let nginx: Nginx;
let proxy: FaultProxy;
let list: SyntheticList;
let small: SyntheticList;
const authority = TestAuthority.create();
const trust = parseTrustList(authority.trustList(1));
const size = snapshotBytes(ENTRIES);
const smallSize = snapshotBytes(SMALL);

beforeAll(async () => {
  root = tempDir('roadscan-mobile-');
  www = join(root, 'www');
  mkdirSync(join(www, 'big'), { recursive: true });
  mkdirSync(join(www, 'small'));
  list = writeSyntheticSnapshot(join(www, 'big', 'snap-1.bin'), 1, ENTRIES, 7, 1000);
  publishFromSnapshot(join(www, 'big'), authority.keys.sl, T0, list.written, 'snap-1.bin', 1);
  small = writeSyntheticSnapshot(join(www, 'small', 'snap-1.bin'), 1, SMALL, 8, 100);
  publishFromSnapshot(join(www, 'small'), authority.keys.sl, T0, small.written, 'snap-1.bin', 1);
  nginx = await Nginx.start(www);
  proxy = new FaultProxy({ upstream: { host: '127.0.0.1', port: nginx.port } });
  proxyPort = (await proxy.start()).port;
}, 120_000);
afterAll(async () => {
  await proxy?.stop();
  await nginx?.stop();
  rmSync(root, { recursive: true, force: true });
});

class Scanner {
  readonly dbFile: string;
  readonly dataDir: string;
  db: Db;
  constructor(
    name: string,
    private readonly publication: 'big' | 'small' = 'small',
  ) {
    this.dbFile = join(root, `${name}.db`);
    this.dataDir = statusDataDir(this.dbFile);
    this.db = openDatabase(this.dbFile);
  }
  sync(extra: Partial<Parameters<typeof syncOnce>[0]> = {}) {
    return syncOnce({ db: this.db, dataDir: this.dataDir, baseUrl: `${proxyUrl()}${this.publication}/`, trust, timeoutMs: 10_000, ...extra });
  }
  /** A restart of the device: the process dies, the files stay. */
  restart(): void {
    this.db.close();
    this.db = openDatabase(this.dbFile);
  }
  partials(): string[] {
    return readdirSync(this.dataDir).filter((n) => n.startsWith('.part-'));
  }
  close(): void {
    this.db.close();
  }
}

let proxyPort = 0;
const proxyUrl = () => `http://127.0.0.1:${proxyPort}/`;

/** The sampled keys answer with their statuses, and absent ones with 0. */
function expectList(s: Scanner, l = small): void {
  const store = StatusListStore.open(s.db, s.dataDir);
  try {
    expect(store.listIat()).toBe(T0);
    for (let i = 0; i < l.sampleStatuses.length; i += 97) {
      expect(store.statusOf(l.samples.subarray(i * 16, i * 16 + 16))).toBe(l.sampleStatuses[i]);
    }
  } finally {
    store.close();
  }
}

describe('a 10 M-entry snapshot over a link that drops every 20 MB', () => {
  it('completes in one sync, resuming with Range/If-Range, for at most 1.1x the file in bytes', async () => {
    proxy.resetCounts();
    proxy.set({ cutEveryBytes: 20 * MB });
    const s = new Scanner('cut', 'big');
    const out = await s.sync();
    expect(out).toMatchObject({ ok: true, applied: 'snapshot', seq: 1 });
    expect(proxy.cuts).toBeGreaterThanOrEqual(Math.floor(size / (20 * MB)));
    const ratio = proxy.downstreamBytes / size;
    console.log(`mobile link: ${size} bytes, ${proxy.downstreamBytes} carried (${ratio.toFixed(4)}x), ${proxy.cuts} cuts, ${proxy.connections} connections`);
    expect(ratio).toBeLessThanOrEqual(1.1);
    expect(s.partials()).toEqual([]);
    expectList(s, list);
    s.close();
  }, 120_000);
});

describe('bytes received survive a restart of the device', () => {
  it('a sync stopped part-way keeps its partial file; after a restart the next one fetches only the rest', async () => {
    proxy.set({ cutEveryBytes: undefined });
    proxy.resetCounts();
    const s = new Scanner('restart');
    const abort = new AbortController();
    let got = 0;
    const first = await s.sync({
      signal: abort.signal,
      onBytes: (n) => {
        got += n;
        if (got >= 10 * MB) abort.abort();
      },
    });
    expect(first.ok).toBe(false);
    expect(first.error).toMatch(/stopped/);
    expect(first.seq).toBeNull();
    expect(s.partials()).toHaveLength(2); // the partial file and its sidecar
    s.restart();
    proxy.resetCounts();
    const second = await s.sync();
    expect(second).toMatchObject({ ok: true, applied: 'snapshot' });
    // Only what was not kept came again (a few MB of slack: the stop lands mid-chunk).
    expect(proxy.downstreamBytes).toBeLessThan(smallSize - 9 * MB);
    expect(proxy.downstreamBytes).toBeGreaterThan(smallSize - 12 * MB);
    expectList(s);
    s.close();
  }, 120_000);

  it('a file that changed on the server since (If-Range fails, 200) starts again from zero and still checks', async () => {
    proxy.resetCounts();
    const s = new Scanner('changed');
    const abort = new AbortController();
    let got = 0;
    await s.sync({ signal: abort.signal, onBytes: (n) => ((got += n) >= 6 * MB ? abort.abort() : undefined) });
    expect(s.partials()).toHaveLength(2);
    // Same bytes, new mtime: nginx's ETag and Last-Modified change, so If-Range no longer matches.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(www, 'small', 'snap-1.bin'), later, later);
    proxy.resetCounts();
    const out = await s.sync();
    expect(out).toMatchObject({ ok: true, applied: 'snapshot' });
    expect(proxy.downstreamBytes).toBeGreaterThanOrEqual(smallSize);
    expectList(s);
    s.close();
  }, 120_000);
});

describe('the manifest fetched with If-None-Match', () => {
  it("a 304 is nothing new: no download, and the list's age does not change", async () => {
    const s = new Scanner('inm');
    expect((await s.sync()).ok).toBe(true);
    const before = s.db.prepare('SELECT iat, synced_ms, manifest_etag FROM status_state').get() as { iat: number; synced_ms: number; manifest_etag: string };
    expect(before.manifest_etag).toMatch(/^"/);
    proxy.resetCounts();
    const again = await s.sync({ now: () => Date.now() + 3_600_000 });
    expect(again).toMatchObject({ ok: true, applied: 'none', notModified: true, iat: T0 });
    expect(proxy.downstreamBytes).toBeLessThan(1000);
    expect(s.db.prepare('SELECT iat, synced_ms, manifest_etag FROM status_state').get()).toEqual(before);
    s.close();
  }, 120_000);
});

describe('a trickling link', () => {
  it('a drip below the floor rate is cut with a one-line reason', async () => {
    const s = new Scanner('drip');
    proxy.set({ bytesPerSec: 200 });
    try {
      const t = Date.now();
      const out = await s.sync({ minRate: { bytesPerSec: 1024, windowMs: 1500 } });
      expect(out.ok).toBe(false);
      expect(out.error).toMatch(/^manifest.cose: too slow \(\d+ B\/s over \d+ s, the floor is 1024 B\/s\)$|^snap-1.bin: too slow/);
      expect(Date.now() - t).toBeLessThan(10_000);
    } finally {
      proxy.set({ bytesPerSec: undefined });
      s.close();
    }
  }, 30_000);
});
