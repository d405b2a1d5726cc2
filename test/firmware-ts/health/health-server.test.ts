/**
 * The health endpoint over real HTTP on 127.0.0.1, scraped while real scans run (test-authority
 * codes through the real ScanChecker, each logged in a real audit log): the counts in /metrics
 * must match the scans sent, verdict by verdict and reason by reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shippedChecker } from '../../../firmware-ts/app/shipped-checker.js';
import { AuditLog } from '../../../firmware-ts/audit/audit-log.js';
import { fixedClock } from '../../../firmware-ts/core/time.js';
import { HealthServer, type HealthState } from '../../../firmware-ts/health/health-server.js';
import { ScanMetrics } from '../../../firmware-ts/health/scan-metrics.js';
import type { ScanResult } from '../../../firmware-ts/scan/scan-checker.js';
import { openDatabase, type Db } from '../../../firmware-ts/store/database.js';
import { REASON_CODES } from '../../../firmware-ts/core/reasons.js';
import { TestAuthority } from '../../../sim/authority/test-authority.js';

const NOW = Date.parse('2026-11-20T02:00:00Z') / 1000;
const LIST_IAT = NOW - 1800;

/** Prometheus text format -> "name{labels}" -> value (HELP/TYPE lines skipped). */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    out.set(m[1]!, m[2] === '+Inf' ? Number.POSITIVE_INFINITY : m[2] === '-Inf' ? Number.NEGATIVE_INFINITY : Number(m[2]));
  }
  return out;
}

