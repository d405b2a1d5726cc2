/**
 * The audit upload as the service runs it: the collector's URL and the device's identity (TLS
 * client certificate, the collector's CA) from the configuration, each round's pending count and
 * failures in the metrics and the log.
 * @module
 */
import type { AuditLog } from '../audit/audit-log.js';
import { AuditUploader } from '../audit/audit-uploader.js';
import { readUploadTls } from '../audit/upload-identity.js';
import { readDeviceKeyInfo } from '../audit/device-key.js';
import type { ScanMetrics } from '../health/scan-metrics.js';
import type { Logger } from '../log/logger.js';
import type { Runtime } from './runtime.js';

export function auditUpload(rt: Runtime, url: string, audit: AuditLog, metrics: ScanMetrics, logger: Logger): AuditUploader {
  const cfg = rt.config.audit;
  const file = (f: string | null) => (f === null ? null : rt.loaded.resolvePath(f));
  const tls = readUploadTls({ caFile: file(cfg.uploadCaFile), certFile: file(cfg.uploadCertFile), keyFile: file(cfg.uploadKeyFile) });
  return new AuditUploader(audit, {
    url,
    ...tls,
    deviceKey: rt.dbFile === ':memory:' ? null : readDeviceKeyInfo(rt.dbFile),
    batchSize: cfg.uploadBatch,
    periodMs: cfg.uploadPeriodSec * 1000,
    maxBackoffMs: cfg.uploadMaxBackoffSec * 1000,
    timeoutMs: cfg.uploadTimeoutSec * 1000,
    onRound: (r) => {
      metrics.setAuditPending(r.pending);
      if (!r.ok) {
        metrics.uploadFailed();
        logger.warn({ pending: r.pending, error: r.error }, 'audit upload failed');
      }
    },
  });
}
