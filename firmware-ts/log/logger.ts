/**
 * The service logger: pino, one JSON object per line, pretty (pino-pretty) only when a person is
 * watching a terminal, each line with its syslog priority when it goes to the journal
 * (journald.ts). Logs go to standard error, because standard output carries the `--events json`
 * stream that scripts read.
 *
 * Every log object, binding (a child's too) and message argument passes through log-safety: personal keys are
 * redacted at any depth and control characters never reach a line, so a hostile QR code cannot
 * forge log lines or leak into them, whatever a caller passes by mistake. Writes are synchronous:
 * a line logged just before a crash or a power cut is not lost in a buffer. Lines of one kind are
 * rate-limited (log-rate-limit.ts), and what was held back is counted on a later line, or in one
 * summary line per kind as the process exits (a flood just before a stop is not silently lost).
 * @module
 */
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger } from 'pino';
import { CLEAR_LINE, liveLine } from '../core/live-line.js';
import pretty from 'pino-pretty';
import { isJournalStream, journaldDestination } from './journald.js';
import { LogRateLimiter, type RateLimitOptions } from './log-rate-limit.js';
import { safeLogText } from '../core/text-safety.js';
import { safeLogValue } from './log-safety.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** Human-readable output; default: when the destination is a terminal. */
  pretty?: boolean;
  /** File descriptor or stream to write to (default 2, standard error). */
  destination?: number | DestinationStream;
  /** Name carried by every line (default "roadscan"). */
  name?: string;
  /** `<N>` priority prefixes for journald (journald.ts); default: when the destination is the journal stream. */
  journald?: boolean;
  /** Lines of one kind per window (log-rate-limit.ts); false writes every line. */
  rateLimit?: RateLimitOptions | false;
}

/** The part of the configuration the logger reads. */
export interface LogConfig {
  log: { level: string };
}

export function createLogger(config: LogConfig, opts: LoggerOptions = {}): Logger {
  const destination = opts.destination ?? 2;
  const isTty = typeof destination === 'number' && isTerminal(destination);
  const usePretty = opts.pretty ?? isTty;
  const stream: DestinationStream = usePretty
    ? pretty({
        destination: isTty ? aboveLiveLine(destination as number) : destination,
        sync: true,
        // NO_COLOR (no-color.org) is honoured; a pipe or a file never gets colour codes.
        colorize: isTty && !process.env['NO_COLOR'],
        // Local time with its offset from UTC: a line read later, elsewhere, still names its instant.
        translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l o',
        ignore: 'pid,hostname,name',
      })
    : typeof destination === 'number'
      ? (opts.journald ?? isJournalStream(destination))
        ? journaldDestination(destination)
        : pino.destination({ fd: destination, sync: true })
      : destination;
  const limiter = opts.rateLimit === false ? null : new LogRateLimiter(opts.rateLimit ?? {});
  /** True while the exit summary writes: those lines are the count, not more of the kind. */
  let draining = false;
  const logger = pino(
    {
      name: opts.name ?? 'roadscan',
      level: config.log.level,
      base: { pid: process.pid },
      formatters: {
        log: (obj) => safeLogValue(obj) as Record<string, unknown>,
        // `name` here is the logger's own name, not a person's.
        bindings: ({ name, ...rest }) => ({
          ...(safeLogValue(rest) as Record<string, unknown>),
          ...(typeof name === 'string' ? { name: safeLogText(name) } : {}),
        }),
      },
      // Errors were made safe (and their stacks split into lines) by the formatter already.
      serializers: { err: (e: unknown) => e },
      hooks: {
        logMethod(args, method, level) {
          // An error first is pino's `err` object; keep it there once made safe.
          const safe = args.map((a, i) => (i === 0 && a instanceof Error ? { err: safeLogValue(a) } : safeLogValue(a))) as unknown[];
          if (limiter && !draining) {
            const msg = typeof safe[0] === 'string' ? safe[0] : typeof safe[1] === 'string' ? safe[1] : '';
            const verdict = limiter.admit(level, msg);
            if (!verdict.write) {
              if (verdict.first) {
                // Say the count once the window ends, even if no line of this kind follows.
                const self = this;
                setTimeout(() => {
                  const suppressed = limiter.takeSuppressed(level, msg);
                  if (suppressed > 0) method.apply(self, [{ kind: msg, suppressed }, 'log lines suppressed'] as never);
                }, limiter.windowMs + 5).unref();
              }
              return;
            }
            if (verdict.suppressedBefore > 0) {
              if (safe[0] !== null && typeof safe[0] === 'object') safe[0] = { ...(safe[0] as object), suppressed: verdict.suppressedBefore };
              else safe.unshift({ suppressed: verdict.suppressedBefore });
            }
          }
          method.apply(this, safe as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
  // pino writes a child's bindings as given; make them safe first. Children are created from
  // their parent's prototype chain, so every descendant inherits this `child`.
  const baseChild = logger.child;
  logger.child = function child(this: Logger, bindings, options) {
    return baseChild.call(this, safeLogValue(bindings) as typeof bindings, options);
  } as Logger['child'];
  if (limiter) {
    atExit(() => {
      draining = true;
      try {
        for (const { level, msg, suppressed } of limiter.drain()) {
          const label = logger.levels.labels[level] as pino.Level | undefined;
          if (label) logger[label]({ kind: msg, suppressed }, 'log lines suppressed');
        }
      } finally {
        draining = false;
      }
    });
  }
  return logger;
}

/** One `exit` listener for every logger of the process; the newest few are told (tests make many). */
const exitHooks: (() => void)[] = [];
function atExit(fn: () => void): void {
  if (exitHooks.length === 0) {
    process.once('exit', () => {
      for (const hook of exitHooks.splice(0)) {
        try {
          hook();
        } catch {
          // The process is ending; a log that cannot be written is not a reason to fail it.
        }
      }
    });
  }
  exitHooks.push(fn);
  if (exitHooks.length > 16) exitHooks.shift();
}

/**
 * A terminal destination that writes each log line above the live line (core/live-line.ts: the
 * simulator's LEDs): clear it, write the line, draw it again. Synchronous, like the rest.
 */
function aboveLiveLine(fd: number): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      try {
        const live = liveLine(fd);
        const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
        writeAll(fd, live === null ? text : `${CLEAR_LINE}${text}${live}`);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

/** writeSync until all is written (a terminal may take part of it, or answer EAGAIN for a moment). */
function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text, 'utf8');
  for (let tries = 0; buf.length > 0 && tries < 1000; tries++) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

function isTerminal(fd: number): boolean {
  if (fd === 1) return process.stdout.isTTY === true;
  if (fd === 2) return process.stderr.isTTY === true;
  return false;
}
