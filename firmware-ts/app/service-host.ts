/**
 * Everything `roadscan run` and the demo run, built from the runtime (configuration, database,
 * options) around the appliance: the status list and its background sync, the clock floor, the
 * audit log with its purge and upload, metrics and the health endpoint, the operator screen.
 *
 * Only the appliance and its indicator may stop the start-up; the screen or the health endpoint
 * failing to listen is logged and the unit keeps scanning. A trust list received by sync with a
 * higher version replaces the one in use without a restart.
 *
 * At a gate or a window the once-only step and the operator desk join in (docs/DESIGN.md,
 * "Operator actions"): the buttons, the screen's buttons and the simulator's keys all answer the
 * desk. A failing once-only store never changes a verdict; it is logged, counted and handed to
 * `onStoreFault` (the health endpoint and the screen show it).
 * @module
 */
import type { AuditLog } from '../audit/audit-log.js';
import { deviceKeyFor, openAuditLog } from './audit-log-open.js';
import { AuditPurger } from '../audit/audit-purger.js';
import type { StoreFault } from '../station/once-only-stage.js';
import type { StationState } from '../station/shared-once-only-store.js';
import { OperatorDesk, type ActionTaken, type DecisionOffered } from '../service/operator-desk.js';
import { buildOnceOnly, conflictAuditEntry } from './once-only.js';
import { registerStationMetrics } from '../health/station-metrics.js';
import { AuditWriter } from '../audit/audit-writer.js';
import { StorageHealth } from '../store/storage-health.js';
import { DatabaseWatch } from '../store/database-watch.js';
import { CheckerInForce } from './checker-in-force.js';
import { listSync } from './list-sync.js';
import { auditUpload } from './audit-upload.js';
import { calendarCoverage } from '../rules/calendar-coverage.js';
import { healthRules } from '../health/health-rules.js';
import type { Runtime } from './runtime.js';
import { systemClock, type CheckTime } from '../core/time.js';
import { HealthServer, type HealthState } from '../health/health-server.js';
import { PACKAGE_VERSION } from '../paths.js';
import { ScanMetrics } from '../health/scan-metrics.js';
import type { Logger } from '../log/logger.js';
import { ScreenServer } from '../screen/screen-server.js';
import { listAge } from '../core/staleness.js';
import { statusStripFeed } from './status-strip.js';
import { statusDataDir } from '../status/list/index.js';
import { StatusListStore } from '../status/list/index.js';
import { Appliance } from '../service/appliance.js';
import type { ApplianceEvent } from '../service/appliance-events.js';
import type { Hal } from '../../hal/index.js';

export interface ServiceHostOptions {
  rt: Runtime;
  hal: Hal;
  logger: Logger;
  onEvent?(event: ApplianceEvent): void;
  /** Told the operator screen's address as soon as it listens, before the first scan. */
  onScreenUrl?(url: string): void;
  /** Told of every failure of the once-only store (the scan went on with the verdict it earned). */
  onStoreFault?(fault: StoreFault): void;
}

export class ServiceHost {
  readonly appliance: Appliance;
  /** The audit log every scan is written to. */
  readonly audit: AuditLog;
  /** Where decisions wait for the operator (gates and windows; null elsewhere). */
  readonly desk: OperatorDesk | null;
  /** Failures of the once-only store since start, and the last one. */
  readonly storeFaults: { count: number; last: StoreFault | null } = { count: 0, last: null };
  /** Where the operator screen and the health endpoint listen, once started (null: not running). */
  readonly urls: { screen: string | null; health: string | null } = { screen: null, health: null };
  private readonly stops: (() => void | Promise<void>)[] = [];
  private readonly starts: (() => Promise<void>)[] = [];
  private screenStart: (() => Promise<void>) | null = null;

  private readonly hal: Hal;

