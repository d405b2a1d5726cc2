/**
 * The service's background sync of the status list (docs/STATUS-LIST.md): one `syncOnce` per
 * period with backoff on failure, its outcome fed to the metrics, the clock floor (a verified
 * manifest is the trusted time anchor of docs/DESIGN.md's clock floor) and the checker in force
 * (a newer trust list or rules data replaces it, or is refused and said).
 * @module
 */
import type { ClockFloor } from '../clock/clock-floor.js';
import type { ScanMetrics } from '../health/scan-metrics.js';
import type { Logger } from '../log/logger.js';
import { statusDataDir } from '../status/list/index.js';
import { BackgroundSync, syncOnce } from '../status/sync/index.js';
import type { CheckerInForce } from './checker-in-force.js';
import { rulesVersions } from './rules.js';
import type { Runtime } from './runtime.js';

export interface ListSyncParts {
  rt: Runtime;
  baseUrl: string;
  inForce: CheckerInForce;
  floor: ClockFloor;
  metrics: ScanMetrics;
  /** Called after every round, so the list figures follow it. */
  onRound(): void;
  logger: Logger;
}

export function listSync(p: ListSyncParts): BackgroundSync {
  const { rt, inForce, logger } = p;
  const cfg = rt.config.statusList;
  return new BackgroundSync({
    run: (signal) =>
      syncOnce({
        db: rt.db,
        dataDir: statusDataDir(rt.dbFile),
        baseUrl: p.baseUrl,
        trust: inForce.trust,
        heldRules: rulesVersions(inForce.rules.inForce),
        checkSec: () => rt.time().nowSec,
        signal,
        timeoutMs: cfg.timeoutSec * 1000,
        minRate: { bytesPerSec: cfg.minRateBytesPerSec, windowMs: cfg.minRateWindowSec * 1000 },
        log: { warn: (m) => logger.warn(m), info: (m) => logger.info(m) },
      }),
    periodMs: cfg.periodMin * 60_000,
    retryMinMs: cfg.retryMinSec * 1000,
    retryMaxMs: cfg.retryMaxMin * 60_000,
    jitter: cfg.jitter,
    onOutcome: (o, next) => {
      if (!o.ok) p.metrics.syncFailed();
      if (o.ok && o.iat !== null) p.floor.raise(o.iat, 'manifest');
      p.onRound();
      if (o.trustVersion !== undefined) inForce.trustReceived(o.trustVersion);
      if (o.rules) inForce.rulesReceived();
      const fields = { seq: o.seq, applied: o.applied, entries: o.entries, nextInSec: Math.round(next / 1000) };
      if (o.ok) logger.info(fields, 'status list sync');
      else logger.warn({ ...fields, error: o.error }, 'status list sync failed');
    },
  });
}
