/**
 * One `roadscan run` gate process for the station tests: the built CLI with `--events json`, a
 * socat pseudo-terminal as its scanner, its own SQLite file. Made to hold up on a loaded machine
 * (CI: two cores, a hundred test files), because a count of 2,000 scans must not miss one:
 *
 * - the scanner line is opened once and kept open, as a real scanner's is (opening and closing
 *   the pty for every code races socat under load), and written whole, partial writes resumed;
 * - codes are fed with a window: at most `window` scans in flight per gate, so nothing piles up
 *   in pty buffers while a starved gate catches up; the waits are bounded by progress (no new
 *   answer for a while), not by a fixed total;
 * - stdout is split into lines across chunks; a line that is not JSON is kept (and reported),
 *   never thrown away silently;
 * - stderr is kept, and the lines that explain a missing or surprising answer (a frame the
 *   scanner driver dropped, a once-only store fault) are collected for the failure message.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { startPtyPair, type PtyPair } from '../../../hal/scanner/pty-pair.js';
import { BIN } from '../../helpers/cli.js';

export interface GateScan {
  verdict: string;
  reasons: string[];
  ticket: string;
}

export interface GateOptions {
  name: string;
  configFile: string;
  dbFile: string;
  trustFile: string;
  nowIso: string;
  devicePath: string;
  feederPath: string;
}

/** Log messages of a gate that explain a scan gone missing or answered oddly. */
const NOTABLE = ['scanner frame dropped', 'once-only store failed', 'station conflict', 'scanner not available'];

export class Gate {
  readonly scans: GateScan[] = [];
  /** stdout lines that were not JSON events. */
  readonly junk: string[] = [];
  /** stderr lines worth showing when a count is off. */
  readonly notable: string[] = [];
  /** Codes written to the scanner line so far. */
  fed = 0;
  private stderrTail = '';
  private fd: number | null;
  private exitInfo: string | null = null;

  private constructor(
    readonly name: string,
    readonly dbFile: string,
    private readonly pair: PtyPair,
    readonly child: ChildProcess,
  ) {
    this.fd = openSync(pair.feederPath, 'r+');
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        this.line(out.slice(0, nl));
        out = out.slice(nl + 1);
      }
    });
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-20_000);
      err += d;
      for (let nl = err.indexOf('\n'); nl >= 0; nl = err.indexOf('\n')) {
        const l = err.slice(0, nl);
        err = err.slice(nl + 1);
        if (NOTABLE.some((m) => l.includes(m)) && this.notable.length < 200) this.notable.push(l.slice(0, 400));
      }
    });
    child.once('exit', (code, signal) => {
      this.exitInfo = `exited with ${code ?? signal}`;
    });
  }

  static async start(o: GateOptions): Promise<Gate> {
    const pair = await startPtyPair(o.devicePath, o.feederPath);
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--hal', 'sim', '--scanner', o.devicePath, '--events', 'json', '--config', o.configFile, '--trust', o.trustFile, '--db', o.dbFile, '--now', o.nowIso],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new Gate(o.name, o.dbFile, pair, child);
  }

  get running(): boolean {
    return this.exitInfo === null;
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
    const parts = [`${this.name}: fed ${this.fed}, answered ${this.scans.length}${this.exitInfo ? `, ${this.exitInfo}` : ''}`];
    if (this.junk.length) parts.push(`  not JSON: ${this.junk.slice(0, 5).join(' | ')}`);
    if (this.notable.length) parts.push(`  ${this.notable.slice(-10).join('\n  ')}`);
    return parts.join('\n');
  }

  stderr(): string {
    return this.stderrTail;
  }

  async stop(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.running) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGKILL');
      await exited;
    }
    await this.pair.stop();
  }

  private line(text: string): void {
    if (!text.trim()) return;
    let ev: { event?: unknown; verdict?: unknown; reasons?: unknown; fields?: Record<string, unknown> };
    try {
      ev = JSON.parse(text) as typeof ev;
    } catch {
      if (this.junk.length < 50) this.junk.push(text.slice(0, 200));
      return;
    }
    if (ev.event !== 'scan') return;
    const ticket = typeof ev.fields?.ticket === 'string' ? ev.fields.ticket : '';
    this.scans.push({ verdict: String(ev.verdict), reasons: Array.isArray(ev.reasons) ? ev.reasons.map(String) : [], ticket });
  }
}

/**
 * Waits until `done()`, failing when nothing moves (`progress()` unchanged) for `stallMs`, or
 * after `maxMs` at most: a slow machine gets the time it needs, a stuck one fails soon.
 */
export async function untilDone(what: string, done: () => boolean, progress: () => number, explain: () => string, stallMs = 20_000, maxMs = 120_000): Promise<void> {
  const end = Date.now() + maxMs;
  let last = progress();
  let movedAt = Date.now();
  while (!done()) {
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
