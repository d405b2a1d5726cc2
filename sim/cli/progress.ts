/**
 * Progress of a long simulator command on standard error, so a person knows it works and how far
 * it is (`sim publish-status --random 2000000`): on a terminal one line redrawn at most ten times a
 * second; elsewhere (a pipe, a log) one plain line per tenth and per phase, never a flood. Standard
 * output keeps only the result, for scripts.
 * @module
 */

export class Progress {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastTenth = -1;
  private drawn = false;

  constructor(
    private readonly command: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {}

  /** A phase starts (one line, also off a terminal). */
  phase(text: string): void {
    this.endLine();
    this.lastTenth = -1;
    this.write(`${this.command}: ${text}\n`);
  }

  /** `done` of `total` in the current phase. */
  update(done: number, total: number, unit: string): void {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const text = `${this.command}: ${done}/${total} ${unit} (${Math.floor(frac * 100)}%)`;
    if (this.out.isTTY === true) {
      const t = this.now();
      if (done < total && t - this.lastDraw < 100) return;
      this.lastDraw = t;
      this.write(`\r${text}\u001b[K`);
      this.drawn = true;
      if (done >= total) this.endLine();
      return;
    }
    const tenth = Math.floor(frac * 10);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.write(`${text}\n`);
  }

  /** Ends a redrawn line (before the result is printed). */
  endLine(): void {
    if (this.drawn) this.write('\n');
    this.drawn = false;
  }

  private write(text: string): void {
    // A closed standard error (the reader went away) must not end the command.
    if (!this.out.destroyed && this.out.writable) this.out.write(text);
  }
}
