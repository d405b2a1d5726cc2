/**
 * Storage health as one subscriber of the scan path: a scan's record that the audit sink refused,
 * and a once-only store that failed, are storage faults (the alert pattern, the screen, /healthz
 * degraded) until the same part works again. The verdicts themselves never change for it.
 * @module
 */
import type { ScanPath } from '../scan-path/index.js';
import type { StorageHealth } from '../store/storage-health.js';

export function storageOutput(path: ScanPath, storage: Pick<StorageHealth, 'fail' | 'recover'>): void {
  path.on('fault', (f) => {
    if (f.state === 'recovered') storage.recover(f.part);
    else if (f.part === 'audit') storage.fail('audit', f.message);
    else storage.fail('once-only', `${f.fault.op} ${f.fault.action}: ${f.fault.message}`);
  });
}
