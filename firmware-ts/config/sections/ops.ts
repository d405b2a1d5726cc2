/**
 * Configuration of operations: logging, the audit log (retention and upload), the clock floor and
 * the health endpoint.
 *
 * The upload URL must be HTTPS: audit records leave the device. Plain HTTP is accepted only for a
 * loopback host (a local collector or a test), where nothing crosses a wire. The device proves who
 * it is with a TLS client certificate (uploadCertFile and uploadKeyFile, both or neither).
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

const ipOrLocalhost = z.string().refine((h) => h === 'localhost' || z.ipv4().safeParse(h).success || z.ipv6().safeParse(h).success, {
  message: 'expected an IP address such as "127.0.0.1" or "localhost"',
});

export const opsSection = {
  log: z
    .strictObject({
      level: z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info')
        .describe('Lowest level written to the log (standard error, JSON; pretty on a terminal).'),
    })
    .prefault({}),
  audit: z
    .strictObject({
      retentionDays: z.number().int().min(1).max(3650).default(90).describe('Records older than this are deleted (only once acknowledged, when uploadUrl is set).'),
      purgePeriodMin: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60)
        .default(60)
        .describe('How often the retention purge runs.'),
      uploadUrl: uploadUrl.nullable().default(null).describe('Collector receiving audit batches (https://, or http:// on loopback); null keeps the log on the device.'),
      uploadCaFile: z.string().min(1).nullable().default(null).describe("PEM file of the CA that signed the collector's certificate; null uses the system CAs."),
      uploadCertFile: z
        .string()
        .min(1)
        .nullable()
        .default(null)
        .describe("PEM file of this device's TLS client certificate (its CN is the device id): the collector knows the device by it. With uploadKeyFile."),
      uploadKeyFile: z.string().min(1).nullable().default(null).describe('PEM file of the private key of uploadCertFile (readable by the service user only).'),
      uploadBatch: z.number().int().min(1).max(1000).default(100).describe('Records per upload request.'),
      uploadPeriodSec: z
        .number()
        .int()
        .min(1)
        .max(24 * 3600)
        .default(300)
        .describe('Pause between upload rounds when all went well.'),
      uploadTimeoutSec: z.number().int().min(1).max(600).default(30).describe('A request not answered within this time has failed.'),
      uploadMaxBackoffSec: z
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 3600)
        .default(3600)
        .describe('After failures the pause doubles from uploadPeriodSec up to this bound.'),
      checkpointEvery: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .default(1000)
        .describe('The device key signs a checkpoint of the audit chain at every multiple of this sequence number.'),
      checkpointMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(10)
        .describe('...and when the chain moved and this long passed without one (and at every stop).'),
    })
    .prefault({}),
  clock: z
    .strictObject({
      toleranceSec: z
        .number()
        .int()
        .min(0)
        .max(24 * 3600)
        .default(300)
        .describe('A system clock this far below the clock floor is still believed.'),
      maxAheadDays: z
        .number()
        .int()
        .min(1)
        .max(3650)
        .default(30)
        .describe('A system clock more than this past the last verified manifest iat is flagged CLOCK_UNRELIABLE.'),
      scanLeadHours: z
        .number()
        .int()
        .min(0)
        .max(24 * 365)
        .default(24)
        .describe('What logged scans teach the clock floor counts at most this far past the last manifest iat.'),
    })
    .prefault({}),
  health: z
    .strictObject({
      enabled: z.boolean().default(true).describe('Serve /healthz and /metrics while `roadscan run` runs.'),
      host: ipOrLocalhost.default('127.0.0.1').describe('Address to bind; loopback by default (no authentication).'),
      port: z.number().int().min(0).max(65535).default(9464).describe('TCP port of /healthz and /metrics.'),
    })
    .prefault({}),
};
