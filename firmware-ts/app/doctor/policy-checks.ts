/**
 * The doctor's checks of the `policy` rules data (docs/STATUS-LIST.md "Signed documents"): which
 * policy is in force (version, expiry, the numbers the configuration tightens), a configured
 * number laxer than it (it does not apply: say so), and a type the profile serves that the
 * rules data held do not accept in the device's region (a gate in a province with no e-ticket
 * adoption answers every ticket NOT_ACCEPTED_IN_REGION: the technician hears it at installation).
 * @module
 */
import { cstDate } from '../../core/cst.js';
import { servedButNotAdopted } from '../../policy/served-types.js';
import { describeLaxer, policyInForce } from '../policy-in-force.js';
import { rulesInForceFor } from '../rules.js';
import type { CheckResult, DoctorCheck } from './check.js';

export const policy: DoctorCheck = ({ rt }) => {
  let inForce;
  try {
    inForce = rulesInForceFor(rt);
  } catch {
    return []; // the rules-data check says why
  }
  const p = policyInForce(rt.config, inForce.policy.policy);
  const v = p.policy.version;
  const out: CheckResult[] = [
    {
      name: 'policy',
      state: 'ok',
      detail: `version ${v}${v === 0 ? ' (shipped defaults)' : ` (${inForce.source.policy})`}${p.policy.expires ? `, expires ${p.policy.expires}` : ''}${p.tightened.length > 0 ? `; stricter by configuration: ${p.tightened.join(', ')}` : ''}`,
    },
  ];
  for (const l of p.laxer) out.push({ name: 'policy', state: 'fix', detail: `${describeLaxer(l, v)}: remove it or make it stricter` });
  const { profile, region } = rt.config;
  for (const r of servedButNotAdopted(p.policy, profile, inForce.adoption.adoption, region, cstDate(rt.time().nowSec))) {
    out.push({
      name: 'types served',
      state: 'fix',
      detail: `a ${profile} serves ${r.type}, but adoption version ${inForce.adoption.version} does not accept it in region ${region} ${r.from ? `until ${r.from}` : 'at all'}: every ${r.type} answers NOT_ACCEPTED_IN_REGION; check region, or sync the rules data`,
    });
  }
  return out;
};
