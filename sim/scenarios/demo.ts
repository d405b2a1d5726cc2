/**
 * The demo scenario of `npm start`: a throwaway test authority, a status list that knows one
 * revoked licence, and a short script of scans that shows every colour of DESIGN.md's feedback
 * table for a roadside check: green for a good live code, amber for a registration (the paper
 * one must travel with the vehicle), red for a screenshot gone stale, a forged code, a revoked
 * licence and something that is not a credential at all.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { saveAuthority } from '../authority/authority-store.js';
import { TestAuthority } from '../authority/test-authority.js';
import type { StatusSource } from '../../firmware-ts/status/status-source.js';
import type { ScriptStep } from '../../hal/scanner/sim-scanner.js';

export interface DemoWorld {
  authority: TestAuthority;
  /** Folder holding `authority.json` and `trust.json` (for `roadscan sim ... --dir`). */
  dir: string;
  trustFile: string;
  /** A list synced a few minutes ago, with the demo's revoked licence in it. */
  status: DemoStatusList;
}

/** An in-memory status list: what a scanner holds after a sync, without the sync. */
export class DemoStatusList implements StatusSource {
  private readonly entries = new Map<string, number>();
  constructor(private readonly iatSec: number) {}

  /** Lists a credential (hex entry key) with a status byte (1 revoked, 2 suspended...). */
  set(statusKeyHex: string, status: number): void {
    this.entries.set(statusKeyHex, status);
  }

  statusOf(key: Uint8Array): number {
    return this.entries.get(Buffer.from(key).toString('hex')) ?? 0;
  }

  listIat(): number | null {
    return this.iatSec;
  }
}

/** Creates the authority and its files in `dir`, and a fresh status list. */
export function createDemoWorld(dir: string, nowSec: number): DemoWorld {
  mkdirSync(dir, { recursive: true });
  const authority = TestAuthority.create();
  const { trustFile } = saveAuthority(dir, authority);
  return { authority, dir, trustFile, status: new DemoStatusList(nowSec - 5 * 60) };
}

/** Expected verdict of each step, for tests and for the demo's own check. */
export interface DemoStep extends ScriptStep {
  expect: 'accept' | 'warn' | 'reject';
}

/**
 * The scripted scans, made for the instant `nowSec` (live codes are generated seconds before
 * it). `gapMs` spaces the scans so each pattern can be seen (the longest lasts 2 s).
 */
export function demoScenario(world: DemoWorld, nowSec: number, gapMs = 2400): DemoStep[] {
  const a = world.authority;
  const revoked = a.code({ type: 'DL', now: nowSec });
  world.status.set(revoked.statusKey, 1);
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
    { note: 'Licence revoked by the traffic police (status list)', text: revoked.text, expect: 'reject' },
    { note: 'Not a credential: a web link', text: 'https://example.com/pay?id=42', expect: 'reject' },
    {
      note: 'Driving licence again: green',
      text: a.code({ type: 'DL', now: nowSec, genAgeSec: 2 }).text,
      expect: 'accept',
    },
  ];
  return steps.map((s, i) => ({ ...s, afterMs: i === 0 ? 600 : gapMs }));
}
