/**
 * The station's shared once-only store in Prometheus terms, in the appliance's own registry:
 * whether the link is up, how many records wait for handover, and every double boarding found
 * (a counter, so an alert on `increase()` fires once per conflict and a restart loses none:
 * it starts from the conflicts already on record), by kind too; whether the handover queue is
 * full and how many records it refused; whether the bucket is refused for its settings, and how
 * often it was; whether the gate decides alone while linked (the bucket's leader lost).
 * @module
 */
import client from 'prom-client';

export interface StationMetricsSource {
  state(): {
    connected: boolean;
    queued: number;
    conflicts: number;
    conflictsByKind?: Record<string, number>;
    queueFull?: boolean;
    overflow?: { refused: number } | null;
    fault?: string | null;
    faultsFound?: number;
    decidingAlone?: boolean;
  };
}

/** A counter that follows a count that only grows (kept in SQLite or since start). */
function follow(counter: client.Counter<string>, labels: Record<string, string>, seen: Map<string, number>, key: string, now: number): void {
  const before = seen.get(key) ?? 0;
  if (now > before) counter.inc(labels, now - before);
  seen.set(key, Math.max(before, now));
}

export function registerStationMetrics(registry: client.Registry, source: StationMetricsSource): void {
  const registers = [registry];
  new client.Gauge({
    name: 'roadscan_station_connected',
    help: '1 when the station store answers, 0 while this device answers alone (STATION_OFFLINE).',
    registers,
    collect() {
      this.set(source.state().connected ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'roadscan_station_queued',
    help: 'Once-only records decided alone, waiting to be handed over to the station store.',
    registers,
    collect() {
      this.set(source.state().queued);
    },
  });
  // A counter that follows the count kept in SQLite: it only ever grows, across restarts too.
  let counted = 0;
  new client.Counter({
    name: 'roadscan_station_conflicts_total',
    help: 'Tickets found boarded or swapped twice while a device answered alone.',
    registers,
    collect() {
      const c = source.state().conflicts;
      if (c > counted) this.inc(c - counted);
      counted = Math.max(counted, c);
    },
  });
  const byKind = new Map<string, number>();
  new client.Counter({
    name: 'roadscan_station_conflict_kinds_total',
    help: 'Station conflicts by kind: taken-twice, unreadable (a holder that is not a record), vanished (a record of this device gone from the station).',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const [kind, n] of Object.entries(source.state().conflictsByKind ?? {})) follow(this, { kind }, byKind, kind, n);
    },
  });
  new client.Gauge({
    name: 'roadscan_station_queue_full',
    help: '1 while the handover queue is full (station.shared.handoverQueueMax): what is decided alone stays in this device only, for now.',
    registers,
    collect() {
      this.set(source.state().queueFull ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'roadscan_station_queue_refused',
    help: 'Records the full handover queue refused, kept in this device record, not yet handed over.',
    registers,
    collect() {
      this.set(source.state().overflow?.refused ?? 0);
    },
  });
  new client.Gauge({
    name: 'roadscan_station_bucket_fault',
    help: '1 while the station bucket is refused because its settings are not the station configuration (answers alone).',
    registers,
    collect() {
      this.set(source.state().fault ? 1 : 0);
    },
  });
  const faults = new Map<string, number>();
  new client.Counter({
    name: 'roadscan_station_bucket_faults_total',
    help: 'Times the station bucket was found with settings other than the station configuration.',
    registers,
    collect() {
      follow(this, {}, faults, '', source.state().faultsFound ?? 0);
    },
  });
  new client.Gauge({
    name: 'roadscan_station_deciding_alone',
    help: '1 while linked to the station but answering alone (its bucket has no leader, say).',
    registers,
    collect() {
      this.set(source.state().decidingAlone ? 1 : 0);
    },
  });
}
