/**
 * One sync as docs/STATUS-LIST.md describes it: fetch and verify the manifest, refuse a rollback,
 * check the signed trust list and rules documents (signed-updates.ts: any refusal refuses the
 * whole sync), fetch a delta chain or the snapshot, then switch to the new list, trust list and
 * rules data in ONE small transaction.
 *
 * Before that transaction nothing the scanner reads has changed: a new snapshot is a file the
 * state row does not name yet, delta rows carry a seq above the state's. A SIGKILL or a power
 * cut at any instant therefore leaves the old list or the new one, whole; what an interrupted
 * sync left behind is swept by the next one. Failures never throw: the outcome says why in one
 * line and the list stays exactly as it was.
 * @module
 */
import { join } from 'node:path';
import type { Db } from '../../store/database.js';
import type { TrustList } from '../../verify/trust-list.js';
import { applyDeltaFile } from './delta-applier.js';
import {
  SnapshotReader,
  SyncLock,
  ensureDir,
  indexFileFor,
  migrateStatusList,
  readState,
  recordSyncAttempt,
  removeQuietly,
  sweepLeftovers,
  type StatusLog,
  type StatusStateRow,
} from '../list/index.js';
import { MAX_MANIFEST_BYTES, verifyManifest } from './manifest.js';
import { oneLine } from '../../core/text-safety.js';
import { SyncError } from './sync-error.js';
import { downloadDelta, downloadSnapshot, fetchConditional, fetchSmall, parseBaseUrl, type DownloadContext } from './sync-downloads.js';
import { checkSignedUpdates } from './signed-updates.js';
import { SignedStore } from '../../signed-store/index.js';
import type { RulesName } from '../../rules/rules-data.js';
import type { MinRate } from './http-get.js';
import { removePartials } from './resumable-download.js';
import { planSync, snapshotPlan } from './sync-plan.js';

export interface SyncProgress {
  /** The file being fetched (its path under the base URL), or `apply` while rows are written. */
  file: string;
  done: number;
  /** Bytes (or records while applying) expected; null when unknown. */
  total: number | null;
}

export interface SyncOptions {
  db: Db;
  /** Folder of the snapshot files (`statusDataDir(dbFile)`). */
  dataDir: string;
  /** Where `manifest.cose` and the files it names are published. */
  baseUrl: string;
  /** The trust list the scanner holds: the manifest must be signed by one of its SL keys; its root authorises signed documents. */
  trust: TrustList;
  /** Versions of the rules data in force (shipped, configured or synced); a rules document must be above them. */
  heldRules?: Readonly<Partial<Record<RulesName, number | null>>>;
  /** Give up on a request when no byte arrives for this long. */
  timeoutMs: number;
  onProgress?(p: SyncProgress): void;
  log?: StatusLog & { info?(msg: string): void };
  /** Milliseconds since the epoch, for the sync record (default Date.now). */
  now?(): number;
  /**
   * The check instant in seconds against which signed documents' `expires` is judged: the
   * clock-floor time (`Runtime.time().nowSec`), so a clock set back checks at the floor
   * (default: `now()` in seconds).
   */
  checkSec?(): number;
  /** Ends every request at once (the service is stopping); the sync then fails as "stopped". */
  signal?: AbortSignal;
  /** Cut a transfer below this rate over any window (default 1 KiB/s over 60 s). */
  minRate?: MinRate;
  /** Counts every body byte received. */
  onBytes?(n: number): void;
}

export interface SyncOutcome {
  ok: boolean;
  /** The seq held after this sync (the new one, or the old one when it failed). */
  seq: number | null;
  applied: 'snapshot' | 'deltas' | 'none';
  /** Listed keys held after this sync. */
  entries: number;
  /** iat of the manifest verified now (or of the last one when this sync failed). */
  iat: number | null;
  /** Version of a trust list this sync accepted, when it accepted one. */
  trustVersion?: number;
  /** Rules data this sync accepted: name -> version. */
  rules?: Record<string, number>;
  /** Why the sync was refused or failed, in one line. */
  error?: string;
  /** The server answered 304 to If-None-Match: nothing new, and the list's age did not change. */
  notModified?: boolean;
}

const LOCK_RENEW_MS = 10_000;
/** docs/STATUS-LIST.md: a transfer slower than 1 KiB/s over any 60 s is cut off. */
export const DEFAULT_MIN_RATE: MinRate = { bytesPerSec: 1024, windowMs: 60_000 };

