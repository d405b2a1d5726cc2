/**
 * What the status-list tests share: temporary folders, a real SQLite file, a test authority
 * whose SL key signs published lists, a real HTTP server on 127.0.0.1 serving the folder, and a
 * small in-memory model of what the list should hold at each seq.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { statusDataDir } from '../../../firmware-ts/status/list/index.js';
import { StatusListStore } from '../../../firmware-ts/status/list/index.js';
import { syncOnce, type SyncOutcome } from '../../../firmware-ts/status/sync/index.js';
import { parseTrustList, type TrustList } from '../../../firmware-ts/verify/trust-list.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';
import { generateRoot } from '../../../sim/authority/root-keys.js';
import { signPublication, type DocumentForgery } from '../../../sim/authority/signed-publications.js';
import { publishNext, type DocumentToPublish, type PublisherState } from '../../../sim/status/status-publisher.js';
import { StatusServer } from '../../../sim/status/status-server.js';

/** Publication times start a day before the real clock (the CLI judges the clock against them). */
export const T0 = Math.floor(Date.now() / 1000) - 86_400;

export function tempDir(prefix = 'roadscan-sl-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function randomKeyHex(): string {
  return randomBytes(16).toString('hex');
}

/** One scanner (database + data dir) and one authority publishing to one server. */
export class StatusWorld {
  readonly root = tempDir();
  readonly publishDir = join(this.root, 'www');
  readonly dbFile = join(this.root, 'scanner.db');
  readonly dataDir = statusDataDir(this.dbFile);
  readonly authority = TestAuthority.create();
  /** The authority's offline root, 2 of 3; the scanner's anchor names it. */
  readonly rootKeys = generateRoot(3, 2);
  readonly trust: TrustList = parseTrustList(this.authority.trustList(1, { root: this.rootKeys }));
  db: Db = openDatabase(this.dbFile);
  /** Expected content at each published seq: hex key -> status (absent = 0). */
  readonly model = new Map<number, Map<string, number>>();
  server!: StatusServer;
  private iat = T0;

  static async create(): Promise<StatusWorld> {
    const w = new StatusWorld();
    w.server = await StatusServer.start(w.publishDir);
    return w;
  }

  /** Publishes the next seq with these changes; returns the publisher state. */
  /** The authority's trust list of `version`, signed by its root as a scanner must see it (or forged). */
  signedTrust(version: number, forgery?: DocumentForgery): DocumentToPublish {
    const json = JSON.stringify(this.authority.trustList(version, { root: this.rootKeys }));
    return { version, bytes: signPublication(json, { root: this.rootKeys, sl: this.authority.keys.sl }, forgery) };
  }

  publish(
    changes: Record<string, number> | Map<string, number>,
    opts: { newSnapshot?: boolean; keepDeltas?: number; trust?: unknown; trustDocument?: DocumentToPublish; rules?: Record<string, DocumentToPublish | null> } = {},
  ): PublisherState {
    const ch = changes instanceof Map ? changes : new Map(Object.entries(changes));
    this.iat += 3600;
    const state = publishNext({ dir: this.publishDir, key: this.authority.keys.sl, iat: this.iat, changes: ch, ...opts });
    const prev = this.model.get(state.seq - 1) ?? new Map<string, number>();
    const next = new Map(prev);
    for (const [k, s] of ch) {
      if (s === 0) next.delete(k);
      else next.set(k, s);
    }
    this.model.set(state.seq, next);
    return state;
  }

  sync(extra: Partial<Parameters<typeof syncOnce>[0]> = {}): Promise<SyncOutcome> {
    return syncOnce({ db: this.db, dataDir: this.dataDir, baseUrl: this.server.url, trust: this.trust, timeoutMs: 10_000, ...extra });
  }

  openStore(): StatusListStore {
    return StatusListStore.open(this.db, this.dataDir);
  }

  /**
   * Every key ever published (or only `only`), and some absent ones, answers as the model of
   * `seq` says; returns the disagreements.
   */
  expectMatches(store: StatusListStore, seq: number, extraAbsent: string[] = [], only?: readonly string[]): string[] {
    const model = this.model.get(seq)!;
    const wrong: string[] = [];
    const keys = new Set(only ?? model.keys());
    for (const k of extraAbsent) keys.add(k);
    if (!only) for (const seen of this.model.values()) for (const k of seen.keys()) keys.add(k);
    for (const k of keys) {
      const got = store.statusOf(Buffer.from(k, 'hex'));
      const want = model.get(k) ?? 0;
      if (got !== want) wrong.push(`${k}: got ${got}, want ${want}`);
    }
    return wrong;
  }

  async close(): Promise<void> {
    await this.server.close();
    try {
      this.db.close();
    } catch {
      // already closed
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
