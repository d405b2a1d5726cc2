/**
 * `roadscan doctor` without the printing: the runtime opened without creating anything (a missing
 * database is a check that fails, and the others run without it), then every check of checks.ts.
 * A configuration that cannot be read stays a SetupError (exit 2).
 * @module
 */
import { openRuntime } from '../runtime.js';
import type { RuntimeOptions } from '../runtime-options.js';
import { StatusListStore, statusDataDir } from '../../status/list/index.js';
import { oneLine } from '../../core/text-safety.js';
import type { CheckResult, DoctorContext } from './check.js';
import { DOCTOR_CHECKS } from './checks.js';

export type { CheckResult, CheckState, DoctorCheck, DoctorContext } from './check.js';
export { DOCTOR_CHECKS } from './checks.js';

export interface DoctorOptions extends RuntimeOptions {
  hal: 'sim' | 'pi';
  scanner?: string;
}

export interface DoctorReport {
  /** True when no check says `fix`. */
  ok: boolean;
  checks: CheckResult[];
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const rt = await openRuntime({ ...opts, existingDb: 'or-empty' });
  const checks: CheckResult[] = [];
  try {
    // The store makes its data folder beside the database: only when the database is there.
    const store = rt.dbMissing ? null : StatusListStore.open(rt.db, statusDataDir(rt.dbFile), { log: { warn: () => undefined } });
    try {
      const ctx: DoctorContext = { rt, store, hal: opts.hal, scannerPath: opts.scanner };
      for (const check of DOCTOR_CHECKS) {
        try {
          checks.push(...(await check(ctx)));
        } catch (err) {
          checks.push({ name: check.name || 'check', state: 'fix', detail: `could not be checked: ${(err as Error)?.message ?? String(err)}` });
        }
      }
    } finally {
      store?.close();
    }
  } finally {
    rt.close();
  }
  const safe = checks.map((c) => ({ ...c, name: oneLine(c.name, 80), detail: oneLine(c.detail, 300) }));
  return { ok: safe.every((c) => c.state !== 'fix'), checks: safe };
}