export async function syncOnce(opts: SyncOptions): Promise<SyncOutcome> {
  const now = opts.now ?? Date.now;
  migrateStatusList(opts.db);
  ensureDir(opts.dataDir);
  const lock = SyncLock.tryAcquire(opts.db, now());
  if (typeof lock === 'string') return failure(opts.db, readState(opts.db), lock, now());
  let lastRenew = now();
  const ctx: Omit<DownloadContext, 'baseUrl'> = {
    dataDir: opts.dataDir,
    timeoutMs: opts.timeoutMs,
    token: lock.token,
    created: [],
    minRate: opts.minRate ?? DEFAULT_MIN_RATE,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
    progress: (file, done, total) => {
      if (now() - lastRenew > LOCK_RENEW_MS) {
        lastRenew = now();
        if (!lock.renew(lastRenew)) throw new SyncError('lost the sync lock (another sync took over)');
      }
      opts.onProgress?.({ file, done, total });
    },
  };
  const readers: SnapshotReader[] = [];
  const start = readState(opts.db);
  try {
    await sweepLeftovers(opts.db, opts.dataDir);
    const outcome = await runSync(opts, { ...ctx, baseUrl: parseBaseUrl(opts.baseUrl) }, lock, start, readers);
    ctx.created.length = 0;
    recordSyncAttempt(opts.db, now(), null);
    return outcome;
  } catch (err) {
    const msg = err instanceof SyncError ? err.message : `sync failed: ${oneLine((err as Error).message ?? String(err), 300)}`;
    opts.log?.warn(`status list sync: ${msg}`);
    for (const r of readers) r.close();
    readers.length = 0;
    for (const f of ctx.created) removeQuietly(f);
    await sweepLeftovers(opts.db, opts.dataDir).catch(() => undefined);
    return failure(opts.db, readState(opts.db), msg, now());
  } finally {
    for (const r of readers) r.close();
    lock.release();
  }
}

