/**
 * Whether the device is keeping its records (docs/DESIGN.md, Faults). A store whose writes fail (a
 * full SD card, an I/O error) says so here, and says again when a write succeeds; the appliance
 * turns a fault into the storage alert pattern and the screen's status strip, the health endpoint
 * into `degraded` with the reason, the metrics into counts. The verdict never depends on it.
 *
 * Sources are named (`audit`, `boarding`, ...), so another store (the boarding store, the station
 * record) reports through the same hook.
 * @module
 */

export interface StorageFault {
  source: string;
  /** One line: the error as the store reported it. */
  error: string;
  /** When the fault began, ms since the epoch. */
  sinceMs: number;
}

export type StorageListener = (event: { kind: 'fault' | 'recovered' | 'failure'; source: string; error?: string }) => void;

export class StorageHealth {
  private readonly faults = new Map<string, StorageFault>();
  private readonly failures = new Map<string, number>();
  private readonly listeners: StorageListener[] = [];
  private lostCount = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A write failed; the first failure of a run starts a fault. */
  fail(source: string, error: string): void {
    this.failures.set(source, (this.failures.get(source) ?? 0) + 1);
    const line = error.replace(/[\p{Cc}\p{Cf}]/gu, ' ').slice(0, 200);
    const isNew = !this.faults.has(source);
    this.faults.set(source, { source, error: line, sinceMs: this.faults.get(source)?.sinceMs ?? this.now() });
    this.emit({ kind: 'failure', source, error: line });
    if (isNew) this.emit({ kind: 'fault', source, error: line });
  }

  /** A write succeeded: the fault of that source, if any, is over. */
  recover(source: string): void {
    if (!this.faults.delete(source)) return;
    this.emit({ kind: 'recovered', source });
  }

  /** Records given up for good (never acknowledged): counted and said, never silent. */
  lost(n: number): void {
    if (n > 0) this.lostCount += n;
  }

  get ok(): boolean {
    return this.faults.size === 0;
  }

  get current(): StorageFault[] {
    return [...this.faults.values()];
  }

  /** Failed writes of a source since start. */
  failureCount(source: string): number {
    return this.failures.get(source) ?? 0;
  }

  get lostTotal(): number {
    return this.lostCount;
  }

  /** One line per fault, for `/healthz`. */
  problems(): string[] {
    return this.current.map((f) => `${f.source} records not written: ${f.error}`);
  }

  onChange(fn: StorageListener): void {
    this.listeners.push(fn);
  }

  private emit(e: Parameters<StorageListener>[0]): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        // A listener (screen, metrics) must not make a store's failure worse.
      }
    }
  }
}
