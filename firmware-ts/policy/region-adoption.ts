/**
 * Where and since when each credential type is accepted (docs/DESIGN.md: an e-licence is only good
 * where it has been adopted). A scanner's 6-digit district code falls within entries for its
 * district, its city (first 4 digits) and its province (first 2 digits), or nationwide ("*").
 * @module
 */
import { CREDENTIAL_TYPES, isIsoDate, type CredentialType } from '../codec/claims.js';
import { arrayOf, at, InputCheckError, matching, object, optional, refuse, string } from '../core/input-check.js';

interface Entry {
  region: string;
  from: string;
  note?: string;
}

const TYPE_SET: ReadonlySet<string> = new Set(CREDENTIAL_TYPES);

/** The version-1 adoption table: each credential type's entries, or the type it follows. */
function adoptionShape(json: unknown): Map<string, Entry[] | CredentialType> {
  const o = object(json, '');
  optional(o.about, 'about', (v, p) => string(v, p, 100_000));
  const types = new Map<string, Entry[] | CredentialType>();
  for (const [name, value] of Object.entries(object(o.types, 'types'))) {
    const path = at('types', name.slice(0, 16));
    if (!TYPE_SET.has(name)) refuse(path, `not a credential type (${CREDENTIAL_TYPES.join(', ')})`);
    if (typeof value === 'string') {
      if (!TYPE_SET.has(value)) refuse(path, `not a credential type (${CREDENTIAL_TYPES.join(', ')})`);
      types.set(name, value as CredentialType);
      continue;
    }
    const entries = arrayOf(value, path, 10_000, (v, p): Entry => {
      const e = object(v, p);
      const note = optional(e.note, at(p, 'note'), (x, q) => string(x, q, 10_000));
      return {
        region: matching(e.region, at(p, 'region'), 6, /^(\*|\d{6})$/, '"*" or a 6-digit region code'),
        from: string(e.from, at(p, 'from'), 10, { test: isIsoDate, problem: 'a YYYY-MM-DD date' }),
        ...(note === undefined ? {} : { note }),
      };
    });
    types.set(name, entries);
  }
  return types;
}

function contains(entryRegion: string, district: string): boolean {
  if (entryRegion === '*') return true;
  if (entryRegion.endsWith('0000')) return entryRegion.slice(0, 2) === district.slice(0, 2);
  if (entryRegion.endsWith('00')) return entryRegion.slice(0, 4) === district.slice(0, 4);
  return entryRegion === district;
}

export class RegionAdoption {
  private constructor(private readonly table: ReadonlyMap<CredentialType, readonly Entry[]>) {}

  /** From a table already checked and with aliases resolved (docs/STATUS-LIST.md rules data). */
  static fromResolved(table: ReadonlyMap<CredentialType, readonly { region: string; from: string }[]>): RegionAdoption {
    return new RegionAdoption(table);
  }

  static fromJson(json: unknown): RegionAdoption {
    let types: Map<string, Entry[] | CredentialType>;
    try {
      types = adoptionShape(json);
    } catch (err) {
      if (err instanceof InputCheckError) throw new Error(`adoption table: ${err.message}`);
      throw err;
    }
    const table = new Map<CredentialType, Entry[]>();
    for (const type of CREDENTIAL_TYPES) {
      let value = types.get(type);
      // An alias ("VA": "VR") follows another type's rollout; one hop only, no cycles.
      if (typeof value === 'string') value = types.get(value);
      table.set(type, Array.isArray(value) ? value : []);
    }
    return new RegionAdoption(table);
  }

  /** First CST date from which `type` is accepted in `district`, or null if never. */
  adoptedFrom(type: CredentialType, district: string): string | null {
    let first: string | null = null;
    for (const e of this.table.get(type) ?? []) {
      if (contains(e.region, district) && (first === null || e.from < first)) first = e.from;
    }
    return first;
  }

  /** Whether `type` is accepted in `district` on CST date `date` (YYYY-MM-DD). */
  isAdopted(type: CredentialType, district: string, date: string): boolean {
    const from = this.adoptedFrom(type, district);
    return from !== null && from <= date;
  }
}
