/**
 * The station's metrics (issue 20): a full handover queue, the records it refused, a bucket
 * refused for its settings (and how often), deciding alone while linked, and conflicts by kind as
 * counters that only grow, read from the store's state as /metrics scrapes it.
 */
import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerStationMetrics } from '../../../firmware-ts/health/station-metrics.js';

describe('station metrics', () => {
  it('shows a full queue, a refused bucket, deciding alone and conflicts by kind', async () => {
    const registry = new client.Registry();
    let state = {
      connected: true,
      queued: 0,
      conflicts: 0,
      conflictsByKind: { 'taken-twice': 0, unreadable: 0, vanished: 0 },
      queueFull: false,
      overflow: null as { refused: number } | null,
      fault: null as string | null,
      faultsFound: 0,
      decidingAlone: false,
    };
    registerStationMetrics(registry, { state: () => state });
    const text = async () => registry.metrics();
    expect(await text()).toMatch(/^roadscan_station_queue_full 0$/m);
    state = {
      ...state,
      connected: false,
      queued: 5,
      conflicts: 3,
      conflictsByKind: { 'taken-twice': 1, unreadable: 1, vanished: 1 },
      queueFull: true,
      overflow: { refused: 2 },
      fault: 'station bucket once not as configured: max_age 3s, needs at least 86400s',
      faultsFound: 1,
      decidingAlone: true,
    };
    const t = await text();
    expect(t).toMatch(/^roadscan_station_queue_full 1$/m);
    expect(t).toMatch(/^roadscan_station_queue_refused 2$/m);
    expect(t).toMatch(/^roadscan_station_bucket_fault 1$/m);
    expect(t).toMatch(/^roadscan_station_bucket_faults_total 1$/m);
    expect(t).toMatch(/^roadscan_station_deciding_alone 1$/m);
    expect(t).toMatch(/^roadscan_station_conflicts_total 3$/m);
    expect(t).toMatch(/^roadscan_station_conflict_kinds_total\{kind="vanished"\} 1$/m);
    expect(t).toMatch(/^roadscan_station_conflict_kinds_total\{kind="unreadable"\} 1$/m);
    // Counters never go back, even when a count read lower (a database read that failed, say).
    state = { ...state, conflictsByKind: { 'taken-twice': 0, unreadable: 0, vanished: 0 }, faultsFound: 0 };
    const later = await text();
    expect(later).toMatch(/^roadscan_station_conflict_kinds_total\{kind="vanished"\} 1$/m);
    expect(later).toMatch(/^roadscan_station_bucket_faults_total 1$/m);
  });
});
