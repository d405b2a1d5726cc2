/**
 * Log lines for the journal, with their journald priority, readable by a person: `journalctl -u
 * roadscan` shows `scanner not available scanner=/dev/ttyACM0 state=closed`, the message first and
 * then its fields as key=value (the journal has the time, the pid and the unit already). The JSON
 * line pino made is kept for machines where asked: `ROADSCAN_LOG_FORMAT=json` in the unit's
 * environment (`journalctl -o cat` then gives one JSON object per line).
 *
 * Their priority: systemd connects a service's standard error to the
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

/** How lines reach the journal: `text` (a person reads it) or `json` (a machine does). */
export type JournalFormat = 'text' | 'json';

/** `ROADSCAN_LOG_FORMAT=json` keeps the JSON lines; anything else (or nothing) is text. */
export function journalFormat(env: NodeJS.ProcessEnv = process.env): JournalFormat {
  return env.ROADSCAN_LOG_FORMAT === 'json' ? 'json' : 'text';
}

/** Fields the journal records by itself, or that the text line already shows. */
const OWN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);
const PLAIN_VALUE = /^[^\s"=\\]{1,200}$/u;
const CONTROL = /[\p{Cc}\p{Cf}]/gu;
const HAS_CONTROL = /[\p{Cc}\p{Cf}]/u;

function fieldValue(v: unknown): string {
  if (typeof v === 'string' && PLAIN_VALUE.test(v) && !HAS_CONTROL.test(v)) return v;
  // JSON escapes whatever a value holds: a field never breaks the line or forges another.
  return JSON.stringify(v) ?? 'null';
}

/** One pino JSON line as `message key=value ...` (a line that is not JSON is kept as it is). */
export function journalText(line: string): string {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.replace(CONTROL, ' ');
  }
  if (obj === null || typeof obj !== 'object') return line.replace(CONTROL, ' ');
  const msg = typeof obj.msg === 'string' ? obj.msg.replace(CONTROL, ' ') : '';
  const fields = Object.entries(obj)
    .filter(([k]) => !OWN_FIELDS.has(k))
    .map(([k, v]) => `${k.replace(/[^\w.-]/g, '_')}=${fieldValue(v)}`);
  return [msg || '(no message)', ...fields].join(' ');
}

/** A synchronous destination that writes each line with its `<N>` prefix, as text or as JSON. */
export function journaldDestination(fd: number, format: JournalFormat = journalFormat()): DestinationStream {
  return {
    write(line: string): void {
      const level = Number(LEVEL.exec(line)?.[1] ?? 30);
      const body = format === 'json' ? line : `${journalText(line.trimEnd())}\n`;
      writeSync(fd, `<${syslogPriority(level)}>${body}`);
    },
  };
}
