/**
 * The demo scenario of `npm start`: a throwaway test authority, a status list that knows one
 * revoked licence, and a short script of scans that shows every colour of docs/DESIGN.md's feedback
 * table for a roadside check: green for a good live code, amber for a registration (the paper
 * one must travel with the vehicle), red for a screenshot gone stale, a forged code, a revoked
 * licence and something that is not a credential at all.
 *
 * The status list is the real thing, not a stand-in: the authority publishes it (signed with its
 * SL key) into a folder of the world, the real status server serves it on loopback, and the
 * scanner's real sync fetches, verifies and stores it in the scanner's database.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../firmware-ts/store/database.js';
import { statusDataDir } from '../../firmware-ts/status/list/index.js';
import { StatusListStore, type StatusListStoreOptions } from '../../firmware-ts/status/list/index.js';
import { syncOnce, type SyncOutcome } from '../../firmware-ts/status/sync/index.js';
import { parseTrustList } from '../../firmware-ts/verify/trust-list.js';
import { saveAuthority } from '../authority/authority-store.js';
import { generateRoot } from '../authority/root-keys.js';
import { TestAuthority, type IssuedCode } from '../authority/test-authority.js';
import { publishNext } from '../status/status-publisher.js';
import { StatusServer } from '../status/status-server.js';
import type { ScriptStep } from '../../hal/scanner/sim-scanner.js';

/** How long before "now" the demo's list was signed: recent, so no scan says STATUS_LIST_STALE. */
const LIST_AGE_SEC = 5 * 60;

export interface DemoWorld {
  authority: TestAuthority;
  /** Folder holding `authority.json` and `trust.json` (for `roadscan sim ... --dir`). */
  dir: string;
  trustFile: string;
  /** Folder of the published status list (`manifest.cose` and the files it names). */
  publishedDir: string;
  /** A live driving licence the traffic police revoked: listed with status 1 in the published list. */
  revoked: IssuedCode;
}

/**
 * Creates the authority and its files in `dir`, issues the licence it then revokes, and
 * publishes a status list (seq 1, signed a few minutes before `nowSec`) listing it.
 */
export function createDemoWorld(dir: string, nowSec: number): DemoWorld {
  mkdirSync(dir, { recursive: true });
  const authority = TestAuthority.create();
  // The anchor names an offline 2-of-3 root, kept in its own files (docs/STATUS-LIST.md "Signed documents").
  const { trustFile } = saveAuthority(dir, authority, generateRoot(3, 2));
  const revoked = authority.code({ type: 'DL', now: nowSec });
  const publishedDir = join(dir, 'published');
  publishNext({ dir: publishedDir, key: authority.keys.sl, iat: nowSec - LIST_AGE_SEC, changes: new Map([[revoked.statusKey, 1]]) });
  return { authority, dir, trustFile, publishedDir, revoked };
}

export interface DemoSyncOptions {
  /** Options of the opened store (its logger). */
  store?: StatusListStoreOptions;
  /** Told the outcome of the sync that succeeded and the address it fetched from. */
  onSynced?(outcome: SyncOutcome, url: string): void;
}

/**
 * Serves the world's published list on 127.0.0.1 (a free port), syncs it into `db` (the
 * database file `dbFile`) as `roadscan sync` would, stops the server and opens the list the
 * checker reads. A refused or failed sync throws, with the sync's one-line reason.
 */
export async function syncDemoStatusList(world: DemoWorld, db: Db, dbFile: string, opts: DemoSyncOptions = {}): Promise<StatusListStore> {
  const dataDir = statusDataDir(dbFile);
  const server = await StatusServer.start(world.publishedDir);
  let outcome: SyncOutcome;
  try {
    outcome = await syncOnce({ db, dataDir, baseUrl: server.url, trust: parseTrustList(world.authority.trustList()), timeoutMs: 5000 });
  } finally {
    await server.close();
  }
  if (!outcome.ok) throw new Error(`demo status list: ${outcome.error ?? 'sync failed'}`);
  opts.onSynced?.(outcome, server.url);
  return StatusListStore.open(db, dataDir, opts.store);
}

/**
 * A new database file `dbFile` holding the world's list, synced as above, every handle closed
 * again: for a `roadscan run` or `doctor` process (a test's, a benchmark's) that opens it next.
 */
export async function syncDemoDatabase(world: DemoWorld, dbFile: string): Promise<string> {
  const db = openDatabase(dbFile);
  try {
    (await syncDemoStatusList(world, db, dbFile)).close();
  } finally {
    db.close();
  }
  return dbFile;
}

/** Expected verdict of each step, for tests and for the demo's own check. */
export interface DemoStep extends ScriptStep {
  expect: 'accept' | 'warn' | 'reject';
}

/**
 * The scripted scans, made for the instant `nowSec` (live codes are generated seconds before
 * it; the revoked licence is the world's, made for the `nowSec` the world was created with).
 * `gapMs` spaces the scans so each pattern can be seen (the longest lasts 2 s).
 */
export function demoScenario(world: DemoWorld, nowSec: number, gapMs = 2400): DemoStep[] {
  const a = world.authority;
  const steps: Omit<DemoStep, 'afterMs'>[] = [
    {
      note: 'Driving licence: live code shown in the 12123 app',
      text: `]Q1${a.code({ type: 'DL', now: nowSec, genAgeSec: 3 }).text}`,
      expect: 'accept',
    },
    {
      note: 'Vehicle registration at the roadside: the paper one must be in the vehicle',
      text: a.code({ type: 'VR', now: nowSec, genAgeSec: 4 }).text,
      expect: 'warn',
    },
    {
      note: 'Screenshot of a live code taken 10 minutes ago',
      text: a.code({ type: 'DL', now: nowSec, genAgeSec: 600 }).text,
      expect: 'reject',
    },
    {
      note: 'Forged licence: one bit of the issuer signature changed',
      text: a.code({ type: 'DL', now: nowSec, flaw: 'issuer-signature' }).text,
      expect: 'reject',
    },
    { note: 'Licence revoked by the traffic police (status list)', text: world.revoked.text, expect: 'reject' },
    { note: 'Not a credential: a web link', text: 'https://example.com/pay?id=42', expect: 'reject' },
    {
      note: 'Driving licence again: green',
      text: a.code({ type: 'DL', now: nowSec, genAgeSec: 2 }).text,
      expect: 'accept',
    },
  ];
  return steps.map((s, i) => ({ ...s, afterMs: i === 0 ? 600 : gapMs }));
}
