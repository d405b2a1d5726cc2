/**
 * Which types a device serves that its rules data do not accept where it stands
 * (`roadscan doctor`): a gate in a province with no e-ticket adoption answers every ticket
 * NOT_ACCEPTED_IN_REGION, and a technician must hear that at installation, not from passengers.
 * Pure: the policy's profile table, the adoption table, the region and the date come in.
 * @module
 */
import { CREDENTIAL_TYPES, type CredentialType } from '../codec/claims.js';
import type { RegionAdoption } from './region-adoption.js';
import { isServed, type Profile, type RulesPolicy } from './rules-policy.js';

export interface RefusedServedType {
  type: CredentialType;
  /** The CST date from which the adoption table accepts it there, or null for never. */
  from: string | null;
}

/** The types the profile serves (its entry is not NOT_APPLICABLE) that `district` does not accept on `date`. */
export function servedButNotAdopted(
  policy: Pick<RulesPolicy, 'profiles'>,
  profile: Profile,
  adoption: RegionAdoption,
  district: string,
  date: string,
): RefusedServedType[] {
  return CREDENTIAL_TYPES.filter((t) => isServed(policy, profile, t) && !adoption.isAdopted(t, district, date)).map((type) => ({
    type,
    from: adoption.adoptedFrom(type, district),
  }));
}
