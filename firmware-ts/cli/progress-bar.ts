/**
 * A one-line progress bar for long downloads on a terminal (standard error), redrawn at most
 * ten times a second; nothing at all when the stream is not a terminal, so logs and pipes stay
 * clean.
 * @module
 */
import type { SyncProgress } from '../app/status-list.js';

const WIDTH = 30;

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

export class ProgressBar {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.out.isTTY === true;
  }

  update(p: SyncProgress): void {
    if (!this.enabled) return;
    const t = this.now();
    const final = p.total !== null && p.done >= p.total;
    if (!final && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    this.out.write(`\r${this.line(p)}\u001b[K`);
    this.drawn = true;
  }

  /** Ends the bar's line (call before printing the result). */
  done(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }

  /** The bar's text: `name [#####-----]  45%  76.5/170.0 MB` (records while applying). */
  line(p: SyncProgress): string {
    const name = p.file.length > 24 ? `…${p.file.slice(-23)}` : p.file.padEnd(24);
    const unit = p.file === 'apply' ? '' : ' MB';
    const fmt = p.file === 'apply' ? String : mb;
    if (p.total === null || p.total === 0) return `${name} ${fmt(p.done)}${unit}`;
    const frac = Math.min(1, p.done / p.total);
    const fill = Math.round(frac * WIDTH);
    return `${name} [${'#'.repeat(fill)}${'-'.repeat(WIDTH - fill)}] ${String(Math.floor(frac * 100)).padStart(3)}%  ${fmt(p.done)}/${fmt(p.total)}${unit}`;
  }
}