async function runSync(opts: SyncOptions, ctx: DownloadContext, lock: SyncLock, start: StatusStateRow, readers: SnapshotReader[]): Promise<SyncOutcome> {
  // The trust list and rules documents sync accepts are kept there (signed-store/), switched with the list.
  const kept = new SignedStore(opts.db);
  // The held list proves itself whole first: a damaged or missing one needs a full snapshot
  // (deltas cannot apply to it, and "nothing new" would leave it damaged), so no If-None-Match.
  let held: SnapshotReader | null = null;
  let heldWhole = start.base_file === null;
  if (start.base_file !== null) {
    held = openHeldBase(opts.dataDir, start);
    if (held) {
      readers.push(held);
      heldWhole = true;
    } else {
      opts.log?.warn('status list: the held snapshot file is damaged or missing; fetching the whole snapshot');
    }
  }
  // Spec 1.2: an ETag counts only for the base URL it came from; another URL starts clean, with a
  // plain GET and a full check, so a 304 from a stranger can never pass for "nothing new".
  const etag = start.seq !== null && heldWhole && start.manifest_etag_url === ctx.baseUrl.href ? start.manifest_etag : null;
  const got = await fetchConditional(ctx, 'manifest.cose', MAX_MANIFEST_BYTES, etag);
  if (got.body === null) {
    opts.log?.info?.(`status list: manifest not modified (seq ${start.seq}); the list's age stays`);
    return { ok: true, seq: start.seq, applied: 'none', entries: start.entries, iat: start.iat, notModified: true };
  }
  const m = verifyManifest(got.body, opts.trust);
  const overlayRows = (opts.db.prepare('SELECT count(*) AS n FROM status_overlay WHERE base_id = ?').get(start.base_id) as { n: number }).n;
  let plan = planSync(start.seq, m, overlayRows); // refuses a rollback in any case
  if (!heldWhole) plan = snapshotPlan(m);
  // Trust and rules first: they are small, and a refused one refuses the whole sync before any
  // large download.
  const signed = await checkSignedUpdates((path, max) => fetchSmall(ctx, path, max), m, {
    trust: opts.trust,
    trustSha256: kept.trustSha256(),
    rules: opts.heldRules ?? {},
    nowSec: opts.checkSec ? opts.checkSec() : Math.floor((opts.now ?? Date.now)() / 1000),
  });
  for (const note of signed.notes) opts.log?.info?.(`status list: ${note}`);
  const trust = signed.trust;

  let base = {
    id: start.base_id,
    file: start.base_file,
    seq: start.base_seq,
    count: start.base_count,
    sha256: start.base_sha256,
  };
  let entries = start.entries;
  let unknown = 0;
  if (plan.kind === 'deltas' && !held) plan = snapshotPlan(m);
  if (plan.kind !== 'none') {
    let reader: SnapshotReader;
    if (plan.kind === 'snapshot') {
      const snap = await downloadSnapshot(ctx, m.snap);
      readers.push(snap.reader);
      reader = snap.reader;
      base = { id: snap.baseId, file: snap.name, seq: m.snap.seq, count: m.snap.count, sha256: m.snap.sha256 };
      entries = snap.info.listed;
      unknown += snap.info.unknownStatus;
    } else {
      reader = held!;
    }
    for (const d of plan.chain) {
      const tmp = await downloadDelta(ctx, d);
      const r = await applyDeltaFile(tmp, d, {
        db: opts.db,
        baseId: base.id!,
        base: reader,
        onChunk: (done, total) => ctx.progress('apply', done, total),
      });
      removeQuietly(tmp);
      entries += r.listedChange;
      unknown += r.unknownStatus;
    }
  }
  if (unknown > 0) {
    opts.log?.warn(`status list seq ${m.seq}: ${unknown} entries carry an unknown status byte; they count as revoked`);
  }

  const now = (opts.now ?? Date.now)();
  const iat = Math.max(start.iat ?? 0, m.iat);
  opts.db
    .transaction(() => {
      if (!lock.held()) throw new SyncError('lost the sync lock (another sync took over)');
      if (readState(opts.db).gen !== start.gen) throw new SyncError('the list changed during this sync');
      opts.db
        .prepare(
          `UPDATE status_state SET gen = gen + 1, seq = ?, iat = ?, base_id = ?, base_file = ?, base_seq = ?,
             base_count = ?, entries = ?, synced_ms = ?, manifest_etag = ?, manifest_etag_url = ?, base_sha256 = ?, damaged = NULL
           WHERE id = 1`,
        )
        .run(m.seq, iat, base.id, base.file, base.seq, base.count, entries, now, got.etag, got.etag === null ? null : ctx.baseUrl.href, base.sha256);
      kept.writeSynced({ trust: trust ? { json: trust.json, version: trust.list.version, sha256: trust.sha256 } : null, rules: signed.rules }, now);
    })
    .immediate();

  // The new list is in place. What the old one used goes now or at the next sync.
  for (const r of readers) r.close();
  readers.length = 0;
  if (plan.kind === 'snapshot' && start.base_file) {
    removeQuietly(join(opts.dataDir, start.base_file));
    removeQuietly(join(opts.dataDir, indexFileFor(start.base_file)));
  }
  await sweepLeftovers(opts.db, opts.dataDir);
  removePartials(opts.dataDir);
  opts.log?.info?.(`status list: seq ${m.seq} (${plan.kind}), ${entries} entries, iat ${m.iat}`);
  if (trust) {
    opts.log?.info?.(`trust list: version ${trust.list.version} accepted (${trust.steps.length} version(s), ${trust.rotations} root rotation(s))`);
  }
  for (const r of signed.rules) opts.log?.info?.(`rules ${r.name}: version ${r.version} accepted`);
  return {
    ok: true,
    seq: m.seq,
    applied: plan.kind,
    entries,
    iat,
    ...(trust ? { trustVersion: trust.list.version } : {}),
    ...(signed.rules.length > 0 ? { rules: Object.fromEntries(signed.rules.map((r) => [r.name, r.version])) } : {}),
  };
}

/** The snapshot the held list stands on, or null when its file is missing or damaged. */
function openHeldBase(dataDir: string, st: StatusStateRow): SnapshotReader | null {
  if (!st.base_file) return null;
  const file = join(dataDir, st.base_file);
  try {
    if (st.damaged) return null;
    return SnapshotReader.open(file, indexFileFor(file), { seq: st.base_seq!, count: st.base_count!, sha256: st.base_sha256 });
  } catch {
    return null;
  }
}

function failure(db: Db, st: StatusStateRow, error: string, atMs: number): SyncOutcome {
  recordSyncAttempt(db, atMs, error);
  return { ok: false, seq: st.seq, applied: 'none', entries: st.entries, iat: st.iat, error };
}
