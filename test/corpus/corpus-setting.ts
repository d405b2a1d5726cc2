/**
 * One CLI setting (profile, region, station, instant) and the corpus lines run under it, each with
 * the outcome the spec predicts. A "probe" is a line whose exact reasons the spec leaves open: it
 * must still be refused (or is only reported), and its answer goes to the report.
 * @module
 */
import { at } from './claims.js';
import { expected, type Reason, type Verdict } from './expectations.js';

export type Profile = 'roadside' | 'window' | 'gate';

export interface ExactExpectation {
  kind: 'exact';
  verdict: Verdict;
  reasons: Reason[];
  /** `typ` of the credential, null for MALFORMED. */
  type: string | null;
}

export interface ProbeExpectation {
  kind: 'probe';
  /** What the spec says or leaves open. */
  note: string;
  /** When true the line must at least be rejected. */
  mustReject: boolean;
}

export interface CorpusLine {
  name: string;
  text: string;
  expect: ExactExpectation | ProbeExpectation;
}

export class Setting {
  readonly lines: CorpusLine[] = [];
  readonly nowSec: number;
  /** Settings with the same database name share one database file, run in corpus order. */
  dbName: string;

  constructor(
    readonly name: string,
    readonly profile: Profile,
    readonly region: string,
    readonly now: string,
    readonly station?: string,
  ) {
    this.nowSec = at(now);
    this.dbName = name.replace(/[^A-Za-z0-9]+/g, '-');
  }

  /** A line with its own reasons (STATUS_LIST_STALE is added); type null when MALFORMED. */
  expect(name: string, text: string, reasons: Reason[], type: string | null): void {
    const e = expected(reasons);
    this.lines.push({ name, text, expect: { kind: 'exact', ...e, type: reasons.includes('MALFORMED') ? null : type } });
  }

  malformed(name: string, text: string): void {
    this.expect(name, text, ['MALFORMED'], null);
  }

  probe(name: string, text: string, note: string, mustReject = true): void {
    this.lines.push({ name, text, expect: { kind: 'probe', note, mustReject } });
  }

  /** CLI arguments selecting this setting. */
  cliArgs(): string[] {
    const args = ['--now', this.now, '--profile', this.profile, '--region', this.region];
    if (this.station) args.push('--station', this.station);
    return args;
  }
}