async function get(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

let dir: string;
let db: Db;
let server: HealthServer | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-health-'));
  db = openDatabase(join(dir, 'unit.db'));
});
afterEach(async () => {
  await server?.stop();
  server = null;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/metrics while scans run', () => {
  it('counts every scan by verdict and reason, and the latency histogram, as sent', async () => {
    const authority = TestAuthority.create();
    const checker = shippedChecker({ trust: authority.trustList(), status: { statusOf: () => 0, listIat: () => LIST_IAT }, profile: 'roadside', region: '110105' });
    const codes = [
      authority.code({ type: 'DL', now: NOW }).text, // accept
      authority.code({ type: 'VR', now: NOW }).text, // warn PAPER_REQUIRED
      authority.code({ type: 'DL', now: NOW, genAgeSec: 600 }).text, // reject STALE_PRESENTATION
      authority.code({ type: 'TK', now: NOW }).text, // reject NOT_APPLICABLE
      'RS1:not base45 at all', // reject MALFORMED
    ];
    const metrics = new ScanMetrics({ clock: fixedClock(NOW * 1000) });
    metrics.setList({ entries: 1234, iatSec: LIST_IAT });
    const log = new AuditLog(db, { deviceId: 'unit-7', operator: 'op-1' });
    server = new HealthServer({ port: 0, metrics, state: () => stateOf(null) });
    const { host, port } = await server.start();
    expect(host).toBe('127.0.0.1');
    const url = `http://127.0.0.1:${port}/metrics`;

    const sent: ScanResult[] = [];
    let scanning = true;
    const scans = (async () => {
      for (let i = 0; i < 600; i++) {
        const time = { nowSec: NOW, reliable: i % 7 !== 0 };
        const result = checker.check(codes[i % codes.length]!, time);
        log.record({ atSec: time.nowSec, reliable: time.reliable, profile: 'roadside', region: '110105', station: null, result });
        metrics.observeScan(result);
        sent.push(result);
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      scanning = false;
    })();
    // Scrape while the scans run: counters only ever go up, and never exceed what was sent.
    let scrapes = 0;
    let last = 0;
    while (scanning) {
      const m = parseMetrics((await get(url)).body);
      const total = ['accept', 'warn', 'reject'].reduce((s, v) => s + m.get(`roadscan_scans_total{verdict="${v}"}`)!, 0);
      expect(total).toBeGreaterThanOrEqual(last);
      expect(total).toBeLessThanOrEqual(sent.length);
      last = total;
      scrapes++;
    }
    await scans;
    expect(scrapes).toBeGreaterThan(1);

    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseMetrics(res.body);
    for (const v of ['accept', 'warn', 'reject'] as const) {
      expect({ v, n: m.get(`roadscan_scans_total{verdict="${v}"}`) }).toEqual({ v, n: sent.filter((r) => r.verdict === v).length });
    }
    for (const code of REASON_CODES) {
      const n = sent.filter((r) => r.reasons.includes(code)).length;
      expect({ code, n: m.get(`roadscan_scan_reasons_total{reason="${code}"}`) }).toEqual({ code, n });
    }
    expect(sent.filter((r) => r.reasons.includes('CLOCK_UNRELIABLE')).length).toBe(Math.ceil(600 / 7));
    expect(m.get('roadscan_verify_duration_seconds_count')).toBe(600);
    expect(m.get('roadscan_verify_duration_seconds_sum')).toBeCloseTo(sent.reduce((s, r) => s + r.ms, 0) / 1000, 6);
    expect(m.get('roadscan_verify_duration_seconds_bucket{le="+Inf"}')).toBe(600);
    expect(m.get('roadscan_status_list_entries')).toBe(1234);
    expect(m.get('roadscan_status_list_age_seconds')).toBe(1800);
    expect(log.count()).toBe(600);
    // Process metrics live in the same private registry, under their standard names.
    expect(m.has('process_resident_memory_bytes')).toBe(true);
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect([...m.keys()].some((k) => k.startsWith('roadscan_build_info{') && k.includes('node="'))).toBe(true);
    expect(m.get('roadscan_storage_write_failures_total{store="audit"}')).toBe(0);
  });

  it('counts sync failures, scanner reconnects and upload failures, and keeps registries apart', async () => {
    const metrics = new ScanMetrics({ processMetrics: false });
    const other = new ScanMetrics({ processMetrics: false });
    metrics.syncFailed();
    metrics.syncFailed();
    metrics.scannerReconnected();
    metrics.uploadFailed();
    metrics.setAuditPending(17);
    metrics.setClockReliable(false);
    server = new HealthServer({ port: 0, metrics, state: () => stateOf(null) });
    const { port } = await server.start();
    const m = parseMetrics((await get(`http://127.0.0.1:${port}/metrics`)).body);
    expect(m.get('roadscan_sync_failures_total')).toBe(2);
    expect(m.get('roadscan_scanner_reconnects_total')).toBe(1);
    expect(m.get('roadscan_audit_upload_failures_total')).toBe(1);
    expect(m.get('roadscan_audit_pending_records')).toBe(17);
    expect(m.get('roadscan_clock_reliable')).toBe(0);
    expect(m.get('roadscan_status_list_age_seconds')).toBe(Number.POSITIVE_INFINITY); // never verified: infinitely old
    expect(parseMetrics(await other.text()).get('roadscan_sync_failures_total')).toBe(0);
  });
});

function stateOf(lastScan: HealthState['lastScan'], over: Partial<HealthState> = {}): HealthState {
  return {
    scanner: 'open',
    list: { seq: 42, entries: 1234, ageSec: 1800, stale: false },
    clock: { state: 'ok', floor: '2026-11-20T01:30:00.000Z' },
    lastScan,
    ...over,
  };
}

describe('/healthz', () => {
  it('reports scanner, list, clock and last scan; ok or degraded with the reasons', async () => {
    let state = stateOf({ at: '2026-11-20T02:00:00.000Z', verdict: 'accept' });
    server = new HealthServer({ port: 0, metrics: new ScanMetrics({ processMetrics: false }), state: () => state });
    const { port } = await server.start();
    const ok = await get(`http://127.0.0.1:${port}/healthz`);
    expect(ok.status).toBe(200);
    expect(ok.type).toBe('application/json');
    expect(JSON.parse(ok.body)).toEqual({ status: 'ok', problems: [], warnings: [], ...state });

    state = stateOf(null, { scanner: 'closed', list: { seq: null, entries: 0, ageSec: null, stale: true }, clock: { state: 'behind', floor: 'x' } });
    const bad = JSON.parse((await get(`http://127.0.0.1:${port}/healthz`)).body);
    expect(bad.status).toBe('degraded');
    expect(bad.problems).toEqual(['scanner closed', 'no status list', 'clock behind']);
  });

  it('answers 404 elsewhere, 405 to other methods, 500 without detail when the state fails', async () => {
    server = new HealthServer({
      port: 0,
      metrics: new ScanMetrics({ processMetrics: false }),
      state: () => {
        throw new Error('secret internals');
      },
    });
    const { port } = await server.start();
    expect((await get(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
    const failed = await get(`http://127.0.0.1:${port}/healthz`);
    expect(failed).toEqual({ status: 500, type: 'text/plain', body: 'internal error\n' });
  });

  it('listens on 127.0.0.1 only, and stop() frees the port', async () => {
    server = new HealthServer({ port: 0, metrics: new ScanMetrics({ processMetrics: false }), state: () => stateOf(null) });
    const { port } = await server.start();
    const { networkInterfaces } = await import('node:os');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) await expect(fetch(`http://${external.address}:${port}/healthz`)).rejects.toThrow();
    await server.stop();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    const again = new HealthServer({ port, metrics: new ScanMetrics({ processMetrics: false }), state: () => stateOf(null) });
    expect((await again.start()).port).toBe(port);
    server = again;
  });
});