  constructor(opts: ServiceHostOptions) {
    const { rt, hal, logger } = opts;
    this.hal = hal;
    const cfg = rt.config;
    const store = StatusListStore.open(rt.db, statusDataDir(rt.dbFile), { log: { warn: (m) => logger.warn(m) } });
    // One floor for the whole service: `--now` instants are marked on it and never move it.
    const floor = rt.clockFloor;
    const time = (): CheckTime => rt.time();
    const maxAgeSec = cfg.statusList.maxAgeHours * 3600;
    const age = () => listAge(store.listIat(), time().nowSec, maxAgeSec);
    const auditMeta = { deviceId: cfg.device.id, operator: cfg.device.operator };
    // The log (its tables, readers, upload, purge) on the shared connection; the records written
    // off the event loop by the writer's own connection (audit-writer.ts), except in memory.
    // The device key signs the audit chain's checkpoints; made here on a device that has none yet.
    const deviceKey = deviceKeyFor(rt, { makeKey: true, onKeyProblem: (line) => logger.error({ err: line }, 'audit checkpoints not signed') });
    const audit = openAuditLog(rt, deviceKey);
    this.audit = audit;
    const storage = new StorageHealth();
    // A database deleted or replaced under the service keeps taking writes that are lost at restart: said, not silent.
    const dbWatch = rt.dbFile === ':memory:' ? null : new DatabaseWatch(rt.dbFile, rt.db, storage);
    if (dbWatch) {
      dbWatch.start();
      this.stops.push(() => dbWatch.stop());
    }
    const metrics = new ScanMetrics({ clock: systemClock, version: PACKAGE_VERSION });
    const inForce = new CheckerInForce(rt, store, logger, (what) => metrics.reloadFailed(what));
    const writer =
      rt.dbFile === ':memory:'
        ? null
        : new AuditWriter({
            file: rt.dbFile,
            meta: auditMeta,
            key: deviceKey?.signing ?? null,
            checkpointEvery: cfg.audit.checkpointEvery,
            checkpointPeriodMs: cfg.audit.checkpointMinutes * 60_000,
            health: storage,
            onLost: (n) => {
              metrics.auditRecordsLost(n);
              logger.error({ lost: n }, 'audit records given up: the disk refused them too long');
            },
          });
    if (writer) metrics.watchAuditUnwritten(() => writer.unwritten);
    storage.onChange((e) => {
      if (e.kind === 'failure') metrics.storageFailed(e.source);
      else if (e.kind === 'fault') logger.error({ store: e.source, err: e.error, unwritten: writer?.unwritten ?? 0 }, 'records not being written');
      else logger.info({ store: e.source }, 'records written again');
      if (e.kind !== 'failure') this.appliance?.refreshStatus();
    });
    const syncMetrics = () => metrics.setList({ entries: store.entries(), iatSec: store.listIat() });
    syncMetrics();
    // docs/STATUS-LIST.md: from 1 November (CST, by the check clock) next year's schedule should be held.
    const calendarCheck = () => calendarCoverage(inForce.rules.inForce.calendar.years, time().nowSec);
    metrics.watchCalendar(() => calendarCheck().nextYearMissing);
    let lastScan: { at: string; verdict: string } | null = null;

    const place = { profile: cfg.profile, region: cfg.region, station: cfg.station.code };
    const once = buildOnceOnly(rt, {
      onStoreFault: (f) => {
        this.storeFaults.count++;
        this.storeFaults.last = f;
        logger.error({ op: f.op, action: f.action, scanId: f.scanId, err: f.message }, 'once-only store failed');
        // The same storage fault as a failing audit write: alert pattern, screen, /healthz degraded.
        storage.fail('once-only', `${f.op} ${f.action}: ${f.message}`);
        try {
          opts.onStoreFault?.(f);
        } catch {
          // A watcher that fails must not fail the scan.
        }
      },
      onStoreRecovered: () => storage.recover('once-only'),
      // docs/DESIGN.md: a ticket boarded twice while this device was alone is reported, not
      // hidden: a row of its own in the audit log, the metric, /healthz and the status strip.
      onConflict: (c) => {
        try {
          (writer ?? audit).submit(conflictAuditEntry(c, place, time().reliable));
        } catch (err) {
          logger.error({ err: (err as Error).message, scanId: c.ours.scanId }, 'station conflict not written to the audit log');
        }
      },
      log: { warn: (o, m) => logger.warn(o, m), info: (o, m) => logger.info(o, m) },
      // Boardings and vouchers durable in the audit writer's commits, never the scan's wait (its faults: `boarding`).
      ...(writer
        ? {
            local: {
              writeBehind: writer,
              onWriteProblem: (p) =>
                p.kind === 'given-up'
                  ? logger.error({ action: p.action, scanId: p.record?.scanId }, 'once-only record given up: the disk refused it too long')
                  : logger.error({ action: p.action, scanId: p.record?.scanId }, 'once-only record already held by another process: this ticket was let through twice'),
            },
          }
        : {}),
    });
    const station = once?.station.station ?? null;
    if (station) {
      registerStationMetrics(metrics.registry, station);
      // The strip follows the station as it changes (link, records to hand over, conflicts), not a poll later.
      station.onChange(() => this.appliance?.refreshStatus());
    }
    if (once) {
      this.stops.push(() => once.close());
      // Records of expired tickets go with the audit purge's rhythm, against the clock floor.
      const purge = setInterval(() => {
        try {
          once.station.local.purge(Math.floor(time().nowSec));
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'once-only purge failed');
        }
      }, cfg.audit.purgePeriodMin * 60_000);
      purge.unref();
      this.stops.push(() => clearInterval(purge));
    }

