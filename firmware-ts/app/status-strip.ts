/**
 * What the operator screen's status strip shows, as `roadscan run` and the demo feed it: the
 * list's age by the checker's own staleness rule, the state of the clock the checks use, the
 * place, and the audit uploads still pending. The appliance adds the scanner's state.
 * @module
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { Runtime } from './runtime.js';
import type { ScreenStatus } from '../screen/screen-view.js';
import { listAge } from '../core/staleness.js';
import type { StatusSource } from '../status/list/index.js';

export function statusStripFeed(rt: Runtime, list: StatusSource, audit: AuditLog): () => Omit<ScreenStatus, 'scanner'> {
  const cfg = rt.config;
  const maxAgeSec = cfg.statusList.maxAgeHours * 3600;
  return () => {
    const time = rt.time();
    const age = listAge(list.listIat(), time.nowSec, maxAgeSec);
    return {
      listAgeSec: age.ageSec,
      listStale: age.stale,
      clock: time.reliable ? 'ok' : 'unreliable',
      profile: cfg.profile,
      region: cfg.region,
      station: cfg.station.code,
      pendingUploads: cfg.audit.uploadUrl === null ? 0 : audit.pendingCount(),
    };
  };
}
