/**
 * Where and since when each credential type is accepted (docs/DESIGN.md: an e-licence is only good
 * where it has been adopted). A scanner's 6-digit district code falls within entries for its
 * district, its city (first 4 digits) and its province (first 2 digits), or nationwide ("*").
 * @module
 */
import { z } from 'zod';
import { CREDENTIAL_TYPES, isIsoDate, type CredentialType } from '../codec/claims.js';

const entry = z.object({
  region: z.string().regex(/^(\*|\d{6})$/, '"*" or a 6-digit region code'),
  from: z.string().refine(isIsoDate, 'a YYYY-MM-DD date'),
  note: z.string().optional(),
});
const adoptionSchema = z.object({
  about: z.string().optional(),
  types: z.record(z.enum(CREDENTIAL_TYPES), z.union([z.array(entry), z.enum(CREDENTIAL_TYPES)])),
});

type Entry = z.infer<typeof entry>;

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
    const r = adoptionSchema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Error(`adoption table: ${issue.path.join('.')}: ${issue.message}`);
    }
    const table = new Map<CredentialType, Entry[]>();
    for (const type of CREDENTIAL_TYPES) {
      let value = r.data.types[type];
      // An alias ("VA": "VR") follows another type's rollout; one hop only, no cycles.
      if (typeof value === 'string') value = r.data.types[value];
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