    let screen: ScreenServer | undefined;
    const desk = once
      ? new OperatorDesk({
          stage: once.stage,
          audit: writer ?? audit,
          place,
          time,
          lapseMs: cfg.screen.clearAfterSec * 1000,
          screen: {
            publishDecision: (d) => screen?.publishDecision(d),
            publishDecisionOutcome: (id, result) => screen?.publishDecisionOutcome(id, result),
          },
          onEvent: (e: DecisionOffered | ActionTaken) => {
            opts.onEvent?.(e);
            // An answer that turned into a refusal sounds like one.
            if (e.event === 'action' && (e.result === 'voucher-already-issued' || e.result === 'store-fault')) this.appliance.playAnswer('reject');
          },
          logger,
        })
      : null;
    this.desk = desk;
    if (cfg.screen.enabled) {
      const s = new ScreenServer({
        host: cfg.screen.host,
        port: cfg.screen.port,
        lang: cfg.screen.lang,
        clearAfterSec: cfg.screen.clearAfterSec,
        history: cfg.screen.history,
        onError: (err) => logger.warn({ err: err.message }, 'operator screen error'),
        onAction: async ({ scanId, action }) => ((await desk?.act(action, 'screen', scanId)) ? 'done' : 'stale'),
      });
      // Before the appliance, so the page gets the first status and first scan, not a blank strip.
      this.screenStart = async () => {
        try {
          const { url } = await s.start();
          logger.info({ url }, 'operator screen');
          this.urls.screen = url;
          opts.onScreenUrl?.(url);
          screen = s;
        } catch (err) {
          logger.error({ err: (err as Error).message }, 'operator screen not started');
        }
      };
      this.stops.push(() => s.stop());
    }

    this.appliance = new Appliance({
      scanner: hal.scanner,
      indicator: hal.indicator,
      checker: { check: (text, t) => inForce.checker.check(text, t) },
      time,
      audit: writer ?? audit,
      storage,
      place,
      feedback: hal.feedback,
      ...(once ? { onceOnly: once.stage } : {}),
      ...(desk ? { desk } : {}),
      buttons: desk ? (hal.buttons ?? null) : null,
      ...(desk && hal.keys ? { keys: (text: string) => hal.keys!(text) } : {}),
      onScanLogged: (t) => {
        floor.noteScan(t);
        metrics.setClockReliable(t.reliable);
      },
      listStale: () => age().stale,
      screenStatus: statusStripFeed(rt, store, audit, station),
      metrics: {
        observeScan: (r) => {
          metrics.observeScan(r);
          // The check's own instant: on a board whose clock booted in 1970 it is the floor, not 1970.
          lastScan = { at: new Date(time().nowSec * 1000).toISOString(), verdict: r.verdict };
        },
        scannerReconnected: () => metrics.scannerReconnected(),
      },
      screen: {
        publishScan: (r, meta) => screen?.publishScan(r, meta),
        publishStatus: (st) => screen?.publishStatus(st),
      },
      onEvent: opts.onEvent,
      logger,
    });

