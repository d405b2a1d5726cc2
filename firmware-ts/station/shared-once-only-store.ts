/**
 * Once-only across a whole station (docs/DESIGN.md, "A station with several gates and windows"):
 * the station's replicated bucket decides, this device's SQLite record stands in when the bucket
 * does not answer in time.
 *
 * - claim: one atomic create of `<action>.<key>` whose value names the device, the instant and
 *   the action; the first device wins, every other one reads the winner's record back. The local
 *   store keeps a copy, so the device can still answer alone later.
 * - release (a refused boarding): the record is read, and deleted only at the revision read and
 *   only if it is still this device's record; never a blind delete.
 * - No answer within `deadlineMs` (or no link at all): the local store answers, the outcome says
 *   `offline: true` (the scan carries STATION_OFFLINE), and what was decided alone is queued in
 *   SQLite before the answer is returned.
 * - A bounded background loop hands the queue over when the link is back. A queued claim whose
 *   create finds another device's record is a ticket that boarded twice meanwhile: a conflict,
 *   kept in SQLite, counted and reported to `onConflict` (the audit log, the metric, /healthz).
 *   Finding its own record (the late answer of a create it gave up on) is not a conflict.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { HandoverQueue, HandoverItem, OnceConflict } from './handover-queue.js';
import { assertOnceInput, isOnceRecord, sameOnceRecord, type ClaimOutcome, type OnceAction, type OnceOnlyStore, type OnceRecord } from './once-only.js';
import { KeyExistsError, type StationBucket } from './station-bucket.js';
import { TIMED_OUT, withDeadline } from './deadline.js';
import { oneLine } from '../core/text-safety.js';

export interface SharedOnceOnlyStoreOptions {
  bucket: StationBucket;
  /** This device's own record: the fallback, and a copy of what the station decided. */
  local: OnceOnlyStore;
  queue: HandoverQueue;
  /** How long a scan waits for the station's store, ms (default 150). */
  deadlineMs?: number;
  /** Pause between handover rounds while records are queued, ms (default 1000). */
  handoverPeriodMs?: number;
  /** Records handed over per round at most (default 200). */
  handoverBatch?: number;
  /** Seconds since the epoch, for the instant a conflict was found. */
  nowSec?: () => number;
  onConflict?(conflict: OnceConflict): void;
  /** Told when the durable queue is full and a record could not be kept for handover. */
  onQueueFull?(key: string, rec: OnceRecord): void;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** What the status strip and /healthz show of the station. */
export interface StationState {
  connected: boolean;
  server: string | null;
  servers: readonly string[];
  /** How long the link has been down, ms (0 while connected). */
  downForMs: number;
  /** Records decided alone, not yet handed over. */
  queued: number;
  /** Tickets found boarded (or swapped) twice, ever, by this device's handovers. */
  conflicts: number;
  /** Why the counts could not be read just now (the last ones read are shown); absent when fine. */
  problem?: string;
}

type Step<T> = { ok: true; value: T } | { ok: false; malformed?: boolean };

/** Pause before retrying a failed call within the deadline, ms (grows by this much per try, up to 4 times). */
const RETRY_PAUSE_MS = 20;

/** An attempt whose link went down while it waited: its answer can never come, so it is tried again. */
const LINK_DROPPED: unique symbol = Symbol('link dropped');

/** A value in the bucket that is not a once-only record: another device's bug, never a verdict. */
class MalformedRecordError extends Error {
  constructor(subject: string) {
    super(`station bucket: ${subject} does not hold a once-only record`);
    this.name = 'MalformedRecordError';
  }
}

export class SharedOnceOnlyStore implements OnceOnlyStore {
  private readonly deadlineMs: number;
  private readonly periodMs: number;
  private readonly batch: number;
  private readonly nowSec: () => number;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private closed = false;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Attempts waiting on the link: told when it goes down. */
  private readonly linkWaiters = new Set<() => void>();
  private readonly changeListeners: (() => void)[] = [];
  private counts = { queued: 0, conflicts: 0 };

  constructor(private readonly o: SharedOnceOnlyStoreOptions) {
    this.deadlineMs = o.deadlineMs ?? 150;
    this.periodMs = o.handoverPeriodMs ?? 1000;
    this.batch = o.handoverBatch ?? 200;
    this.nowSec = o.nowSec ?? (() => Math.floor(Date.now() / 1000));
    o.bucket.onConnectionChange((up) => {
      if (up) this.kick();
      else for (const drop of [...this.linkWaiters]) drop();
      this.changed();
    });
  }

