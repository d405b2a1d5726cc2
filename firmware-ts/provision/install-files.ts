/**
 * Installing the anchor and the configuration: each file written so that a power cut leaves the
 * old one or the new one, never half; owned by the service user when run as root; the
 * configuration rewritten with the anchor and the status-list URL and checked as the service
 * will read it before it is written.
 * @module
 */
import { chmodSync, chownSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../config/load.js';
import { parseConfig } from '../config/parse.js';
import type { Config } from '../config/schema.js';
import { ProvisionError } from './provision-error.js';

const MAX_CONFIG_BYTES = 1 << 20;

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
export function serviceOwner(dbFile: string | null): { uid: number; gid: number } | null {
  if (dbFile === null || typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  try {
    const st = statSync(dirname(dbFile));
    return st.uid === 0 ? null : { uid: st.uid, gid: st.gid };
  } catch {
    return null;
  }
}

/** The configuration as it will be with the anchor and the URL, checked as the service reads it. */
export function configuredWith(configFile: string, anchorName: string, statusUrl: string): { text: string; config: Config } {
  let raw: Record<string, unknown>;
  try {
    if (statSync(configFile).size > MAX_CONFIG_BYTES) throw new ProvisionError(`configuration ${configFile}: larger than 1 MiB`);
    raw = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ProvisionError) throw err;
    throw new ProvisionError(`configuration ${configFile}: ${(err as NodeJS.ErrnoException).code ? 'cannot read' : 'not valid JSON'}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ProvisionError(`configuration ${configFile}: not a JSON object`);
  const statusList = raw.statusList && typeof raw.statusList === 'object' ? (raw.statusList as Record<string, unknown>) : {};
  const next = { ...raw, trustFile: raw.trustFile ?? anchorName, statusList: { ...statusList, url: statusUrl } };
  try {
    return { text: `${JSON.stringify(next, null, 2)}\n`, config: parseConfig(next, configFile) };
  } catch (err) {
    if (err instanceof ConfigError) throw new ProvisionError(`configuration ${err.message}`);
    throw err;
  }
}
