/**
 * The health endpoint: `/healthz` (JSON: scanner, status list, clock, last scan) and `/metrics`
 * (Prometheus text), on 127.0.0.1 by default because it has no authentication.
 *
 * `/healthz` answers 200 whenever the service can answer, with `"status": "ok"` or `"degraded"`
 * and the reasons: a roadside unit that is offline (stale list) is degraded but working, and a
 * 503 would make a naive supervisor restart a device that is doing its job. The state comes from
 * a callback, so the server never holds references into the service. Like the operator screen it
 * cuts off slow requests and, on a loopback binding, answers only loopback Host names, so a web
 * page cannot read it through DNS rebinding (http/local-server.ts).
 * @module
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalServer, hostAllowed } from '../http/local-server.js';
import type { HealthRules } from './health-rules.js';
import type { ScanMetrics } from './scan-metrics.js';

/** What the service reports about itself at the moment of a `/healthz` request. */
export interface HealthState {
  /** State of the barcode scanner, e.g. "open", "closed", "error". */
  scanner: string;
  list: {
    /** Sequence number of the list held, null when none. */
    seq: number | null;
    entries: number;
    /** Age of the last verified manifest in seconds, null when none was ever verified. */
    ageSec: number | null;
    /** True past statusList.maxAgeHours (scans carry STATUS_LIST_STALE). */
    stale: boolean;
    /** Why the kept list cannot be read (damaged or missing at rest), or null. */
    problem?: string | null;
  };
  clock: {
    state: 'ok' | 'behind' | 'ahead';
    floor: string;
  };
  /** The rules data in force (docs/STATUS-LIST.md "Signed documents"); absent where not tracked. */
  rules?: HealthRules;
  /**
   * Spec 1.2: each signed document held (the trust list with a root, synced rules data), its
   * version and `expires`; one past it (or without one) makes the service degraded, by name.
   */
  signed?: readonly { name: string; version: number; expires: string | null; stale: boolean; secondsLeft: number | null }[];
  /** The last scan, without anything about the person. */
  lastScan: { at: string; verdict: string } | null;
  /** The station's shared once-only store (docs/DESIGN.md); absent when this device works alone. */
  station?: {
    connected: boolean;
    /** The member this device talks to now, or null. */
    server: string | null;
    servers: readonly string[];
    /** Records decided alone, waiting to be handed over. */
    queued: number;
    /** Tickets found boarded (or swapped) twice, never hidden. */
    conflicts: number;
    /** Why the station's records could not be read (the last counts are shown). */
    problem?: string;
    /** Conflicts by kind: taken-twice, unreadable (a holder value not a record), vanished. */
    conflictsByKind?: Record<string, number>;
    /** The bucket is not used: its settings are not the station's (names the setting). */
    fault?: string | null;
    /** The handover queue's bound, and whether it is full. */
    queueMax?: number;
    queueFull?: boolean;
    /** Records a full queue refused, not yet handed over (kept in this device's record). */
    overflow?: { sinceSec: number; refused: number } | null;
    /** Linked, but answering alone (the bucket's leader lost, say). */
    decidingAlone?: boolean;
  };
  /** Whether records are being kept (storage-health.ts); absent: not watched. */
  storage?: {
    ok: boolean;
    /** Audit records of scans already shown, not yet durable. */
    unwritten: number;
    /** Records given up since start (never acknowledged). */
    lost: number;
    /** One line per failing store, with its error. */
    problems: string[];
  };
}

export interface HealthServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 9464; 0 picks a free port. */
  port?: number;
  state: () => HealthState;
  metrics: ScanMetrics;
}

export class HealthServer {
  private readonly server: http.Server;

  constructor(private readonly opts: HealthServerOptions) {
    this.server = createLocalServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<{ host: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 9464, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return { host, port: (this.server.address() as AddressInfo).port };
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const port = (this.server.address() as AddressInfo | null)?.port ?? -1;
    if (!hostAllowed(req, this.opts.host ?? '127.0.0.1', port)) {
      return void res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    }
    try {
      if (path === '/healthz') {
        const body = JSON.stringify(healthBody(this.opts.state()));
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        return void res.end(req.method === 'HEAD' ? undefined : body);
      }
      if (path === '/metrics') {
        const text = await this.opts.metrics.text();
        res.writeHead(200, { 'content-type': this.opts.metrics.contentType, 'cache-control': 'no-store' });
        return void res.end(req.method === 'HEAD' ? undefined : text);
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    }
  }
}

/** What degrades a unit of a station (docs/DESIGN.md, "A station with several gates and windows"). */
function stationProblems(st: HealthState['station']): string[] {
  if (!st) return [];
  const out: string[] = [];
  if (st.fault) out.push(st.fault);
  else if (!st.connected) out.push('station store unreachable');
  if (st.decidingAlone) out.push('station deciding alone: the station store does not answer');
  if (st.conflicts > 0) {
    const kinds = Object.entries(st.conflictsByKind ?? {}).filter(([k, n]) => k !== 'taken-twice' && n > 0);
    out.push(`station conflicts ${st.conflicts}${kinds.length ? ` (${kinds.map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`);
  }
  if (st.queueFull) out.push(`station handover queue full (${st.queued} of ${st.queueMax ?? st.queued})`);
  if (st.overflow) out.push(`station handover: ${st.overflow.refused} records refused by the full queue, kept here, not yet handed over`);
  if (st.problem) out.push(st.problem);
  return out;
}

/** The `/healthz` document: the state plus an overall status and why it is not ok. */
export function healthBody(state: HealthState): HealthState & { status: 'ok' | 'degraded'; problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  // Warnings do not degrade the unit: it scans as well as before, but someone should act.
  const warnings = [...(state.rules?.warnings ?? [])];
  if (state.scanner !== 'open') problems.push(`scanner ${state.scanner}`);
  if (state.list.ageSec === null) problems.push('no status list');
  else if (state.list.stale) problems.push('status list stale');
  if (state.list.problem) problems.push(state.list.problem);
  if (state.clock.state !== 'ok') problems.push(`clock ${state.clock.state}`);
  for (const d of state.signed ?? []) {
    if (!d.stale) continue;
    const what = d.name === 'trust' ? 'trust list' : `rules ${d.name}`;
    problems.push(
      `${what} version ${d.version} ${d.expires === null ? 'carries no expires' : `expired ${d.expires}`}: scans carry TRUST_STALE until a newer version is synced`,
    );
  }
  problems.push(...stationProblems(state.station));
  if (state.storage) {
    problems.push(...state.storage.problems);
    if (state.storage.lost > 0) problems.push(`${state.storage.lost} audit records lost`);
  }
  return { status: problems.length === 0 ? 'ok' : 'degraded', problems, warnings, ...state };
}