  /** Starts the handover loop (records queued before a restart go first). */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.kick(), this.periodMs);
    this.timer.unref();
    this.kick();
  }

  /** Told whenever `state()` may read differently: the link, the queue, the conflicts (the status strip). */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /** Never throws (the health endpoint, the metrics and the strip read it): a failing database keeps the last counts and says why. */
  state(): StationState {
    const b = this.o.bucket.state();
    try {
      this.counts = { queued: this.o.queue.size(), conflicts: this.o.queue.conflicts() };
      return { ...b, ...this.counts };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const why = oneLine(`${e?.code ?? 'error'}: ${String(e?.message ?? err)}`, 200);
      return { ...b, ...this.counts, problem: `station records unreadable: ${why}` };
    }
  }

  async lookup(key: string, action: OnceAction): Promise<{ record: OnceRecord | null; offline: boolean }> {
    assertOnceInput(key);
    const pending = this.o.queue.pendingClaim(key, action);
    if (pending) return { record: pending.rec, offline: !this.o.bucket.state().connected };
    const read = await this.step(() => this.readRecord(subjectOf(action, key)), this.deadline());
    if (read.ok) return { record: read.value?.rec ?? null, offline: false };
    const local = await this.o.local.lookup(key, action);
    return { record: local.record, offline: true };
  }

  async claim(key: string, rec: OnceRecord, expiresAtSec: number): Promise<ClaimOutcome> {
    assertOnceInput(key, rec, expiresAtSec);
    // This device's own decision still waiting for handover answers first: the station cannot know it yet.
    const pending = this.o.queue.pendingClaim(key, rec.action);
    if (pending) return { result: 'taken', by: pending.rec, offline: !this.o.bucket.state().connected };
    const until = this.deadline();
    const subject = subjectOf(rec.action, key);
    const created = await this.step(() => this.createOrHolder(subject, rec), until);
    if (created.ok) {
      const holder = created.value;
      // A copy for the times the station does not answer; the station's answer stands regardless.
      await this.o.local.claim(key, holder ?? rec, expiresAtSec).catch(() => undefined);
      return holder ? { result: 'taken', by: holder, offline: false } : { result: 'claimed', offline: false };
    }
    const local = await this.o.local.claim(key, rec, expiresAtSec);
    if (local.result === 'claimed') this.enqueue('claim', key, rec, expiresAtSec);
    return { ...local, offline: true };
  }

  async release(key: string, rec: OnceRecord): Promise<{ released: boolean; offline: boolean }> {
    assertOnceInput(key, rec);
    const pending = this.o.queue.pendingClaim(key, rec.action);
    if (pending && sameOnceRecord(pending.rec, rec)) {
      // Never reached the station: dropping it from the queue undoes it everywhere.
      this.o.queue.done(pending.id);
      const local = await this.o.local.release(key, rec);
      return { released: local.released, offline: true };
    }
    const done = await this.step(() => this.releaseShared(subjectOf(rec.action, key), rec), this.deadline());
    if (done.ok) {
      if (done.value) await this.o.local.release(key, rec).catch(() => undefined);
      return { released: done.value, offline: false };
    }
    const local = await this.o.local.release(key, rec);
    if (local.released) this.enqueue('release', key, rec, 0);
    return { released: local.released, offline: true };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round?.catch(() => undefined);
    await this.o.bucket.close();
    await this.o.local.close();
  }

  /** Hands the queue over now, unless a round is running (tests and the loop call it). */
  handover(): Promise<void> {
    if (this.round) return this.round;
    if (this.closed || this.o.queue.size() === 0) return Promise.resolve();
    this.round = this.handoverRound().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private kick(): void {
    void this.handover().catch((err: unknown) => this.o.log?.warn({ err: (err as Error).message }, 'station handover failed'));
  }

  /** One bounded round: up to `batch` records, oldest first, stopping at the first that gets no answer. */
  private async handoverRound(): Promise<void> {
    if (!this.o.bucket.state().connected) return;
    const items = this.o.queue.next(this.batch);
    let handed = 0;
    for (const item of items) {
      if (this.closed) return;
      const ok = await this.handOne(item);
      if (!ok) break;
      handed++;
    }
    if (handed > 0) {
      this.o.log?.info({ handed, queued: this.o.queue.size() }, 'station handover');
      this.changed();
    }
    // More waiting and the link answers: go on at once instead of a period later, still one round at a time.
    if (handed === items.length && handed > 0 && this.o.queue.size() > 0 && !this.closed) setImmediate(() => this.kick());
  }

  private async handOne(item: HandoverItem): Promise<boolean> {
    const subject = subjectOf(item.rec.action, item.key);
    const handoverMs = Math.max(this.deadlineMs, 1000);
    if (item.op === 'release') {
      const r = await this.step(() => this.releaseShared(subject, item.rec), performance.now() + handoverMs);
      if (!r.ok) return false;
      this.o.queue.done(item.id);
      return true;
    }
    const r = await this.step(() => this.createOrHolder(subject, item.rec), performance.now() + handoverMs);
    // The key holds something that is not a record: taken by someone, but by whom cannot be read.
    // Reported as a conflict and passed, so one bad value never blocks the rest of the queue.
    if (!r.ok && !r.malformed) return false;
    const holder = r.ok ? r.value : { action: item.rec.action, device: 'unreadable', atSec: 0 };
    if (holder && !sameOnceRecord(holder, item.rec)) {
      const conflict: OnceConflict = { key: item.key, action: item.rec.action, ours: item.rec, theirs: holder, detectedAtSec: this.nowSec() };
      this.o.queue.recordConflict(conflict);
      this.o.log?.warn({ key: item.key, action: item.rec.action, ours: item.rec.device, theirs: holder.device }, 'station conflict: once-only record taken twice');
      try {
        this.o.onConflict?.(conflict);
      } catch (err) {
        this.o.log?.warn({ err: (err as Error).message }, 'station conflict report failed');
      }
    }
    this.o.queue.done(item.id);
    return true;
  }

  /** null when this create won; else the record that holds the key. */
  private async createOrHolder(subject: string, rec: OnceRecord): Promise<OnceRecord | null> {
    try {
      await this.o.bucket.create(subject, this.encoder.encode(JSON.stringify(rec)));
      return null;
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
    }
    const held = await this.readRecord(subject);
    // This device's own record: an earlier try of this very create won, its answer was lost.
    if (held && sameOnceRecord(held.rec, rec)) return null;
    // Deleted or expired between the create and the read: someone held it a moment ago; say so
    // with the little we know rather than let it pass unchecked.
    return held?.rec ?? { action: rec.action, device: 'station', atSec: rec.atSec };
  }

  private async releaseShared(subject: string, rec: OnceRecord): Promise<boolean> {
    const held = await this.readRecord(subject);
    if (!held || !sameOnceRecord(held.rec, rec)) return false;
    return this.o.bucket.deleteIf(subject, held.revision);
  }

  /** The record under `subject`; a value another device wrote that is not a record is an error. */
  private async readRecord(subject: string): Promise<{ rec: OnceRecord; revision: number } | null> {
    const e = await this.o.bucket.get(subject);
    if (!e) return null;
    let rec: unknown;
    try {
      rec = JSON.parse(this.decoder.decode(e.value));
    } catch {
      rec = null;
    }
    if (!isOnceRecord(rec)) throw new MalformedRecordError(subject);
    return { rec, revision: e.revision };
  }

  private deadline(): number {
    return performance.now() + this.deadlineMs;
  }

  /**
   * The step's value before the deadline, or not ok (late, failed, or no link). A failure that
   * may pass (a member failing over, a leader being elected, a reconnect under way) is retried
   * while the deadline allows; a link already down for a whole deadline is not waited for at all.
   * Every step is safe to repeat: a create that won but whose answer was lost reads back this
   * device's own record, which counts as won.
   */
  private async step<T>(work: () => Promise<T>, until: number): Promise<Step<T>> {
    let lastError = '';
    for (let attempt = 0; ; attempt++) {
      const left = until - performance.now();
      if (left <= 0) break;
      if (!this.o.bucket.state().connected && this.o.bucket.state().downForMs >= this.deadlineMs) break;
      let drop: (() => void) | undefined;
      try {
        // A request sent over a link that then went down is not answered until the client's own
        // timeout (longer than the deadline): stop waiting for it the moment the link drops and
        // try again over the next one. Repeating is safe (see above), so a create that reached
        // the station before the link went down reads back as won, never as a second boarding.
        const dropped = new Promise<typeof LINK_DROPPED>((resolve) => {
          drop = () => resolve(LINK_DROPPED);
          this.linkWaiters.add(drop);
        });
        const v = await withDeadline(Promise.race([work(), dropped]), left);
        if (v === TIMED_OUT) break;
        if (v === LINK_DROPPED) {
          lastError = 'link to the station went down during the call';
          continue;
        }
        return { ok: true, value: v };
      } catch (err) {
        const e = err as Error;
        if (e?.name !== 'NotConnectedError') lastError = e?.message ?? String(err);
        if (e instanceof MalformedRecordError) {
          this.o.log?.warn({ err: e.message }, 'station store call failed');
          return { ok: false, malformed: true };
        }
      } finally {
        if (drop) this.linkWaiters.delete(drop);
      }
      await new Promise((r) => setTimeout(r, Math.min(RETRY_PAUSE_MS * Math.min(attempt + 1, 4), Math.max(0, until - performance.now()))));
    }
    if (lastError) this.o.log?.warn({ err: lastError }, 'station store call failed');
    return { ok: false };
  }

  private changed(): void {
    for (const listener of this.changeListeners) {
      try {
        listener();
      } catch (err) {
        this.o.log?.warn({ err: (err as Error).message }, 'station state listener failed');
      }
    }
  }

  private enqueue(op: 'claim' | 'release', key: string, rec: OnceRecord, expiresAtSec: number): void {
    const added = this.o.queue.add(op, key, rec, expiresAtSec);
    this.changed();
    if (added) return;
    this.o.log?.warn({ key, op }, 'station handover queue full; record kept locally only');
    this.o.onQueueFull?.(key, rec);
  }
}

function subjectOf(action: OnceAction, key: string): string {
  return `${action}.${key}`;
}
