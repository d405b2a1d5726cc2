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
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import { parseConfig } from '../config/parse.js';
import type { Config } from '../config/schema.js';
import { oneLine } from '../core/text-safety.js';
import { parseTrustList, TrustListError, type TrustList } from '../verify/trust-list.js';
import { waitForScanning } from '../health/health-probe.js';
import { rulesInForceFor, rulesVersions } from './rules.js';
import { openRuntime } from './runtime.js';
import { SetupError } from './setup-error.js';
import { chooseTrust } from './trust.js';

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
export function checkAnchor(file: string): { bytes: Buffer; trust: TrustList } {
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
  try {
    return { bytes, trust: parseTrustList(json) };
  } catch (err) {
    if (err instanceof TrustListError) throw new SetupError(`trust anchor ${file}: ${err.message}`);
    throw err;
  }
}

/** Writes `bytes` to `file` so that a power cut leaves the old file or the new one, never half. */
export function writeFileAtomically(file: string, bytes: string | Buffer, mode = 0o644): void {
  const tmp = join(dirname(file), `.${basename(file)}.new`);
  writeFileSync(tmp, bytes, { mode });
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

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SetupError(`--status-url: not a URL: ${JSON.stringify(oneLine(url, 200))}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new SetupError(`--status-url: expected an http:// or https:// URL, got ${u.protocol}//`);
}

export async function provision(opts: ProvisionOptions): Promise<ProvisionResult> {
  const { say } = opts;
  checkUrl(opts.statusUrl);
  // 1. The anchor and the configuration are checked before anything changes.
  const { bytes, trust } = checkAnchor(opts.anchorFile);
  say(`trust anchor ok: ${describeAnchor(trust)}`);
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    loaded = await loadConfig(opts.configFile);
  } catch (err) {
    if (err instanceof ConfigError) throw new SetupError(`configuration ${err.message}`);
    throw err;
  }
  const anchorPath = loaded.config.trustFile ? loaded.resolvePath(loaded.config.trustFile) : join(dirname(loaded.file), 'trust.json');
  const { text } = configuredWith(loaded.file, 'trust.json', opts.statusUrl);

  // 2. Installed: the anchor first, so the configuration never names a file that is not there.
  try {
    writeFileAtomically(anchorPath, bytes);
    writeFileAtomically(loaded.file, text);
  } catch (err) {
    throw new SetupError(`cannot install into ${dirname(anchorPath)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
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
  // The device key the audit checkpoints are signed with (audit/device-key.ts): made once, kept after.
  const key = await deviceKeyStep(loaded.file);
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

async function deviceKeyStep(configFile: string): Promise<{ line: string } | { error: string }> {
  const { makeDeviceKey, deviceKeyFiles, DeviceKeyError } = await import('../audit/device-key.js');
  const rt = await openRuntime({ config: configFile });
  try {
    if (rt.dbFile === ':memory:') return { line: 'device key: none (the database is in memory)' };
    const { key, made } = makeDeviceKey(rt.dbFile);
    return { line: `device key: Ed25519 ${key.info.id} ${made ? 'made' : 'kept'} (${deviceKeyFiles(rt.dbFile).publicFile})` };
  } catch (err) {
    return { error: err instanceof DeviceKeyError ? err.message : `device key: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  } finally {
    rt.close();
  }
}

async function syncWith(configFile: string, signal?: AbortSignal) {
  const { StatusListStore, statusDataDir } = await import('../status/list/index.js');
  const { syncOnce } = await import('../status/sync/index.js');
  const rt = await openRuntime({ config: configFile });
  try {
    const cfg = rt.config;
    const dataDir = statusDataDir(rt.dbFile);
    const store = StatusListStore.open(rt.db, dataDir);
    const trust = chooseTrust(rt, store.trustJson());
    store.close();
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
