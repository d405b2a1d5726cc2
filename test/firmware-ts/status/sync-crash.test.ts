/**
 * Power cuts, simulated with SIGKILL: the real `roadscan sync` (built CLI, child process) is
 * killed at random points. A quarter of the kills are timed from the spawn (start-up, manifest,
 * all of it), a quarter from the moment the child takes the sync lock, spread over the measured
 * length of its real work (download, checks, pending rows, the switch, the clean-up), which a
 * slowed server stretches. The other half wait for progress the test sees, so a loaded machine
 * that runs slower than the measured run cannot push them all to one side of the switch: a
 * quarter fire once the partial download holds a random fraction of the file (before the switch,
 * inside the work), a quarter once the database shows the new seq (after the switch, during the
 * clean-up). Afterwards the scanner must hold seq 1 or seq 2, whole: every sampled
 * key answers as that seq says, the entry count is that seq's, and the scan checker rejects
 * exactly the credentials revoked at that seq. The next sync then recovers (the dead process's
 * lock, leftover rows and files) and lands on seq 2.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';
import { RegionAdoption } from '../../../firmware-ts/policy/region-adoption.js';
import { WorkingDayCalendar } from '../../../firmware-ts/policy/working-day-calendar.js';
import { ScanChecker } from '../../../firmware-ts/scan/scan-checker.js';
import { shippedPolicy } from '../../../firmware-ts/app/shipped-checker.js';
import { withLocalNumbers } from '../../../firmware-ts/policy/rules-policy.js';
import { statusDataDir } from '../../../firmware-ts/status/list/index.js';
import { StatusListStore } from '../../../firmware-ts/status/list/index.js';
import { syncOnce } from '../../../firmware-ts/status/sync/index.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { seededRandom } from '../../../sim/status/synthetic-list.js';
import { StatusWorld, T0 } from './status-fixture.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'roadscan.js');
const NOW = T0 + 10 * 3600;
/** Kills per mode and scenario. */
const KILLS = 6;

function hex(rnd: () => number): string {
  return [rnd(), rnd(), rnd(), rnd()].map((n) => n.toString(16).padStart(8, '0')).join('');
}

function configJson(file: string): unknown {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'config', file), 'utf8'));
}

function lockTaken(db: Db): boolean {
  return (db.prepare('SELECT count(*) AS n FROM status_sync_lock').get() as { n: number }).n > 0;
}

function seqHeld(db: Db): number | null {
  return (db.prepare('SELECT seq FROM status_state WHERE id = 1').get() as { seq: number | null } | undefined)?.seq ?? null;
}

/** Bytes in the partial download files (`.part-<sha256>`) of a data dir. */
function partialBytes(dataDir: string): number {
  let n = 0;
  try {
    for (const f of readdirSync(dataDir)) if (/^\.part-[0-9a-f]{64}$/.test(f)) n += statSync(join(dataDir, f)).size;
  } catch {
    // A file renamed away between the listing and the stat: counted at the next poll.
  }
  return n;
}

/** When the kill comes: a time after the spawn or after the lock, or on progress seen. */
type Trigger =
  | { kind: 'spawn' | 'lock'; afterMs: number }
  /** Once the partial download holds this many bytes. */
  | { kind: 'bytes'; atBytes: number }
  /** This long after the database shows the new seq (the switch is committed). */
  | { kind: 'switch'; afterMs: number };

const describeTrigger = (t: Trigger) =>
  t.kind === 'bytes'
    ? `at ${t.atBytes} bytes downloaded`
    : t.kind === 'switch'
      ? `${t.afterMs.toFixed(0)} ms after the switch`
      : `after the ${t.kind} +${t.afterMs.toFixed(0)} ms`;

interface Run {
  /** The child was killed (rather than finishing first). */
  killed: boolean;
  /** Milliseconds from spawn to exit, and from taking the lock to exit (null: never seen). */
  ms: number;
  workMs: number | null;
  stdout: string;
}

/** Runs `roadscan sync` on `dbFile` and kills it as `trigger` says. Resolves once the child is gone. */
function syncProcess(args: string[], dbFile: string, trigger: Trigger, newSeq = 2): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'sync', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.resume();
    let killed = false;
    let lockAt: number | null = null;
    let fired = false;
    let exited = false;
    const kill = () => {
      if (!exited) killed = child.kill('SIGKILL');
    };
    const fire = (afterMs: number) => {
      fired = true;
      if (afterMs <= 0) kill();
      else setTimeout(kill, afterMs);
    };
    const dataDir = statusDataDir(dbFile);
    const watcher = openDatabase(dbFile, { readonly: true });
    // Polled every millisecond until the trigger has fired (the lock is watched throughout).
    const poll = () => {
      if (exited) return;
      if (lockAt === null && lockTaken(watcher)) {
        lockAt = performance.now();
        if (trigger.kind === 'lock') fire(trigger.afterMs);
      }
      if (!fired && trigger.kind === 'bytes' && partialBytes(dataDir) >= trigger.atBytes) fire(0);
      if (!fired && trigger.kind === 'switch' && seqHeld(watcher) === newSeq) fire(trigger.afterMs);
      if (lockAt === null || !fired) setTimeout(poll, 1);
    };
    poll();
    const timer = trigger.kind === 'spawn' ? setTimeout(kill, trigger.afterMs) : setTimeout(kill, 60_000);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      exited = true;
      clearTimeout(timer);
      watcher.close();
      const end = performance.now();
      resolve({
        killed: killed && signal === 'SIGKILL',
        ms: end - t0,
        workMs: lockAt === null ? null : end - lockAt,
        stdout: Buffer.concat(out).toString('utf8'),
      });
    });
  });
}

