/**
 * Runs the retention purge of the audit log on a schedule.
 *
 * It purges only when the clock floor vouches for the system clock: a clock set far ahead would
 * otherwise make every record look old and delete the whole log. When an upload URL is configured
 * a record must also have been acknowledged by the collector before it may go.
 * @module
 */
import type { Clock } from '../core/time.js';
import type { ClockFloor } from '../clock/clock-floor.js';
import type { AuditLog } from './audit-log.js';

export interface AuditPurgerOptions {
  retentionDays: number;
  /** Time between purges (default 1 h). */
  periodMs?: number;
  /** Keep records the collector has not acknowledged. */
  requireAck: boolean;
  clock: Clock;
  /** Called after each purge that ran, with the number of records deleted. */
  onPurge?: (deleted: number) => void;
}

export class AuditPurger {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: AuditLog,
    private readonly floor: ClockFloor,
    private readonly opts: AuditPurgerOptions,
  ) {}

  /** Purges once; returns the number of records deleted, or null when the clock is unreliable. */
  purgeOnce(): number | null {
    const time = this.floor.checkTime(this.opts.clock.now());
    if (!time.reliable) return null;
    const deleted = this.log.purge(time.nowSec, this.opts.retentionDays, { requireAck: this.opts.requireAck });
    this.opts.onPurge?.(deleted);
    return deleted;
  }

  /** Purges now and then every period. */
  start(): void {
    if (this.timer) return;
    this.purgeOnce();
    this.timer = setInterval(() => this.purgeOnce(), this.opts.periodMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
