/**
 * The one line `systemctl status roadscan` shows (systemd's `STATUS=`), from the device's state:
 * "scanning (...)" only while it truly scans with nothing wrong, else what is wrong first, in the
 * order a technician should look (scanner, storage, station, status list, trust). Pure: the
 * service host gathers the state, the notifier sends the line when it changes.
 * @module
 */

export interface DeviceState {
  profile: string;
  /** The scanner's name (its device path) and whether it is open. */
  scanner: { name: string; state: 'open' | 'closed' | 'error' };
  /** Records are being written (no storage fault). */
  storageOk: boolean;
  /** At a gate or window with a station: whether its shared store is reachable; null without one. */
  stationConnected: boolean | null;
  /** The status list is past its maximum age (scans carry STATUS_LIST_STALE). */
  listStale: boolean;
  /** A held signed document (trust list, rules) is past its `expires` (scans carry TRUST_STALE). */
  trustStale: boolean;
}

/** The problems, most urgent first; empty when the device scans with nothing wrong. */
export function deviceProblems(s: DeviceState): string[] {
  const out: string[] = [];
  if (s.scanner.state !== 'open') out.push('scanner lost');
  if (!s.storageOk) out.push('storage fault: records not being written');
  if (s.stationConnected === false) out.push('station offline');
  if (s.listStale) out.push('status list stale');
  if (s.trustStale) out.push('trust stale');
  return out;
}

export function serviceStatusLine(s: DeviceState): string {
  const where = `${s.profile}, scanner ${s.scanner.name}`;
  const problems = deviceProblems(s);
  if (problems.length === 0) return `scanning (${where})`;
  return `${problems.join('; ')} (${where})`;
}
