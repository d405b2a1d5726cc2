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
 * - This device's own record always counts (issue 20): a ticket it boarded is ALREADY_BOARDED here
 *   whatever the station says; a station that no longer holds that record is reported as a
 *   conflict of its own kind (`vanished`), and the record is handed over again.
 * - A holder value that cannot be read (oversized, not a record) is a conflict (`unreadable`, with
 *   its reason) and the handover moves on; retries log at most once a minute.
 * - A refuse of a boarding decided alone queues a release, conditional on the revision, after any
 *   create still in flight settles: a create that reached the station late is undone there too.
 * - A full queue refuses the row but keeps the overflow (count, since when); once the queue has
 *   drained, this device's own records since then are handed over from its SQLite record.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { ConflictKind, HandoverQueue, HandoverItem, OnceConflict, QueueOverflow } from './handover-queue.js';
import type { LocalOnceOnlyStore } from './local-once-only-store.js';
import { assertOnceInput, isOnceRecord, sameOnceRecord, type ClaimOutcome, type OnceAction, type OnceOnlyStore, type OnceRecord } from './once-only.js';
import { KeyExistsError, UnreadableValueError, type StationBucket } from './station-bucket.js';
import { TIMED_OUT, withDeadline } from './deadline.js';
import { oneLine } from '../core/text-safety.js';
import { LogOnceAMinute } from './log-once-a-minute.js';

export interface SharedOnceOnlyStoreOptions {
  bucket: StationBucket;
  /** This device's own record: the fallback, and a copy of what the station decided. */
  local: LocalOnceOnlyStore;
  queue: HandoverQueue;
  /** This device's id: its own records (not copies of other devices') always count. */
  deviceId: string;
  /** How long the station keeps a record, s: an own record older than this is not missed there. */
  recordMaxAgeSec: number;
  /** How long a scan waits for the station's store, ms (default 150). */
  deadlineMs?: number;
  /** Pause between handover rounds while records are queued, ms (default 1000). */
  handoverPeriodMs?: number;
  /** Records handed over per round at most (default 200). */
  handoverBatch?: number;
  /** Seconds since the epoch, for the instant a conflict was found. */
  nowSec?: () => number;
  onConflict?(conflict: OnceConflict): void;
  /** Told when the durable queue is full and a record could not be queued (its overflow is kept). */
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
  /** The same conflicts by kind (taken-twice, unreadable, vanished). */
  conflictsByKind: Record<ConflictKind, number>;
  /** The queue's bound (station.shared.handoverQueueMax). */
  queueMax: number;
  /** The queue is full: what is decided alone now is kept in this device's record only, for now. */
  queueFull: boolean;
  /** Records the full queue refused, not yet handed over (and the earliest instant), or null. */
  overflow: QueueOverflow | null;
  /** The bucket is not used: its settings are not the station's (names the setting), or null. */
  fault: string | null;
  /** Times the bucket was found unfit since start. */
  faultsFound?: number;
  /** Linked, but the last answers were this device's alone (the bucket's leader lost, say). */
  decidingAlone: boolean;
  /** Why the counts could not be read just now (the last ones read are shown); absent when fine. */
  problem?: string;
}

type Step<T> = { ok: true; value: T } | { ok: false; malformed?: string };

/** Pause before retrying a failed call within the deadline, ms (grows by this much per try, up to 4 times). */
const RETRY_PAUSE_MS = 20;

/** An attempt whose link went down while it waited: its answer can never come, so it is tried again. */
const LINK_DROPPED: unique symbol = Symbol('link dropped');

/** A value in the bucket that is not a once-only record: another device's bug, never a verdict. */
class MalformedRecordError extends Error {
  constructor(
    subject: string,
    readonly reason: string,
  ) {
    super(`station bucket: ${subject}: ${reason}`);
    this.name = 'MalformedRecordError';
  }
}

