/**
 * Spec 1.2: a manifest's ETag counts only for the base URL it came from. A scanner synced from
 * A (a real nginx, with its own ETags), then pointed at B, whose server answers 304 to any
 * If-None-Match: B gets a plain GET and a full check, never a free "nothing new". An impostor B
 * (its manifest signed by an SL key the scanner does not hold) is refused and nothing moves; an
 * honest mirror B is fetched and checked in full, and from then on B's own ETag is the one sent,
 * to B only. Real processes (`roadscan sync`), real HTTP on 127.0.0.1, a real SQLite file.
 * @module
 */
import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../firmware-ts/store/database.js';
import { runCli } from '../helpers/cli.js';
import { Nginx } from '../helpers/nginx.js';
import { StatusWorld, randomKeyHex } from '../firmware-ts/status/status-fixture.js';

/** A server that answers 304 to any If-None-Match, and serves `dir` to a plain GET; it notes what it was sent. */
class Answers304 {
  readonly seen: { path: string; ifNoneMatch: string | null }[] = [];
  private constructor(private readonly server: Server) {}

  static async start(dir: string): Promise<Answers304> {
    const holder: { s?: Answers304 } = {};
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const inm = typeof req.headers['if-none-match'] === 'string' ? req.headers['if-none-match'] : null;
      holder.s!.seen.push({ path, ifNoneMatch: inm });
      if (inm !== null) {
        res.writeHead(304, { etag: inm });
        res.end();
        return;
      }
      const file = join(dir, path.replace(/^\/+/, ''));
      if (!/^[A-Za-z0-9._/-]+$/.test(path) || path.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-length': statSync(file).size, etag: '"b-etag"' });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    holder.s = new Answers304(server);
    return holder.s;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('an ETag belongs to the base URL it came from (roadscan sync)', () => {
  let a: StatusWorld;
  let impostor: StatusWorld;
  let nginx: Nginx;
  let trustFile: string;

  beforeAll(async () => {
    a = await StatusWorld.create();
    a.db.close();
    impostor = await StatusWorld.create();
    impostor.db.close();
    trustFile = join(a.root, 'trust.json');
    writeFileSync(trustFile, JSON.stringify(a.authority.trustList(1, { root: a.rootKeys })));
    a.publish({ [randomKeyHex()]: 1 });
    nginx = await Nginx.start(a.publishDir);
  }, 60_000);
  afterAll(async () => {
    await nginx?.stop();
    await a?.close();
    await impostor?.close();
  });

  async function sync(url: string) {
    const r = await runCli(['sync', '--url', url, '--json', '--db', a.dbFile, '--trust', trustFile]);
    const out = JSON.parse(r.stdout) as { ok: boolean; seq: number | null; applied: string; error: string | null };
    expect(r.code, r.stderr).toBe(out.ok ? 0 : 1);
    return out;
  }
  const state = () => {
    const db = openDatabase(a.dbFile);
    try {
      return db.prepare('SELECT seq, iat, synced_ms, manifest_etag, manifest_etag_url FROM status_state').get() as Record<string, unknown>;
    } finally {
      db.close();
    }
  };

  it('A: synced, its ETag stored with its URL', async () => {
    expect(await sync(nginx.url)).toMatchObject({ ok: true, seq: 1, applied: 'snapshot' });
    const st = state();
    expect(st.manifest_etag).toMatch(/^"/);
    expect(st.manifest_etag_url).toBe(nginx.url);
  });

  it('an impostor B answering 304 to A’s ETag gets a plain GET, and its manifest signed by a stranger is refused; nothing moves', async () => {
    // The impostor publishes a "newer" list under its own SL key.
    impostor.publish({ [randomKeyHex()]: 1 });
    impostor.publish({ [randomKeyHex()]: 1 });
    const b = await Answers304.start(impostor.publishDir);
    try {
      const before = state();
      const out = await sync(b.url);
      expect(out.ok).toBe(false);
      expect(out.error).toMatch(/^manifest: signed by key [0-9a-f]{16}/);
      expect(out.error).not.toMatch(/\n/);
      // B was asked for the manifest with no validator at all: a 304 had no chance to count.
      expect(b.seen[0]).toEqual({ path: '/manifest.cose', ifNoneMatch: null });
      expect(b.seen.every((s) => s.ifNoneMatch === null)).toBe(true);
      expect(state()).toEqual(before);
    } finally {
      await b.close();
    }
  });

  it('an honest mirror B is fetched and checked in full; B’s ETag then goes to B only, and back at A the GET is plain again', async () => {
    const b = await Answers304.start(a.publishDir);
    try {
      const out = await sync(b.url);
      expect(out).toMatchObject({ ok: true, seq: 1, applied: 'none' });
      expect(b.seen[0]).toEqual({ path: '/manifest.cose', ifNoneMatch: null });
      expect(state()).toMatchObject({ manifest_etag: '"b-etag"', manifest_etag_url: b.url });
      // Now B's own validator is sent to B, and its 304 is "nothing new".
      b.seen.length = 0;
      const again = await runCli(['sync', '--url', b.url, '--json', '--db', a.dbFile, '--trust', trustFile]);
      expect(again.code).toBe(0);
      expect(b.seen).toEqual([{ path: '/manifest.cose', ifNoneMatch: '"b-etag"' }]);
      expect(again.stdout).toMatch(/"ok":true/);
    } finally {
      await b.close();
    }
    // Back at A: B's ETag is not sent there; A's manifest is fetched and verified in full.
    const back = await sync(nginx.url);
    expect(back).toMatchObject({ ok: true, seq: 1 });
    expect(state().manifest_etag_url).toBe(nginx.url);
  });

  it('a base URL carrying a user name or password is refused in one line that does not repeat it', async () => {
    const r = await runCli(['sync', '--url', 'http://scanner:s3cret@127.0.0.1:9/', '--db', a.dbFile, '--trust', trustFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^roadscan: sync failed: base URL carries a user name or password: refused/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr + r.stdout).not.toContain('s3cret');
  });
});
