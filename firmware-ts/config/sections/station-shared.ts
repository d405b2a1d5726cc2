/**
 * `station.shared`: the station's replicated once-only store (docs/DESIGN.md, "A station with
 * several gates and windows"). Absent or null, the device keeps its boardings and vouchers in its
 * own database alone, as a single device always did, and needs no server.
 * @module
 */
import { z } from 'zod';

/** host:port or nats://host:port (tls:// for TLS), no credentials inside the address. */
const serverAddress = z
  .string()
  .max(256)
  .regex(/^(?:(?:nats|tls):\/\/)?[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'host:port or nats://host:port');

export const stationSharedSection = z
  .strictObject({
    /** The station's nats-server members (at least one; the client learns the rest from the cluster). */
    servers: z.array(serverAddress).min(1).max(16),
    /** The key-value bucket of the station's boardings and vouchers; one per station. */
    bucket: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _')
      .default('roadscan-once'),
    /** Copies of every record in the cluster (3 for three members; at most the members' count). */
    replicas: z.number().int().min(1).max(5).default(3),
    /** How long a scan waits for the station's answer before it answers alone (STATION_OFFLINE). */
    deadlineMs: z.number().int().min(10).max(5000).default(150),
    /**
     * How long the station keeps a record: the bucket's max age (nats-server 2.9, Debian 12's, has
     * no per-record TTL). A ticket boards only within its boarding window, so a day would do at a
     * gate; a voucher can be asked for weeks after the trip, hence 31 days. This device's own copy
     * keeps each record until the ticket's `exp` plus a margin.
     */
    recordMaxAgeHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 400)
      .default(744),
    /** Pause between handovers of what was decided alone, while any is queued, ms. */
    handoverPeriodMs: z.number().int().min(100).max(600_000).default(1000),
    /**
     * Records decided alone kept for handover at most (rows in SQLite, about 200 bytes each). A full
     * queue is shown (/healthz, the strip, roadscan_station_queue_full); what it refuses stays in
     * this device's own record and is handed over from there once the queue drains.
     */
    handoverQueueMax: z.number().int().min(1).max(10_000_000).default(100_000),
    /** A NATS credentials file (JWT and seed), or null. */
    credsFile: z.string().min(1).nullable().default(null),
    /** TLS to the servers: CA to trust, and this device's certificate and key, or null for plain TCP. */
    tls: z
      .strictObject({
        caFile: z.string().min(1).nullable().default(null),
        certFile: z.string().min(1).nullable().default(null),
        keyFile: z.string().min(1).nullable().default(null),
      })
      .nullable()
      .default(null),
  })
  .nullable()
  .default(null);

export type StationSharedConfig = NonNullable<z.output<typeof stationSharedSection>>;
