/**
 * A kept status list is proven whole before it is trusted (docs/DESIGN.md, Faults): a flipped bit
 * anywhere in the kept snapshot or its index, or a truncated file, is detected, and the list then
 * reads as never synced (every scan STATUS_LIST_STALE) until a sync fetches a fresh snapshot,
 * never as "nothing revoked".
 */
import { readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatusWorld, randomKeyHex } from './status-fixture.js';

let w: StatusWorld;
const revoked: string[] = [];

beforeEach(async () => {
  w = await StatusWorld.create();
  revoked.length = 0;
  const changes: Record<string, number> = {};
  for (let i = 0; i < 3000; i++) {
    const k = randomKeyHex();
    changes[k] = 1; // REVOKED
    revoked.push(k);
  }
  w.publish(changes);
  expect((await w.sync()).ok).toBe(true);
});
afterEach(async () => {
  await w.close();
});

const snapFile = () => join(w.dataDir, readdirSync(w.dataDir).find((n) => n.endsWith('.rss'))!);
const idxFile = () => snapFile().replace(/\.rss$/, '.idx');

function flip(file: string, at: number): void {
  const b = readFileSync(file);
  b[at]! ^= 1 << (at % 8);
  writeFileSync(file, b);
}

/** Every revoked key answers revoked, or the list reads as never synced (STALE): never an accept. */
function neverAccepts(): { detected: boolean } {
  const store = w.openStore();
  try {
    let detected = false;
    for (const k of revoked) {
      const status = store.statusOf(Buffer.from(k, 'hex'));
      const iat = store.listIat();
      if (iat === null) detected = true;
      expect(status === 1 || iat === null, `key ${k}: status ${status} with a list of iat ${iat}`).toBe(true);
    }
    if (detected) expect(store.problem()).toMatch(/^status list damaged/);
    return { detected };
  } finally {
    store.close();
  }
}

describe('a kept list checked at rest', () => {
  it('a flipped bit anywhere in the snapshot is detected and never un-revokes', async () => {
    const size = readFileSync(snapFile()).length;
    const positions = [0, 5, 13, 16, 17 * 256 + 16, Math.floor(size / 2), size - 1];
    for (const at of positions) {
      const file = snapFile();
      const good = readFileSync(file);
      flip(file, at);
      expect(neverAccepts().detected, `flip at ${at}`).toBe(true);
      // Damage sticks (state row) until a fresh snapshot is fetched, and the next sync fetches one.
      const store = w.openStore();
      expect(store.listIat()).toBeNull();
      store.close();
      const out = await w.sync();
      expect(out, `sync after a flip at ${at}`).toMatchObject({ ok: true, applied: 'snapshot' });
      expect(readFileSync(snapFile()).equals(good)).toBe(true);
      const healed = w.openStore();
      expect(healed.listIat()).not.toBeNull();
      expect(w.expectMatches(healed, 1)).toEqual([]);
      healed.close();
    }
  });

  it('a flipped bit in the index file is caught: the index is rebuilt from the proven snapshot', () => {
    const size = readFileSync(idxFile()).length;
    for (const at of [0, 20, size - 40, size - 1]) flip(idxFile(), at);
    expect(neverAccepts().detected).toBe(false);
    const store = w.openStore();
    expect(w.expectMatches(store, 1)).toEqual([]);
    store.close();
  });

  it('a truncated snapshot reads as never synced, and `status` says damaged', async () => {
    truncateSync(snapFile(), 1000);
    const store = w.openStore();
    expect(store.listIat()).toBeNull();
    expect(store.statusOf(Buffer.from(revoked[0]!, 'hex')) === 1 || store.listIat() === null).toBe(true);
    expect(store.problem()).toMatch(/status list damaged: .*has 1000 bytes/);
    store.close();
    expect((await w.sync()).applied).toBe('snapshot');
  });

  it('status reads the whole file against its SHA-256 and marks a damaged list', () => {
    flip(snapFile(), 17 * 300 + 16);
    const store = w.openStore();
    expect(store.listIat()).not.toBeNull(); // the index proves itself; the bad block is not read yet
    expect(store.verifyAtRest()).toMatch(/damaged \(its SHA-256 differs/);
    expect(store.listIat()).toBeNull();
    store.close();
  });
});