    if (cfg.health.enabled) {
      const health = new HealthServer({
        host: cfg.health.host,
        port: cfg.health.port,
        metrics,
        state: () => {
          dbWatch?.check();
          const clock = floor.state(Date.now());
          return {
            scanner: this.appliance.scannerState,
            list: healthList(store, age),
            clock: { state: clock.state, floor: new Date(clock.floorSec * 1000).toISOString() },
            rules: healthRules(inForce.rules.inForce, calendarCheck()),
            lastScan,
            storage: { ok: storage.ok, unwritten: writer?.unwritten ?? 0, lost: storage.lostTotal, problems: storage.problems() },
            ...(station ? { station: stationHealth(station.state()) } : {}),
          };
        },
      });
      this.starts.push(async () => {
        try {
          const at = await health.start();
          this.urls.health = `http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}/`;
          logger.info({ url: `${this.urls.health}healthz` }, 'health endpoint');
        } catch (err) {
          logger.error({ err: (err as Error).message }, 'health endpoint not started');
        }
      });
      this.stops.push(() => health.stop());
    }

    if (cfg.statusList.url !== null) {
      const sync = listSync({ rt, baseUrl: cfg.statusList.url, inForce, floor, metrics, onRound: syncMetrics, logger });
      this.starts.push(async () => sync.start());
      this.stops.push(() => sync.stop());
    }

    const purger = new AuditPurger(audit, floor, {
      retentionDays: cfg.audit.retentionDays,
      periodMs: cfg.audit.purgePeriodMin * 60_000,
      requireAck: cfg.audit.uploadUrl !== null,
      clock: systemClock,
      onPurge: (n) => n > 0 && logger.info({ deleted: n }, 'audit purge'),
    });
    this.starts.push(async () => purger.start());
    this.stops.push(() => purger.stop());

    if (cfg.audit.uploadUrl !== null) {
      const uploader = auditUpload(rt, cfg.audit.uploadUrl, audit, metrics, logger);
      this.starts.push(async () => uploader.start());
      this.stops.push(() => uploader.stop());
    }

    // Last before the database closes: what the scans handed over is written, or said.
    this.stops.push(async () => {
      // Without a writer (a database in memory) the stop checkpoint is the log's to sign.
      if (!writer) return void audit.checkpointHead('stop');
      const unwritten = await writer.close();
      if (unwritten > 0) logger.error({ unwritten }, 'audit records not written at shutdown');
    });
    this.stops.push(() => {
      floor.flush();
      store.close();
    });
  }

  /** Starts the appliance (an indicator that cannot be had rejects), then everything around it. */
  async start(): Promise<void> {
    await this.screenStart?.();
    await this.appliance.start();
    for (const start of this.starts) await start();
  }

  /** Stops the appliance first (no scan left half-done), then the rest, in reverse order. */
  async stop(): Promise<void> {
    await this.appliance.stop();
    await this.hal.close?.();
    for (const stop of [...this.stops].reverse()) {
      try {
        await stop();
      } catch {
        // Stopping is best effort; the database closes after this.
      }
    }
  }
}

/** The list part of `/healthz`; a database that fails under the service is a problem line, never a 500. */
function healthList(store: StatusListStore, age: () => { ageSec: number | null; stale: boolean }) {
  try {
    const a = age();
    return { seq: store.seq(), entries: store.entries(), ageSec: a.ageSec, stale: a.stale, problem: store.problem() };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { seq: null, entries: 0, ageSec: null, stale: true, problem: `status list unreadable: ${e.code ?? 'error'}: ${String(e.message ?? err).slice(0, 200)}` };
  }
}

/** The station's state as /healthz shows it (docs/DESIGN.md, "A station with several gates and windows"). */
function stationHealth(s: StationState): NonNullable<HealthState['station']> {
  return { connected: s.connected, server: s.server, servers: s.servers, queued: s.queued, conflicts: s.conflicts, ...(s.problem ? { problem: s.problem } : {}) };
}
