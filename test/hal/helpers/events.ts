/** Collecting events from drivers in tests, and waiting for one with a deadline. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves when `check()` returns a value other than undefined; rejects after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Writes bytes to a pty end (the "scanner" side of the pair). */
export function writeTo(path: string, data: string | Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  } finally {
    closeSync(fd);
  }
}
