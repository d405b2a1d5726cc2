/**
 * Configuration of operations: logging, the audit log (retention and upload), the clock floor and
 * the health endpoint.
 *
 * The upload URL must be HTTPS: audit records leave the device. Plain HTTP is accepted only for a
 * loopback host (a local collector or a test), where nothing crosses a wire.
 * @module
 */
import { z } from 'zod';

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why `text` is not an acceptable upload URL, or null when it is. */
export function uploadUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected an absolute URL such as "https://audit.example.org/v1/records"';
  }
  if (url.username || url.password) return 'expected a URL without user name or password';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  if (url.protocol === 'http:') return 'expected https:// (plain http:// only for 127.0.0.1, localhost or [::1])';
  return `expected an https:// URL, got ${url.protocol}//`;
}

const uploadUrl = z
  .string()
  .max(2048)
  .superRefine((text, ctx) => {
    const problem = uploadUrlProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const ipOrLocalhost = z
  .string()
  .refine((h) => h === 'localhost' || z.ipv4().safeParse(h).success || z.ipv6().safeParse(h).success, {
    message: 'expected an IP address such as "127.0.0.1" or "localhost"',
  });

export const opsSection = {
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** Records older than this are deleted (once uploaded, when an upload URL is set). */
      retentionDays: z.number().int().min(1).max(3650).default(90),
      /** How often the retention purge runs. */
      purgePeriodMin: z.number().int().min(1).max(7 * 24 * 60).default(60),
      /** Collector receiving audit batches; null keeps the log on the device only. */
      uploadUrl: uploadUrl.nullable().default(null),
      /** PEM file of the CA that signed the collector's certificate; null uses the system CAs. */
      uploadCaFile: z.string().min(1).nullable().default(null),
      /** Records per upload request. */
      uploadBatch: z.number().int().min(1).max(1000).default(100),
      /** Pause between upload rounds when all went well. */
      uploadPeriodSec: z.number().int().min(1).max(24 * 3600).default(300),
      /** A request that has not answered within this time has failed. */
      uploadTimeoutSec: z.number().int().min(1).max(600).default(30),
      /** Backoff after failures doubles from uploadPeriodSec up to this bound. */
      uploadMaxBackoffSec: z.number().int().min(1).max(7 * 24 * 3600).default(3600),
    })
    .prefault({}),
  clock: z
    .strictObject({
      /** A system clock this far below the clock floor is still believed. */
      toleranceSec: z.number().int().min(0).max(24 * 3600).default(300),
      /**
       * A system clock more than this ahead of the last verified manifest `iat` is flagged
       * CLOCK_UNRELIABLE (it is still used: a floor says nothing about how far ahead time may be).
       */
      maxAheadDays: z.number().int().min(1).max(3650).default(30),
      /** Logged scans raise the floor at most this far beyond the newest trusted anchor. */
      scanLeadHours: z.number().int().min(0).max(24 * 365).default(24),
    })
    .prefault({}),
  health: z
    .strictObject({
      /** Serve /healthz and /metrics while `roadscan run` runs. */
      enabled: z.boolean().default(true),
      /** Loopback by default: the endpoint has no authentication. */
      host: ipOrLocalhost.default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(9464),
    })
    .prefault({}),
};