for (const scenario of ['deltas', 'snapshot'] as const) {
  describe(`SIGKILL during a sync that applies ${scenario}`, () => {
    let w: StatusWorld;
    let template: string;
    let trustFile: string;
    let checker: (status: StatusListStore) => ScanChecker;
    let sample: string[];
    const codes = { always: '', onlyAt2: '', onlyAt1: '', never: '' };
    const keys = { always: '', onlyAt2: '', onlyAt1: '', never: '' };

    beforeAll(async () => {
      expect(existsSync(join(PACKAGE_ROOT, 'dist', 'firmware-ts', 'cli', 'main.js')), 'run `npm run build` first').toBe(true);
      w = await StatusWorld.create();
      for (const k of Object.keys(codes) as (keyof typeof codes)[]) {
        const c = w.authority.code({ type: 'DL', now: NOW });
        codes[k] = c.text;
        keys[k] = c.statusKey;
      }
      const rnd = seededRandom(scenario === 'deltas' ? 11 : 12);
      const first = new Map<string, number>([
        [keys.always, 1],
        [keys.onlyAt1, 2],
      ]);
      for (let i = 0; i < 150_000; i++) first.set(hex(rnd), 1 + (rnd() % 8));
      w.publish(first);
      const second = new Map<string, number>([
        [keys.onlyAt2, 1],
        [keys.onlyAt1, 0],
      ]);
      const existing = [...first.keys()].slice(2);
      for (let i = 0; i < 40_000; i++) second.set(i % 2 ? hex(rnd) : existing[i]!, i % 3 === 0 ? 0 : 1 + (rnd() % 8));
      sample = [...Object.values(keys), ...existing.slice(0, 1500), ...[...second.keys()].slice(0, 3000)];
      // The scanner at seq 1, saved as the template every run starts from.
      expect((await w.sync()).seq).toBe(1);
      w.db.close();
      template = join(w.root, 'template');
      cpSync(w.dbFile, join(template, 'scanner.db'));
      cpSync(w.dataDir, statusDataDir(join(template, 'scanner.db')), { recursive: true });
      w.publish(second, scenario === 'snapshot' ? { keepDeltas: 0 } : {});
      // A slow link stretches the work a kill can land in.
      w.server.faults.set(scenario === 'snapshot' ? '/snap-2.bin' : '/delta-1-2.bin', { kind: 'slow', bytesPerTick: 16_384 });
      trustFile = join(w.root, 'trust.json');
      writeFileSync(trustFile, JSON.stringify(w.authority.trustList(1)));
      const adoption = RegionAdoption.fromJson(configJson('adoption.json'));
      const calendar = WorkingDayCalendar.fromJson(configJson('calendar-cn.json'));
      checker = (status) =>
        new ScanChecker({
          trust: w.trust,
          status,
          rules: { profile: 'window', region: '110105', station: null, faceRecognition: false, adoption, calendar, policy: withLocalNumbers(shippedPolicy(), {}) },
        });
    }, 120_000);
    afterAll(() => w?.close());

    let runs = 0;
    /** A scanner copied from the template (seq 1); returns its database file. */
    const freshScanner = (): string => {
      const dir = join(w.root, `run-${runs++}`);
      cpSync(template, dir, { recursive: true });
      return join(dir, 'scanner.db');
    };
    const args = (dbFile: string) => ['--url', w.server.url, '--db', dbFile, '--trust', trustFile, '--json', '--timeout', '20'];

    /** Seq 1 or 2, whole, as `store` answers now. Returns the seq found. */
    const expectWhole = (store: StatusListStore, what: string): 1 | 2 => {
      const seq = store.seq();
      expect(seq === 1 || seq === 2, `${what} left seq ${seq}`).toBe(true);
      expect(w.expectMatches(store, seq!, [], sample), what).toEqual([]);
      expect(store.entries(), what).toBe(w.model.get(seq!)!.size);
      const check = checker(store);
      const reasons = (k: keyof typeof codes) => check.check(codes[k], { nowSec: NOW, reliable: true }).reasons;
      expect(reasons('always'), what).toEqual(['REVOKED']);
      expect(reasons('onlyAt2'), what).toEqual(seq === 2 ? ['REVOKED'] : []);
      expect(reasons('onlyAt1'), what).toEqual(seq === 1 ? ['SUSPENDED'] : []);
      expect(reasons('never'), what).toEqual([]);
      return seq as 1 | 2;
    };

    /**
     * After a kill: the running service's store (opened before, never reopened, so it sweeps
     * nothing) and a store opened afresh agree on a whole list; then a sync recovers to seq 2.
     */
    const checkWholeAndRecover = async (service: StatusListStore, dbFile: string, what: string): Promise<1 | 2> => {
      const seq = expectWhole(service, `${what}, running service`);
      const db = openDatabase(dbFile);
      const dataDir = statusDataDir(dbFile);
      const store = StatusListStore.open(db, dataDir);
      expect(expectWhole(store, `${what}, reopened`)).toBe(seq);
      // The next sync cleans up after the killed one and lands on seq 2 (at full speed).
      const slowed = new Map(w.server.faults);
      w.server.faults.clear();
      const out = await syncOnce({ db, dataDir, baseUrl: w.server.url, trust: w.trust, timeoutMs: 20_000 });
      for (const [path, fault] of slowed) w.server.faults.set(path, fault);
      expect(out, `recovery after ${what}`).toMatchObject({ ok: true, seq: 2 });
      expect(w.expectMatches(store, 2, [], sample), `after recovery from ${what}`).toEqual([]);
      expect(w.expectMatches(service, 2, [], sample), `service after recovery from ${what}`).toEqual([]);
      expect(readdirSync(dataDir).filter((f) => !/^snap-\d+-[0-9a-z]+\.(rss|idx)$/.test(f))).toEqual([]);
      expect(readdirSync(dataDir)).toHaveLength(2);
      expect((db.prepare('SELECT count(*) AS n FROM status_overlay WHERE seq > 2').get() as { n: number }).n).toBe(0);
      store.close();
      db.close();
      return seq;
    };

    it('holds the old list or the new one, whole, wherever the kill lands, and recovers', async () => {
      // How long an undisturbed run takes, and how much of it is real work (lock to exit).
      const probeDb = freshScanner();
      const undisturbed = await syncProcess(args(probeDb), probeDb, { kind: 'lock', afterMs: 60_000 });
      expect(undisturbed.killed).toBe(false);
      expect(JSON.parse(undisturbed.stdout)).toMatchObject({ ok: true, seq: 2, applied: scenario });
      const work = undisturbed.workMs!;
      expect(work).toBeGreaterThan(0);

      const seen = { 1: 0, 2: 0 };
      let midWork = 0;
      const rnd = seededRandom(scenario === 'deltas' ? 5 : 6);
      const fileBytes = statSync(join(w.publishDir, scenario === 'snapshot' ? 'snap-2.bin' : 'delta-1-2.bin')).size;
      const timed = KILLS / 2;
      for (let i = 0; i < 2 * KILLS; i++) {
        const slot = Math.floor(i / 4) + (rnd() % 1000) / 1000;
        const fraction = 0.05 + ((rnd() % 1000) / 1000) * 0.9;
        // From the spawn: spread over the whole run; from the lock: over 110% of the work; on
        // progress: a fraction of the download, or up to 30 ms into the clean-up after the switch.
        const trigger: Trigger = [
          { kind: 'spawn', afterMs: (undisturbed.ms * 1.1 * slot) / timed } as const,
          { kind: 'bytes', atBytes: Math.max(1, Math.floor(fileBytes * fraction)) } as const,
          { kind: 'lock', afterMs: (work * 1.1 * slot) / timed } as const,
          { kind: 'switch', afterMs: (rnd() % 30) as number } as const,
        ][i % 4]!;
        const dbFile = freshScanner();
        // The appliance service runs beside the sync, its store open throughout.
        const serviceDb = openDatabase(dbFile);
        const service = StatusListStore.open(serviceDb, statusDataDir(dbFile));
        const run = await syncProcess(args(dbFile), dbFile, trigger);
        if (run.killed && lockTaken(serviceDb)) midWork++;
        seen[await checkWholeAndRecover(service, dbFile, `kill ${i} (${describeTrigger(trigger)})`)]++;
        service.close();
        serviceDb.close();
      }
      console.log(`sync-crash ${scenario}: ${2 * KILLS} kills, seq 1 held ${seen[1]}, seq 2 held ${seen[2]}, ${midWork} inside the work`);
      // Kills landed before the switch, after it, and inside the work itself.
      expect(seen[1]).toBeGreaterThan(0);
      expect(seen[2]).toBeGreaterThan(0);
      expect(midWork).toBeGreaterThanOrEqual(2);
    }, 240_000);
  });
}
