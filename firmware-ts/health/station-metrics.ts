/**
 * The station's shared once-only store in Prometheus terms, in the appliance's own registry:
 * whether the link is up, how many records wait for handover, and every double boarding found
 * (a counter, so an alert on `increase()` fires once per conflict and a restart loses none:
 * it starts from the conflicts already on record).
 * @module
 */
import client from 'prom-client';

export interface StationMetricsSource {
  state(): { connected: boolean; queued: number; conflicts: number };
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
}
