/**
 * Asks the running service whether it scans: `/healthz` on its configured address, polled until
 * it answers with the scanner open or the wait is over. Provisioning reports success only on that
 * answer (docs/DESIGN.md, "Provisioning"): a unit that wrote its files but never came up, or came
 * up without its scanner, is not "done". The answer is a stranger's bytes as far as this code
 * knows (another process may hold the port): bounded in size and time, read as data only.
 *
 * A service that was already running when a new anchor went in keeps the trust list it started
 * with (a file that changes under it never stops it, docs/DESIGN.md "Faults"), so after an install
 * only a service that started since counts: its `process_start_time_seconds` on `/metrics`.
 * @module
 */
import { request } from 'node:http';
import { oneLine } from '../core/text-safety.js';

const MAX_BODY = 256 << 10;
const REQUEST_MS = 2000;
const POLL_MS = 300;

export interface ProbeOptions {
  /** The health endpoint's `health.host` and `health.port`. */
  host: string;
  port: number;
  waitMs: number;
  signal?: AbortSignal;
  /** Only a service process started at or after this instant (seconds since the epoch) counts. */
  startedSinceSec?: number;
}

export type ProbeResult = { scanning: true; line: string } | { scanning: false; reason: string };

/** Where to reach a service bound to `host`: a wildcard bind answers on loopback. */
function reachAt(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

interface Answer {
  status: number;
  body: string;
}

function getOnce(host: string, port: number, path: string, signal?: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', timeout: REQUEST_MS, ...(signal ? { signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new Error('answer larger than 256 KiB'));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_MS / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/** What one answer says: scanning (with a line to show), or why not. */
export function readHealth(answer: Answer, url: string): ProbeResult {
  if (answer.status !== 200) return { scanning: false, reason: `${url} answered HTTP ${answer.status}` };
  let doc: { status?: unknown; scanner?: unknown; problems?: unknown; list?: { seq?: unknown } };
  try {
    doc = JSON.parse(answer.body);
  } catch {
    return { scanning: false, reason: `${url} did not answer JSON` };
  }
  const problems = Array.isArray(doc.problems) ? doc.problems.slice(0, 8).map((p) => oneLine(String(p), 120)) : [];
  const said = `status ${oneLine(String(doc.status), 20)}${problems.length ? ` (${problems.join('; ')})` : ''}`;
  if (doc.scanner !== 'open') return { scanning: false, reason: `${url}: the scanner is ${oneLine(String(doc.scanner), 20)}, ${said}` };
  const seq = typeof doc.list?.seq === 'number' ? `, status list seq ${doc.list.seq}` : '';
  return { scanning: true, line: `the service scans: ${url} ${said}, scanner open${seq}` };
}

/** `process_start_time_seconds` from a Prometheus text answer, or null. */
export function processStartSec(metricsText: string): number | null {
  const m = /^process_start_time_seconds(?:\{[^}\n]*\})? ([0-9.e+]+)$/m.exec(metricsText);
  const v = m ? Number(m[1]) : Number.NaN;
  return Number.isFinite(v) ? v : null;
}

async function startedTooEarly(host: string, opts: ProbeOptions): Promise<string | null> {
  if (opts.startedSinceSec === undefined) return null;
  const answer = await getOnce(host, opts.port, '/metrics', opts.signal);
  const started = answer.status === 200 ? processStartSec(answer.body) : null;
  if (started === null) return 'its /metrics does not say when it started';
  // prom-client rounds the start time to a whole second: a second of slack.
  if (started + 1 < opts.startedSinceSec) {
    return `the service answering started before the anchor was installed and keeps its old trust list: restart it (systemctl restart roadscan)`;
  }
  return null;
}

export async function waitForScanning(opts: ProbeOptions): Promise<ProbeResult> {
  const host = reachAt(opts.host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${opts.port}/healthz`;
  const deadline = Date.now() + opts.waitMs;
  let last: ProbeResult = { scanning: false, reason: `${url} did not answer` };
  for (;;) {
    if (opts.signal?.aborted) return { scanning: false, reason: 'stopped while waiting for the service' };
    try {
      last = readHealth(await getOnce(host, opts.port, '/healthz', opts.signal), url);
      if (last.scanning) {
        const early = await startedTooEarly(host, opts);
        if (early === null) return last;
        last = { scanning: false, reason: early };
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      last = { scanning: false, reason: `${url} did not answer (${code ?? oneLine((err as Error).message, 120)})` };
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
  }
  return { scanning: false, reason: `not scanning after ${Math.round(opts.waitMs / 1000)} s: ${last.reason}` };
}