/** Bound on waiting for a create given up on to settle before its release is handed over, ms. */
const INFLIGHT_WAIT_MS = 15_000;

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
  private counts: Pick<StationState, 'queued' | 'conflicts' | 'conflictsByKind' | 'overflow'> = {
    queued: 0,
    conflicts: 0,
    conflictsByKind: { 'taken-twice': 0, unreadable: 0, vanished: 0 },
    overflow: null,
  };
  /** Creates still on their way (a scan gave up waiting): a release of that key waits for them. */
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Own records found missing from the station, reported once each per run. */
  private readonly vanishedSeen = new Set<string>();
  private alone = false;
  private readonly warnings: LogOnceAMinute;
  /** Where the sweep of an overflow has got to (this device's records at or after this instant). */
  private sweepFromSec: number | null = null;

  constructor(private readonly o: SharedOnceOnlyStoreOptions) {
    this.deadlineMs = o.deadlineMs ?? 150;
    this.periodMs = o.handoverPeriodMs ?? 1000;
    this.batch = o.handoverBatch ?? 200;
    this.nowSec = o.nowSec ?? (() => Math.floor(Date.now() / 1000));
    this.warnings = new LogOnceAMinute(o.log);
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
    const q = this.o.queue;
    const fixed = { ...b, queueMax: q.maxRows, decidingAlone: b.connected && this.alone };
    try {
      this.counts = { queued: q.size(), conflicts: q.conflicts(), conflictsByKind: q.conflictsByKind(), overflow: q.overflow() };
      return { ...fixed, ...this.counts, queueFull: this.counts.queued >= q.maxRows };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const why = oneLine(`${e?.code ?? 'error'}: ${String(e?.message ?? err)}`, 200);
      return { ...fixed, ...this.counts, queueFull: this.counts.queued >= q.maxRows, problem: `station records unreadable: ${why}` };
    }
  }

  async lookup(key: string, action: OnceAction): Promise<{ record: OnceRecord | null; offline: boolean }> {
    assertOnceInput(key);
    const pending = this.o.queue.pendingClaim(key, action);
    if (pending) return { record: pending.rec, offline: !this.o.bucket.state().connected };
    const read = await this.step(() => this.readRecord(subjectOf(action, key)), this.deadline());
    const own = this.ownRecord(key, action);
    if (read.ok) {
      if (!read.value && own) this.missedAtStation(key, own, null);
      // The station's holder, or this device's own record when the station has none.
      return { record: read.value?.rec ?? own, offline: false };
    }
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
    // A ticket this device boarded is taken here whatever the station says; the station is read
    // only to find out whether it still holds the record (if not: reported, and handed over again).
    const own = this.ownRecord(key, rec.action);
    if (own) {
      const read = await this.step(() => this.readRecord(subject), until);
      if (read.ok && !read.value) this.missedAtStation(key, own, expiresAtSec);
      return { result: 'taken', by: own, offline: !read.ok };
    }
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
      // Not handed over yet, but the create given up on may still reach the station (or have
      // reached it late): the queued claim goes, and a release conditional on the revision is
      // handed over in its place, after that create settles. Never a blind delete.
      this.o.queue.done(pending.id);
      const local = await this.o.local.release(key, rec);
      this.enqueue('release', key, rec, 0);
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
    if (this.closed || (this.o.queue.size() === 0 && !this.o.queue.overflow())) return Promise.resolve();
    this.round = this.handoverRound().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private kick(): void {
    void this.handover().catch((err: unknown) => this.warnings.warn('handover-failed', { err: (err as Error).message }, 'station handover failed'));
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
    if (handed === items.length && this.o.queue.size() === 0 && !this.closed) await this.sweepOverflow();
  }

  /**
   * The queue was full at some point: hand over this device's own records made since the first
   * one refused, a page per round, from its SQLite record (every create is safe to repeat: its
   * own record reads back as won). Done when a page comes back short, unless more were refused.
   */
  private async sweepOverflow(): Promise<void> {
    const seen = this.o.queue.overflow();
    if (!seen) return;
    const from = Math.min(this.sweepFromSec ?? seen.sinceSec, seen.sinceSec);
    const page = this.o.local.recordsSince(from, this.batch);
    for (const kept of page) {
      if (this.closed) return;
      if (kept.record.device !== this.o.deviceId) continue;
      const ok = await this.handOne({ id: -1, op: 'claim', key: kept.key, rec: kept.record, expiresAtSec: kept.expiresAtSec });
      if (!ok) return;
    }
    if (page.length < this.batch) {
      if (this.o.queue.overflowHandled(seen)) {
        this.sweepFromSec = null;
        this.o.log?.info({ refused: seen.refused }, 'station handover: records the full queue refused are handed over');
      }
      this.changed();
      return;
    }
    const last = page[page.length - 1]!.record.atSec;
    // A full page of one instant would never move on: step past it (a gate makes far fewer a second).
    this.sweepFromSec = last === from ? last + 1 : last;
    setImmediate(() => this.kick());
  }

  private async handOne(item: HandoverItem): Promise<boolean> {
    const subject = subjectOf(item.rec.action, item.key);
    const handoverMs = Math.max(this.deadlineMs, 1000);
    if (item.op === 'release') {
      // A create of this key given up on may still be under way: its outcome first, bounded.
      const flying = this.inflight.get(subject);
      if (flying) await withDeadline(flying, INFLIGHT_WAIT_MS);
      const r = await this.step(() => this.releaseShared(subject, item.rec), performance.now() + handoverMs);
      // A holder that cannot be read is not this device's record: nothing of ours to undo there.
      if (!r.ok && r.malformed === undefined) return false;
      this.done(item);
      return true;
    }
    const r = await this.step(() => this.createOrHolder(subject, item.rec), performance.now() + handoverMs);
    // The key holds something that is not a record: taken by someone, but by whom cannot be read.
    // Reported as a conflict with its reason and passed, so one bad value never blocks the queue.
    if (!r.ok && r.malformed === undefined) return false;
    if (!r.ok) {
      this.report({
        key: item.key,
        action: item.rec.action,
        ours: item.rec,
        theirs: { action: item.rec.action, device: 'unreadable', atSec: 0 },
        kind: 'unreadable',
        reason: r.malformed,
      });
    } else if (r.value && !sameOnceRecord(r.value, item.rec)) {
      this.report({ key: item.key, action: item.rec.action, ours: item.rec, theirs: r.value, kind: 'taken-twice' });
    }
    this.done(item);
    return true;
  }

  private done(item: HandoverItem): void {
    if (item.id >= 0) this.o.queue.done(item.id);
  }

  /** A conflict: kept in SQLite, logged, told to `onConflict` (the audit row, the metric, /healthz). */
  private report(c: Omit<OnceConflict, 'detectedAtSec'>): void {
    const conflict: OnceConflict = { ...c, detectedAtSec: this.nowSec() };
    this.o.queue.recordConflict(conflict);
    this.o.log?.warn(
      { key: c.key, action: c.action, kind: c.kind, ours: c.ours.device, theirs: c.theirs.device, ...(c.reason ? { reason: c.reason } : {}) },
      c.kind === 'vanished' ? 'station conflict: a record this device holds is gone from the station' : 'station conflict: once-only record taken twice',
    );
    try {
      this.o.onConflict?.(conflict);
    } catch (err) {
      this.o.log?.warn({ err: (err as Error).message }, 'station conflict report failed');
    }
    this.changed();
  }

  /** This device's own record of the ticket (not a copy of another device's), if it holds one. */
  private ownRecord(key: string, action: OnceAction): OnceRecord | null {
    const held = this.o.local.lookupSync(key, action);
    return held && held.device === this.o.deviceId ? held : null;
  }

  /**
   * The station answered that it holds nothing for a ticket this device holds a record of. Not a
   * conflict when the record is older than the station keeps any, or the full queue refused it
   * (the overflow's sweep hands it over); otherwise reported once, and handed over again.
   */
  private missedAtStation(key: string, own: OnceRecord, expiresAtSec: number | null): void {
    if (own.atSec + this.o.recordMaxAgeSec <= this.nowSec()) return;
    const overflow = this.o.queue.overflow();
    if (overflow && own.atSec >= overflow.sinceSec) return;
    const slot = `${own.action}:${key}`;
    if (this.vanishedSeen.has(slot)) return;
    this.vanishedSeen.add(slot);
    if (this.vanishedSeen.size > 10_000) this.vanishedSeen.delete(this.vanishedSeen.values().next().value as string);
    this.report({
      key,
      action: own.action,
      ours: own,
      theirs: { action: own.action, device: 'station', atSec: own.atSec },
      kind: 'vanished',
      reason: 'record gone from the station',
    });
    if (expiresAtSec !== null) this.enqueue('claim', key, own, expiresAtSec);
  }

  /** null when this create won; else the record that holds the key. */
  private async createOrHolder(subject: string, rec: OnceRecord): Promise<OnceRecord | null> {
    try {
      const create = this.o.bucket.create(subject, this.encoder.encode(JSON.stringify(rec)));
      const settled = create.then(
        () => undefined,
        () => undefined,
      );
      this.inflight.set(subject, settled);
      void settled.then(() => {
        if (this.inflight.get(subject) === settled) this.inflight.delete(subject);
      });
      await create;
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
    let e: Awaited<ReturnType<StationBucket['get']>>;
    try {
      e = await this.o.bucket.get(subject);
    } catch (err) {
      if (err instanceof UnreadableValueError) throw new MalformedRecordError(subject, err.reason);
      throw err;
    }
    if (!e) return null;
    let rec: unknown;
    let why = 'not a once-only record';
    try {
      rec = JSON.parse(this.decoder.decode(e.value));
    } catch {
      rec = null;
      why = `not JSON text (${e.value.length} bytes)`;
    }
    if (!isOnceRecord(rec)) throw new MalformedRecordError(subject, why);
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
        this.setAlone(false);
        return { ok: true, value: v };
      } catch (err) {
        const e = err as Error;
        if (e?.name !== 'NotConnectedError') lastError = e?.message ?? String(err);
        if (e instanceof MalformedRecordError) {
          this.warnings.warn('malformed', { err: e.message }, 'station store holds a value that is not a record');
          return { ok: false, malformed: e.reason };
        }
      } finally {
        if (drop) this.linkWaiters.delete(drop);
      }
      await new Promise((r) => setTimeout(r, Math.min(RETRY_PAUSE_MS * Math.min(attempt + 1, 4), Math.max(0, until - performance.now()))));
    }
    if (lastError) this.warnings.warn('call-failed', { err: lastError.slice(0, 200) }, 'station store call failed');
    // Linked, and still no answer: the station is not deciding (a leader being elected, say).
    this.setAlone(this.o.bucket.state().connected);
    return { ok: false };
  }

  private setAlone(alone: boolean): void {
    if (alone === this.alone) return;
    this.alone = alone;
    this.changed();
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
    this.warnings.warn(
      'queue-full',
      { op, max: this.o.queue.maxRows },
      'station handover queue full: record kept in this device only, handed over once the queue drains',
    );
    try {
      this.o.onQueueFull?.(key, rec);
    } catch (err) {
      this.o.log?.warn({ err: (err as Error).message }, 'station queue-full report failed');
    }
  }
}

function subjectOf(action: OnceAction, key: string): string {
  return `${action}.${key}`;
}
