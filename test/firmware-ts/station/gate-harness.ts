/**
 * One `roadscan run` gate process for the station tests, on the shared run harness
 * (test/helpers/run-harness.ts: the built CLI, `--events json`, a socat pty scanner, the health
 * endpoint named in its log), with what a count of 2,000 scans on a loaded machine (CI: two
 * cores, a hundred test files) needs on top, so that not one answer goes missing:
 *
 * - the scanner line is opened once and kept open, as a real scanner's is (opening and closing
 *   the pty for every code races socat under load), and written whole, partial writes resumed;
 * - codes are fed with a window: at most `window` scans in flight per gate, so nothing piles up
 *   in pty buffers while a starved gate catches up; the waits are bounded by progress (no new
 *   answer for a while), not by a fixed total;
 * - the log lines that explain a missing or surprising answer (a frame the scanner driver
 *   dropped, a once-only store fault) are picked out for the failure message.
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { RunHarness, RunningService } from '../../helpers/run-harness.js';

export interface GateScan {
  verdict: string;
  reasons: string[];
  ticket: string;
}

/** Log messages of a gate that explain a scan gone missing or answered oddly. */
const NOTABLE = /^.*(scanner frame dropped|once-only store failed|station conflict|scanner not available).*$/gm;

export class Gate {
  /** Codes written to the scanner line so far. */
  fed = 0;
  private readonly answers: GateScan[] = [];
  private read = 0;
  private fd: number | null = null;

  private constructor(
    readonly name: string,
    readonly dbFile: string,
    readonly run: RunningService,
  ) {}

  /** Starts `roadscan run` with this configuration in `dir` (its `config.json`, `scanner`, `feeder`). */
  static async start(h: RunHarness, o: { name: string; dir: string; config: Record<string, unknown>; dbFile: string; args: string[] }): Promise<Gate> {
    const run = await h.start({ dir: o.dir, config: o.config, scanner: true, args: [...o.args, '--db', o.dbFile] });
    const gate = new Gate(o.name, o.dbFile, run);
    gate.fd = openSync(join(o.dir, 'feeder'), 'r+');
    h.onCleanup(() => gate.closeLine());
    return gate;
  }

  /** The scan events so far, in order (a line that was not JSON is not a scan, and shows in `junk`). */
  get scans(): readonly GateScan[] {
    const events = this.run.events;
    for (; this.read < events.length; this.read++) {
      const ev = events[this.read]! as { event?: unknown; verdict?: unknown; reasons?: unknown; fields?: Record<string, unknown> };
      if (ev.event !== 'scan') continue;
      const ticket = typeof ev.fields?.ticket === 'string' ? ev.fields.ticket : '';
      this.answers.push({ verdict: String(ev.verdict), reasons: Array.isArray(ev.reasons) ? ev.reasons.map(String) : [], ticket });
    }
    return this.answers;
  }

  /** stdout lines that were not JSON events. */
  get junk(): string[] {
    return this.run.of('(not json)').map((e) => String(e.line).slice(0, 200));
  }

  get running(): boolean {
    return this.run.child.exitCode === null && this.run.child.signalCode === null;
  }

  /** Writes one code to the scanner line, whole (a pty may take a long write in parts). */
  feed(code: string): void {
    if (this.fd === null) throw new Error(`${this.name}: scanner line closed`);
    const bytes = Buffer.from(`${code}\r\n`, 'utf8');
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.fed++;
  }

  /** In flight: fed to the scanner line, not answered yet. */
  get pending(): number {
    return this.fed - this.scans.length;
  }

  describe(): string {
    const parts = [`${this.name}: fed ${this.fed}, answered ${this.scans.length}${this.running ? '' : ', exited'}`];
    const junk = this.junk;
    if (junk.length) parts.push(`  not JSON: ${junk.slice(0, 5).join(' | ')}`);
    const notable = this.run.stderr().match(NOTABLE) ?? [];
    if (notable.length)
      parts.push(
        `  ${notable
          .slice(-10)
          .map((l) => l.slice(0, 300))
          .join('\n  ')}`,
      );
    return parts.join('\n');
  }

  private closeLine(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Waits until `done()`, failing when nothing moves (`progress()` unchanged) for `stallMs`, or
 * after `maxMs` at most: a slow machine gets the time it needs, a stuck one fails soon.
 */
export async function untilDone(
  what: string,
  done: () => boolean,
  progress: () => number,
  explain: () => string,
  stallMs = 20_000,
  maxMs = 120_000,
  /** Run before each look (an HTTP request, say), awaited. */
  probe?: () => Promise<void>,
): Promise<void> {
  const end = Date.now() + maxMs;
  let last = progress();
  let movedAt = Date.now();
  for (;;) {
    if (probe) await probe();
    if (done()) return;
    const now = Date.now();
    const p = progress();
    if (p !== last) {
      last = p;
      movedAt = now;
    }
    if (now - movedAt > stallMs || now > end) {
      throw new Error(`timed out waiting for ${what} (${now - movedAt > stallMs ? `no progress for ${stallMs} ms` : `${maxMs} ms in all`}):\n${explain()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
