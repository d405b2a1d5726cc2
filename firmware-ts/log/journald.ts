/**
 * Log lines with their journald priority. systemd connects a service's standard error to the
 * journal and reads a leading `<N>` on each line as its syslog priority (SyslogLevelPrefix=, on by
 * default), so `journalctl -p err` finds the errors. Without it, every line of the JSON log lands
 * at one priority. The prefix is added only when standard error really is the journal stream
 * ($JOURNAL_STREAM names its device and inode), never on a terminal, a pipe or a file.
 * @module
 */
import { fstatSync, writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

/** pino level -> syslog priority (trace and debug 7, info 6, warn 4, error 3, fatal 2). */
export function syslogPriority(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

/** True when file descriptor `fd` is the journal stream systemd gave this service. */
export function isJournalStream(fd: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]!) && st.ino === BigInt(m[2]!);
  } catch {
    return false;
  }
}

const LEVEL = /"level":(\d+)/;

/** A synchronous destination that writes each JSON line with its `<N>` prefix. */
export function journaldDestination(fd: number): DestinationStream {
  return {
    write(line: string): void {
      const level = Number(LEVEL.exec(line)?.[1] ?? 30);
      writeSync(fd, `<${syslogPriority(level)}>${line}`);
    },
  };
}
