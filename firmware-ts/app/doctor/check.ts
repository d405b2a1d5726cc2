/**
 * What one doctor check says (`roadscan doctor`, docs/CLI.md): a name, a state and one line of
 * detail. `fix` fails the doctor (exit 1); `warn` and `note` are shown and do not. A check is a
 * function of the context, so an area that adds a thing to check (trust, policy) adds one
 * function to the list in checks.ts, and both the text and the `--json` output carry it.
 * @module
 */
import type { Runtime } from '../runtime.js';
import type { StatusListStore } from '../../status/list/index.js';

export type CheckState = 'ok' | 'fix' | 'warn' | 'note';

export interface CheckResult {
  /** What was checked, e.g. `database`, `serial device`, `screen port`. */
  name: string;
  state: CheckState;
  /** One line: what was found and, for `fix`, what to do. */
  detail: string;
}

export interface DoctorContext {
  rt: Runtime;
  /** The status list store on the runtime's database; null when the file is missing (`rt.dbMissing`). */
  store: StatusListStore | null;
  /** The hardware the doctor was asked about. */
  hal: 'sim' | 'pi';
  /** `--scanner PATH`, when given. */
  scannerPath: string | undefined;
}

/** One check: any number of results (none when it does not apply to this device). */
export type DoctorCheck = (ctx: DoctorContext) => CheckResult[] | Promise<CheckResult[]>;
