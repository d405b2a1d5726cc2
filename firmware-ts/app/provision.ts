/**
 * Provisioning (docs/DESIGN.md, "Provisioning"): a device is useless without its first trust
 * anchor, so the step that gives it one must never say "done" before the device scans. In order:
 * the anchor is checked (a trust list that can serve, docs/CREDENTIALS.md section 5) before
 * anything changes; it is installed beside the configuration by an atomic rename; the
 * configuration is rewritten the same way with the anchor and the status-list URL, and checked
 * as the service will read it; one sync runs with that anchor (docs/STATUS-LIST.md); and only a
 * service answering `/healthz` with its scanner open counts as done.
 *
 * Every step says one line; the first that fails ends the provisioning with its reason. A bad
 * anchor or configuration changes nothing (a `SetupError`); a failed sync or a silent service
 * leaves the anchor installed (it was checked) and reports "not done".
 * @module
 */
import { chmodSync, chownSync, closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import { parseConfig } from '../config/parse.js';
import type { Config } from '../config/schema.js';
import { oneLine } from '../core/text-safety.js';
import { refuseUnlessCurrent } from '../signed/expiry.js';
import { SignedUpdateError } from '../signed/signed-update-error.js';
import { parseTrustList, TrustListError, type TrustList } from '../verify/trust-list.js';
import { waitForScanning } from '../health/health-probe.js';
import { rulesInForceFor, rulesVersions } from './rules.js';
import { openRuntime } from './runtime.js';
import { SetupError } from './setup-error.js';
import { chooseTrust, syncedTrust } from './trust.js';

/** A trust list is a few kB per issuer; more than this is not an anchor. */
const MAX_ANCHOR_BYTES = 4 << 20;
const MAX_CONFIG_BYTES = 1 << 20;
const LOCK_RETRIES = 30;
const LOCK_RETRY_MS = 1000;

export interface ProvisionOptions {
  /** The configuration to write the anchor and URL into (it must exist: the installer writes it first). */
  configFile: string;
  /** The trust anchor to install (a trust list, JSON). */
  anchorFile: string;
  /** Base URL of the status-list publication. */
  statusUrl: string;
  /** How long to wait for the service's `/healthz` to say it scans; 0 leaves the service unchecked. */
  waitMs: number;
  /** Ends the sync and the wait at once (Ctrl-C). */
  signal?: AbortSignal;
  /** One line per step, as it happens. */
  say(line: string): void;
  /** Take an anchor older than or unrelated to the trust list in force (said, by what it replaces). */
  replaceTrust?: boolean;
}

export interface ProvisionResult {
  /** True when every step passed (with `waitMs` 0: anchor, configuration and sync). */
  done: boolean;
  /** Why not, in one line; null when done. */
  reason: string | null;
  /** Where the anchor is now. */
  anchorPath: string;
  trustVersion: number;
  seq: number | null;
  /** `true`: `/healthz` said scanning; `false`: it did not within the wait; null: not checked. */
  scanning: boolean | null;
}

/** Reads and checks a trust anchor; a `SetupError` with one line when it cannot serve. */
export function checkAnchor(file: string, nowSec: number = Math.floor(Date.now() / 1000)): { bytes: Buffer; trust: TrustList } {
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_ANCHOR_BYTES) throw new SetupError(`trust anchor ${file}: larger than 4 MiB, not a trust list`);
    bytes = readFileSync(file);
  } catch (err) {
    if (err instanceof SetupError) throw err;
    throw new SetupError(`trust anchor ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new SetupError(`trust anchor ${file}: not valid JSON (${oneLine((err as Error).message, 120)})`);
  }
  let trust: TrustList;
  try {
    trust = parseTrustList(json);
  } catch (err) {
    if (err instanceof TrustListError) throw new SetupError(`trust anchor ${file}: ${err.message}`);
    throw err;
  }
  // Spec 1.2: an anchor with a root is a signed document's payload; installed without expires, or
  // past it, it could only ever serve stale (a version-1 list, without root, is configuration).
  if (trust.root) {
    try {
      refuseUnlessCurrent(`version ${trust.version}`, trust.expires, nowSec);
    } catch (err) {
      if (err instanceof SignedUpdateError) throw new SetupError(`trust anchor ${file}: ${err.message}`);
      throw err;
    }
  }
  return { bytes, trust };
}

/** Writes `bytes` to `file` so that a power cut leaves the old file or the new one, never half. */
export function writeFileAtomically(file: string, bytes: string | Buffer, mode = 0o644, owner: { uid: number; gid: number } | null = null): void {
  const tmp = join(dirname(file), `.${basename(file)}.new`);
  rmSync(tmp, { force: true });
  writeFileSync(tmp, bytes, { mode, flag: 'wx' });
  chmodSync(tmp, mode);
  if (owner) chownSync(tmp, owner.uid, owner.gid);
  const fd = openSync(tmp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** The service user, as the owner of the database's folder, when run as root (else the files stay the caller's). */
function serviceOwner(dbFile: string | null): { uid: number; gid: number } | null {
  if (dbFile === null || typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  try {
    const st = statSync(dirname(dbFile));
    return st.uid === 0 ? null : { uid: st.uid, gid: st.gid };
  } catch {
    return null;
  }
}

/**
 * `--replace-trust`: the trust list sync accepted, the status list and the rules data it brought
 * belong to the trust being replaced; forgotten in one transaction, so the new anchor is in force
 * and its publication's list (whatever its seq) is taken whole at the next sync.
 */
async function forgetSyncedTrust(configFile: string): Promise<void> {
  const { forgetSyncedTrust: forget } = await import('../signed-store/index.js');
  const rt = await openRuntime({ config: configFile });
  try {
    forget(rt.db);
  } finally {
    rt.close();
  }
}

function describeAnchor(t: TrustList): string {
  const root = t.root ? `, root ${t.root.threshold} of ${t.root.keys.length}` : ', no root (a later list can only come by configuration)';
  return `version ${t.version}, ${t.keys.length} issuer keys${root}`;
}

/** The configuration as it will be with the anchor and the URL, checked as the service reads it. */
function configuredWith(configFile: string, anchorName: string, statusUrl: string): { text: string; config: Config } {
  let raw: Record<string, unknown>;
  try {
    if (statSync(configFile).size > MAX_CONFIG_BYTES) throw new SetupError(`configuration ${configFile}: larger than 1 MiB`);
    raw = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SetupError) throw err;
    throw new SetupError(`configuration ${configFile}: ${(err as NodeJS.ErrnoException).code ? 'cannot read' : 'not valid JSON'}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SetupError(`configuration ${configFile}: not a JSON object`);
  const statusList = raw.statusList && typeof raw.statusList === 'object' ? (raw.statusList as Record<string, unknown>) : {};
  const next = { ...raw, trustFile: raw.trustFile ?? anchorName, statusList: { ...statusList, url: statusUrl } };
  try {
    return { text: `${JSON.stringify(next, null, 2)}\n`, config: parseConfig(next, configFile) };
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupError(`configuration ${err.message}`);
    throw err;
  }
}

export function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SetupError(`--status-url: not a URL: ${JSON.stringify(oneLine(url, 200))}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new SetupError(`--status-url: expected an http:// or https:// URL, got ${u.protocol}//`);
  // Never echoed: the line would carry the secret.
  if (u.username || u.password) {
    throw new SetupError('--status-url: a URL carrying a user name or password is refused (it would be shown, logged and stored in clear); nothing was changed');
  }
}

/**
 * One full sync with `trust` from `statusUrl` into a scratch database that is removed again: the
 * URL answers, its manifest is signed by an SL key of the anchor, every file checks out. Nothing
 * of the device is touched; a refusal is a `SetupError` with the sync's one line.
 */
export async function scratchSync(trust: TrustList, statusUrl: string, signal?: AbortSignal): Promise<{ seq: number | null; entries: number }> {
  const { openDatabase } = await import('../store/database.js');
  const { statusDataDir } = await import('../status/list/index.js');
  const { syncOnce } = await import('../status/sync/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'roadscan-provision-check-'));
  try {
    const dbFile = join(dir, 'check.db');
    const db = openDatabase(dbFile);
    try {
      const outcome = await syncOnce({ db, dataDir: statusDataDir(dbFile), baseUrl: statusUrl, trust, timeoutMs: 30_000, ...(signal ? { signal } : {}) });
      if (!outcome.ok) throw new SetupError(`the status list at the URL was refused with this anchor: ${outcome.error}; nothing was changed`);
      return { seq: outcome.seq, entries: outcome.entries };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The anchor and the URL checked, and one full sync into a scratch database (`provision --check-anchor`); changes nothing. */
export async function checkAnchorAndUrl(anchorFile: string, statusUrl: string | null, say: (line: string) => void, signal?: AbortSignal): Promise<void> {
  if (statusUrl !== null) checkUrl(statusUrl);
  const { trust } = checkAnchor(anchorFile);
  say(`trust anchor ok: ${describeAnchor(trust)}`);
  if (statusUrl === null) return;
  const s = await scratchSync(trust, statusUrl, signal);
  say(`status list ok with this anchor: seq ${s.seq}, ${s.entries} entries (checked in a scratch database, nothing kept)`);
}

/** Why an anchor may not replace the trust list in force without `--replace-trust`, or null. */
export function anchorConflict(anchor: TrustList, inForce: TrustList): string | null {
  if (anchor.version < inForce.version) return `older than the trust list in force (version ${anchor.version} < ${inForce.version})`;
  const shared = (a: readonly { kidHex: string }[], b: readonly { kidHex: string }[]) => a.some((k) => b.some((x) => x.kidHex === k.kidHex));
  const related = anchor.root && inForce.root ? shared(anchor.root.keys, inForce.root.keys) : shared(anchor.keys, inForce.keys);
  if (!related) return `unrelated to the trust list in force (version ${inForce.version}): no ${anchor.root && inForce.root ? 'root' : 'issuer'} key in common`;
  return null;
}

/** The trust list in force on this device now (configured or synced), or null on a fresh one. */
async function trustInForceNow(configFile: string): Promise<TrustList | null> {
  try {
    const rt = await openRuntime({ config: configFile });
    try {
      return chooseTrust(rt, syncedTrust(rt));
    } finally {
      rt.close();
    }
  } catch {
    return null;
  }
}

export async function provision(opts: ProvisionOptions): Promise<ProvisionResult> {
  const { say } = opts;
  checkUrl(opts.statusUrl);
  // 1. The anchor, the URL, the trust in force and the configuration are checked, and one full
  // sync runs into a scratch database, before anything changes: all of it, or nothing.
  const { bytes, trust } = checkAnchor(opts.anchorFile);
  say(`trust anchor ok: ${describeAnchor(trust)}`);
  const inForce = await trustInForceNow(opts.configFile);
  const conflict = inForce ? anchorConflict(trust, inForce) : null;
  if (conflict && !opts.replaceTrust) {
    throw new SetupError(`trust anchor ${opts.anchorFile}: ${conflict}; nothing was changed (give --replace-trust to replace it)`);
  }
  if (conflict && inForce) say(`replacing the trust list in force, version ${inForce.version} (${conflict.split(' (')[0]}), by this anchor (--replace-trust)`);
  const checked = await scratchSync(trust, opts.statusUrl, opts.signal);
  say(`status list ok with this anchor: seq ${checked.seq}, ${checked.entries} entries`);
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    loaded = await loadConfig(opts.configFile);
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupError(`configuration ${err.message}`);
    throw err;
  }
  const anchorPath = loaded.config.trustFile ? loaded.resolvePath(loaded.config.trustFile) : join(dirname(loaded.file), 'trust.json');
  const { text } = configuredWith(loaded.file, 'trust.json', opts.statusUrl);

  // 2. Installed: the anchor first, so the configuration never names a file that is not there;
  // both 0600 and owned by the service user (the owner of the database's folder).
  try {
    const owner = serviceOwner(loaded.config.db ? loaded.resolvePath(loaded.config.db) : null);
    writeFileAtomically(anchorPath, bytes, 0o600, owner);
    writeFileAtomically(loaded.file, text, 0o600, owner);
  } catch (err) {
    if (err instanceof SetupError) throw err;
    throw new SetupError(`cannot install into ${dirname(anchorPath)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (conflict) await forgetSyncedTrust(loaded.file);
  const installedSec = Date.now() / 1000;
  say(`installed ${anchorPath}; ${loaded.file}: trustFile and statusList.url ${opts.statusUrl}`);
  const result: ProvisionResult = { done: false, reason: null, anchorPath, trustVersion: trust.version, seq: null, scanning: null };

  // 3. The configuration as the service will read it, and one sync with the anchor it names.
  // A running service may be syncing this very database: its lease is short, so wait it out.
  let outcome = await syncWith(loaded.file, opts.signal);
  for (let i = 0; i < LOCK_RETRIES && !outcome.ok && /^another sync is running/.test(outcome.error ?? '') && !opts.signal?.aborted; i++) {
    await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    outcome = await syncWith(loaded.file, opts.signal);
  }
  result.seq = outcome.seq;
  if (!outcome.ok) return { ...result, reason: `first sync failed: ${outcome.error}` };
  say(`first sync: status list seq ${outcome.seq}, ${outcome.applied === 'none' ? 'already current' : `applied ${outcome.applied}`}, ${outcome.entries} entries`);
  // The device key the audit checkpoints are signed with (audit/device-key.ts): made once, kept
  // after; SM2 when the anchor's keys (its root's, or all it lists) are SM2, else Ed25519.
  const key = await deviceKeyStep(loaded.file, (trust.root ? trust.root.keys.map((k) => k.publicKey.alg) : trust.keys.map((k) => k.publicKey.alg)) as string[]);
  if ('error' in key) return { ...result, reason: key.error };
  say(key.line);

  // 4. Done only when the service scans.
  if (opts.waitMs <= 0) return { ...result, done: true };
  // The service reads its anchor at start: one running since before the anchor does not count.
  say(`waiting up to ${Math.round(opts.waitMs / 1000)} s for a service started after the anchor went in (on a device: sudo systemctl restart roadscan)`);
  const health = await checkService(loaded.file, opts.waitMs, opts.signal, installedSec);
  if (!health.scanning) return { ...result, scanning: false, reason: health.reason };
  say(health.line);
  return { ...result, scanning: true, done: true };
}

/** `roadscan provision --check`: changes nothing, waits for the service to scan. */
export async function checkService(
  configFile: string,
  waitMs: number,
  signal?: AbortSignal,
  startedSinceSec?: number,
): Promise<{ scanning: true; line: string } | { scanning: false; reason: string }> {
  let config: Config;
  try {
    config = (await loadConfig(configFile)).config;
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupError(`configuration ${err.message}`);
    throw err;
  }
  if (!config.health.enabled) return { scanning: false, reason: 'the health endpoint is off (health.enabled false): nothing can confirm that the service scans' };
  return waitForScanning({
    host: config.health.host,
    port: config.health.port,
    waitMs,
    ...(signal ? { signal } : {}),
    ...(startedSinceSec !== undefined ? { startedSinceSec } : {}),
  });
}

async function deviceKeyStep(configFile: string, anchorKeyAlgs: readonly string[]): Promise<{ line: string } | { error: string }> {
  const { makeDeviceKey, deviceKeyAlgFor, deviceKeyFiles, DeviceKeyError } = await import('../audit/device-key.js');
  const rt = await openRuntime({ config: configFile });
  try {
    if (rt.dbFile === ':memory:') return { line: 'device key: none (the database is in memory)' };
    const wanted = deviceKeyAlgFor(anchorKeyAlgs);
    const { key, made } = makeDeviceKey(rt.dbFile, wanted);
    // A device never changes its key (a new key is a new identity the collector refuses): said, not silent.
    const kept = key.info.alg === wanted ? '' : `; the trust list's keys are ${wanted}, but a device keeps the key it was given (a new one only with a new database)`;
    return { line: `device key: ${key.info.alg} ${key.info.id} ${made ? 'made' : 'kept'} (${deviceKeyFiles(rt.dbFile).publicFile})${kept}` };
  } catch (err) {
    return { error: err instanceof DeviceKeyError ? err.message : `device key: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  } finally {
    rt.close();
  }
}

async function syncWith(configFile: string, signal?: AbortSignal) {
  const { statusDataDir } = await import('../status/list/index.js');
  const { syncOnce } = await import('../status/sync/index.js');
  const rt = await openRuntime({ config: configFile });
  try {
    const cfg = rt.config;
    const dataDir = statusDataDir(rt.dbFile);
    const trust = chooseTrust(rt, syncedTrust(rt));
    const outcome = await syncOnce({
      db: rt.db,
      dataDir,
      baseUrl: cfg.statusList.url!,
      trust,
      heldRules: rulesVersions(rulesInForceFor(rt)),
      checkSec: () => rt.time().nowSec,
      timeoutMs: cfg.statusList.timeoutSec * 1000,
      minRate: { bytesPerSec: cfg.statusList.minRateBytesPerSec, windowMs: cfg.statusList.minRateWindowSec * 1000 },
      ...(signal ? { signal } : {}),
    });
    // A verified manifest's iat is signed time: it raises the clock floor (docs/DESIGN.md).
    if (outcome.ok && outcome.iat !== null) rt.clockFloor.raise(outcome.iat, 'manifest');
    return outcome;
  } finally {
    rt.close();
  }
}
