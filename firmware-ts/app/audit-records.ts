/**
 * The service's records made durable off the event loop (audit/audit-writer.ts): the writer on
 * its own connection, its checkpoints signed with the device key, its faults told to storage
 * health, its losses counted and said; and the `records` phase's stop, last before the database
 * closes: what the scans handed over is written, or said. A database in memory has no writer:
 * the log takes the records itself and signs the stop checkpoint.
 * @module
 */
import type { AuditLog, AuditMeta } from '../audit/audit-log.js';
import type { SigningKey } from '../audit/audit-chain.js';
import { AuditWriter } from '../audit/audit-writer.js';
import type { ScanMetrics } from '../health/scan-metrics.js';
import type { Logger } from '../log/logger.js';
import type { StorageHealth } from '../store/storage-health.js';
import type { Runtime } from './runtime.js';

export interface AuditRecordsParts {
  audit: AuditLog;
  meta: AuditMeta;
  signing: SigningKey | null;
  storage: StorageHealth;
  metrics: ScanMetrics;
  logger: Logger;
}

export function auditRecords(rt: Runtime, p: AuditRecordsParts): { writer: AuditWriter | null; stop(): Promise<void> } {
  const cfg = rt.config;
  const writer =
    rt.dbFile === ':memory:'
      ? null
      : new AuditWriter({
          file: rt.dbFile,
          meta: p.meta,
          key: p.signing,
          checkpointEvery: cfg.audit.checkpointEvery,
          checkpointPeriodMs: cfg.audit.checkpointMinutes * 60_000,
          health: p.storage,
          onLost: (n) => {
            p.metrics.auditRecordsLost(n);
            p.logger.error({ lost: n }, 'audit records given up: the disk refused them too long');
          },
        });
  if (writer) p.metrics.watchAuditUnwritten(() => writer.unwritten);
  return {
    writer,
    stop: async () => {
      if (!writer) return void p.audit.checkpointHead('stop');
      const unwritten = await writer.close();
      if (unwritten > 0) p.logger.error({ unwritten }, 'audit records not written at shutdown');
    },
  };
}
