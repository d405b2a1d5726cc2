/**
 * The checker a running service scans with, and the one rule for changing it: a trust list or
 * rules data received by sync replaces what is in force only once it has been read and built
 * whole. Whatever the files then hold, a failure keeps the checker in force, says why in one log
 * line and counts `roadscan_reload_failures_total{what}`; the service never stops over it.
 * @module
 */
import type { Logger } from '../log/logger.js';
import type { ScanChecker } from '../scan/scan-checker.js';
import type { StatusListStore } from '../status/list/index.js';
import type { TrustList } from '../verify/trust-list.js';
import { buildChecker, loadRulesData, type RulesData } from './checker.js';
import { rulesVersions } from './rules.js';
import { policyInForce } from './policy-in-force.js';
import type { PolicyInForce } from '../policy/rules-policy.js';
import type { Runtime } from './runtime.js';
import { chooseTrust, syncedTrust } from './trust.js';

export class CheckerInForce {
  private trustList: TrustList;
  private rulesData: RulesData;
  private current: ScanChecker;

  constructor(
    private readonly rt: Runtime,
    private readonly store: StatusListStore,
    private readonly log: Logger,
    private readonly reloadFailed: (what: 'trust' | 'rules') => void,
  ) {
    this.trustList = chooseTrust(rt, syncedTrust(rt));
    this.rulesData = loadRulesData(rt, (m) => log.warn(m));
    this.current = buildChecker(rt, this.trustList, store, this.rulesData);
  }

  get checker(): ScanChecker {
    return this.current;
  }

  get trust(): TrustList {
    return this.trustList;
  }

  get rules(): RulesData {
    return this.rulesData;
  }

  /** The policy in force, its numbers tightened by the configuration. */
  get policy(): PolicyInForce {
    return policyInForce(this.rt.config, this.rulesData.policy);
  }

  /** After a sync that brought trust list version `received`: the higher version wins (app/trust.ts). */
  trustReceived(received: number): void {
    if (received <= this.trustList.version) return;
    try {
      const next = chooseTrust(this.rt, syncedTrust(this.rt));
      this.current = buildChecker(this.rt, next, this.store, this.rulesData);
      this.trustList = next;
      this.log.info({ version: next.version }, 'trust list replaced');
    } catch (err) {
      this.reloadFailed('trust');
      this.log.warn({ err: (err as Error).message, kept: this.trustList.version }, 'received trust list not used; keeping the one in force');
    }
  }

  /** After a sync that brought rules data: the next scan counts with it. */
  rulesReceived(): void {
    try {
      const next = loadRulesData(this.rt, (m) => this.log.warn(m));
      this.current = buildChecker(this.rt, this.trustList, this.store, next);
      this.rulesData = next;
      this.log.info({ rules: rulesVersions(next.inForce) }, 'rules data replaced');
    } catch (err) {
      this.reloadFailed('rules');
      this.log.warn({ err: (err as Error).message, kept: rulesVersions(this.rulesData.inForce) }, 'received rules data not used; keeping the data in force');
    }
  }
}
