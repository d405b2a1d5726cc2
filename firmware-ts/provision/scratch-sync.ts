/**
 * The anchor tried against the publication before anything of the device changes: one full sync
 * into a scratch database that is removed again (`provision`, `provision --check-anchor`).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrustList } from '../verify/trust-list.js';
import { checkAnchor, checkUrl, describeAnchor } from './anchor-checks.js';
import { ProvisionError } from './provision-error.js';

/**
 * One full sync with `trust` from `statusUrl` into a scratch database that is removed again: the
 * URL answers, its manifest is signed by an SL key of the anchor, every file checks out. Nothing
 * of the device is touched; a refusal is a `ProvisionError` with the sync's one line.
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
      if (!outcome.ok) throw new ProvisionError(`the status list at the URL was refused with this anchor: ${outcome.error}; nothing was changed`);
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
