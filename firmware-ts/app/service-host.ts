/**
 * Everything `roadscan run` and the demo run, built from the runtime (configuration, database,
 * options): one scan path (app/scan-path.ts), the device loop that feeds it and plays its
 * verdicts, and one subscriber per output of its events: `--events`, the screen, metrics, the clock
 * floor, storage health. Around them the status list and its background sync, the audit log with
 * its purge and upload, the health endpoint. Nothing here is told through a closure filled in
 * later: every output subscribes to an event of something that already exists.
 *
 * Only the device loop, its indicator and a port another process holds (a second `roadscan run`:
 * exit 2 naming the port) may stop the start-up; the screen or the health endpoint failing to
 * listen otherwise is logged and the unit keeps scanning. A trust list received by sync with a
 * higher version replaces the one in use without a restart (checker-in-force.ts).
 *
 * At a gate or a window the once-only step and the operator desk join in (docs/DESIGN.md,
 * "Operator actions"): the buttons, the screen's buttons and the simulator's keys all answer the
 * desk. A failing once-only store never changes a verdict; it is logged, counted and handed to
 * `onStoreFault` (the health endpoint and the screen show it).
 *
 * Start and stop are named phases, in the order written in service-phases.ts.
 * @module
 */
import type { AuditLog } from '../audit/audit-log.js';
import { deviceKeyFor, openAuditLog } from './audit-log-open.js';
import { AuditPurger } from '../audit/audit-purger.js';
import type { StoreFault } from '../station/once-only-stage.js';
import { buildOnceOnly } from './once-only.js';
import { registerStationMetrics } from '../health/station-metrics.js';
import { auditRecords } from './audit-records.js';
import { onceOnlyWriteBehind } from '../station/once-only-write-behind.js';
import { StorageHealth } from '../store/storage-health.js';
import { DatabaseWatch } from '../store/database-watch.js';
import { CheckerInForce } from './checker-in-force.js';
import { heldDocuments } from './checker.js';
import { listSync } from './list-sync.js';
import { auditUpload } from './audit-upload.js';
import { buildScanPath } from './scan-path.js';
import { storageOutput } from './storage-output.js';
import { calendarCoverage } from '../rules/calendar-coverage.js';
import { healthRules } from '../health/health-rules.js';
import { heldExpiry } from '../signed/expiry.js';
import type { Runtime } from './runtime.js';
import { ServicePhases, type Phase, type PhaseName } from './service-phases.js';
import { throwIfPortTaken } from './port-taken.js';
import type { DeviceState } from '../supervisor/service-status.js';
import { systemClock, type CheckTime } from '../core/time.js';
import { PACKAGE_VERSION } from '../paths.js';
import { ScanMetrics } from '../health/scan-metrics.js';
import type { Logger } from '../log/logger.js';
import { operatorScreen } from './operator-screen.js';
import { healthEndpoint } from './health-endpoint.js';
import { listAge } from '../core/staleness.js';
import { statusStripFeed } from './status-strip.js';
import { policySummary, statusMaxAgeSec } from './policy-in-force.js';
import { statusDataDir } from '../status/list/index.js';
import { StatusListStore } from '../status/list/index.js';
import type { ScanPath } from '../scan-path/index.js';
import { Appliance } from '../service/appliance.js';
import { deviceEventLines, pathEventLines, type ApplianceEvent } from '../service/appliance-events.js';
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
  /**
   * A screen or health port held by another process ends the start with a SetupError (default
   * true: `roadscan run`); false logs it and scans on (the demo beside a running service).
   */
  portsRequired?: boolean;
}

export class ServiceHost {
  /** The one scan path: every frame goes through it; its events feed every output. */
  readonly path: ScanPath;
  readonly appliance: Appliance;
  /** The audit log every scan is written to. */
  readonly audit: AuditLog;
  /** Failures of the once-only store since start, and the last one. */
  readonly storeFaults: { count: number; last: StoreFault | null } = { count: 0, last: null };
  /** Where the operator screen and the health endpoint listen, once started (null: not running). */
  readonly urls: { screen: string | null; health: string | null } = { screen: null, health: null };
  private readonly phases = new ServicePhases();
  /** The device's state now, for `systemctl status` (supervisor/service-status.ts). */
  readonly deviceState: () => DeviceState;
  /** Told when the scanner, the records or the station change (the list's and trust's age: poll). */
  readonly onDeviceChange: (fn: () => void) => void;

  constructor(opts: ServiceHostOptions) {
    const { rt, hal, logger } = opts;
    const cfg = rt.config;
    const phase = (name: PhaseName, p: Phase) => this.phases.add(name, p);
    const store = StatusListStore.open(rt.db, statusDataDir(rt.dbFile), { log: { warn: (m) => logger.warn(m) } });
    // One floor for the whole service: `--now` instants are marked on it and never move it.
    const floor = rt.clockFloor;
    phase('status list', {
      stop: () => {
        floor.flush();
        store.close();
      },
    });
    const time = (): CheckTime => rt.time();
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
    dbWatch?.start();
    phase('database watch', { stop: () => dbWatch?.stop() });
    const metrics = new ScanMetrics({ clock: systemClock, version: PACKAGE_VERSION });
    const inForce = new CheckerInForce(rt, store, logger, (what) => metrics.reloadFailed(what));
    // The list age by the policy in force (a synced policy may change it while the service runs).
    const maxAgeSec = () => statusMaxAgeSec(inForce.policy);
    const age = () => listAge(store.listIat(), time().nowSec, maxAgeSec());
    // The records written off the event loop (app/audit-records.ts), except in memory.
    const { writer, stop: stopRecords } = auditRecords(rt, { audit, meta: auditMeta, signing: deviceKey?.signing ?? null, storage, metrics, logger });
    phase('records', { stop: stopRecords });
    storage.onChange((e) => {
      if (e.kind === 'failure') metrics.storageFailed(e.source);
      else if (e.kind === 'fault') logger.error({ store: e.source, err: e.error, unwritten: writer?.unwritten ?? 0 }, 'records not being written');
      else logger.info({ store: e.source }, 'records written again');
    });
    const syncMetrics = () => metrics.setList({ entries: store.entries(), iatSec: store.listIat() });
    syncMetrics();
    // docs/STATUS-LIST.md: from 1 November (CST, by the check clock) next year's schedule should be held.
    const calendarCheck = () => calendarCoverage(inForce.rules.inForce.calendar.years, time().nowSec);
    metrics.watchCalendar(() => calendarCheck().nextYearMissing);
    // Spec 1.2: each signed document held and where it stands against its expires, by the check clock.
    const signedNow = () => heldDocuments(inForce.trust, inForce.rules).map((d) => heldExpiry(d, time().nowSec));
    metrics.watchSigned(signedNow);

    const once = buildOnceOnly(rt, {
      escalate: () => inForce.checker.policy.policy.escalate,
      log: { warn: (o, m) => logger.warn(o, m), info: (o, m) => logger.info(o, m) },
      // Boardings and vouchers durable in the audit writer's commits, never the scan's wait (its faults: `boarding`).
      ...(writer
        ? {
            local: {
              writeBehind: onceOnlyWriteBehind(writer),
              onWriteProblem: (p) =>
                p.kind === 'given-up'
                  ? logger.error({ action: p.action, scanId: p.record?.scanId }, 'once-only record given up: the disk refused it too long')
                  : logger.error({ action: p.action, scanId: p.record?.scanId }, 'once-only record already held by another process: this ticket was let through twice'),
            },
          }
        : {}),
    });
    const station = once?.station.station ?? null;
    if (station) registerStationMetrics(metrics.registry, station);
    let purge: NodeJS.Timeout | null = null;
    if (once) {
      // Records of expired tickets go with the audit purge's rhythm, against the clock floor.
      purge = setInterval(() => {
        try {
          once.station.local.purge(Math.floor(time().nowSec));
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'once-only purge failed');
        }
      }, cfg.audit.purgePeriodMin * 60_000);
      purge.unref();
    }
    phase('once-only', {
      stop: async () => {
        if (purge) clearInterval(purge);
        await once?.close();
      },
    });

    const path = buildScanPath(rt, {
      checker: { check: (text, t) => inForce.checker.check(text, t) },
      audit: writer ?? audit,
      onceOnly: once,
      logger,
    });
    this.path = path;
    phase('scan path', { stop: () => path.close() });

    // The outputs, one subscriber each, in the order they are told of a scan. `--events` first, so
    // a scan's line comes before the lines of its pattern; then the device loop (the pattern).
    if (opts.onEvent) pathEventLines(path, opts.onEvent);
    const appliance = new Appliance({
      scanner: hal.scanner,
      indicator: hal.indicator,
      feedback: hal.feedback,
      path,
      storage,
      listStale: () => age().stale,
      buttons: path.hasDesk ? (hal.buttons ?? null) : null,
      ...(path.hasDesk && hal.keys ? { keys: (text: string) => hal.keys!(text) } : {}),
      logger,
    });
    this.appliance = appliance;
    if (opts.onEvent) deviceEventLines(appliance, opts.onEvent);
    const screen = cfg.screen.enabled
      ? operatorScreen({
          rt,
          path,
          scanner: hal.scanner,
          onScannerChange: (fn) => appliance.on('scanner', fn),
          storage,
          station,
          strip: statusStripFeed(rt, store, audit, station, maxAgeSec, signedNow),
          logger,
          portRequired: opts.portsRequired !== false,
          ...(opts.onScreenUrl ? { onScreenUrl: opts.onScreenUrl } : {}),
        })
      : null;
    phase('device', {
      start: async () => {
        await appliance.start();
        screen?.deviceStarted();
      },
      stop: async () => {
        await appliance.stop();
        await hal.close?.();
      },
    });

    // Storage health: a record not kept, a once-only store failing (alert pattern, screen, /healthz degraded).
    path.on('fault', (f) => {
      if (f.part !== 'once-only' || f.state !== 'failing') return;
      this.storeFaults.count++;
      this.storeFaults.last = f.fault;
      logger.error({ op: f.fault.op, action: f.fault.action, scanId: f.fault.scanId, err: f.fault.message }, 'once-only store failed');
    });
    storageOutput(path, storage);
    if (opts.onStoreFault) path.on('fault', (f) => f.part === 'once-only' && f.state === 'failing' && opts.onStoreFault?.(f.fault));

    // Metrics and the last scan of /healthz.
    let lastScan: { at: string; verdict: string } | null = null;
    path.on('scan', (s) => {
      metrics.observeScan(s.result);
      // The check's own instant: on a board whose clock booted in 1970 it is the floor, not 1970.
      lastScan = { at: new Date(s.time.nowSec * 1000).toISOString(), verdict: s.result.verdict };
    });
    appliance.on('scanner', (s) => s.reconnected && metrics.scannerReconnected());

    // What `systemctl status` says (supervisor/service-status.ts): gathered here, told on change.
    const trustStale = () => signedNow().some((d) => d.stale);
    this.deviceState = () => ({
      profile: cfg.profile,
      scanner: { name: hal.scanner.name, state: appliance.scannerState },
      storageOk: storage.ok,
      stationConnected: station ? station.state().connected : null,
      listStale: age().stale,
      trustStale: safely(trustStale, false),
    });
    this.onDeviceChange = (fn) => {
      // After the change has settled everywhere (the scanner's own state, the alert pattern).
      const later = () => queueMicrotask(fn);
      appliance.on('scanner', later);
      storage.onChange(later);
      station?.onChange(later);
    };

    // The clock floor learns from each scan's instant.
    path.on('scan', (s) => {
      floor.noteScan(s.time);
      metrics.setClockReliable(s.time.reliable);
    });

    if (screen) {
      phase('screen', {
        start: async () => {
          this.urls.screen = await screen.start();
        },
        stop: () => screen.stop(),
      });
    }

    if (cfg.health.enabled) {
      const health = healthEndpoint(cfg.health, {
        scanner: () => hal.scanner.state,
        store,
        age,
        floor,
        dbWatch,
        metrics,
        rules: () => healthRules(inForce.rules.inForce, calendarCheck(), policySummary(inForce.policy, inForce.rules.inForce.source.policy)),
        signed: signedNow,
        lastScan: () => lastScan,
        storage,
        unwritten: () => writer?.unwritten ?? 0,
        station,
      });
      phase('health', {
        start: async () => {
          try {
            const at = await health.start();
            this.urls.health = `http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}/`;
            logger.info({ url: `${this.urls.health}healthz` }, 'health endpoint');
          } catch (err) {
            if (opts.portsRequired !== false) throwIfPortTaken('health', cfg.health, err);
            logger.error({ err: (err as Error).message }, 'health endpoint not started');
          }
        },
        stop: () => health.stop(),
      });
    }

    if (cfg.statusList.url !== null) {
      const sync = listSync({ rt, baseUrl: cfg.statusList.url, inForce, floor, metrics, onRound: syncMetrics, logger });
      phase('list sync', { start: async () => sync.start(), stop: () => sync.stop() });
    }

    const purger = new AuditPurger(audit, floor, {
      retentionDays: cfg.audit.retentionDays,
      periodMs: cfg.audit.purgePeriodMin * 60_000,
      requireAck: cfg.audit.uploadUrl !== null,
      clock: systemClock,
      onPurge: (n) => n > 0 && logger.info({ deleted: n }, 'audit purge'),
    });
    phase('audit purge', { start: async () => purger.start(), stop: () => purger.stop() });

    if (cfg.audit.uploadUrl !== null) {
      const uploader = auditUpload(rt, cfg.audit.uploadUrl, audit, metrics, logger);
      phase('audit upload', { start: async () => uploader.start(), stop: () => uploader.stop() });
    }
  }

  /** Starts the phases in their order (service-phases.ts); the device's failing to start (its indicator) rejects. */
  start(): Promise<void> {
    return this.phases.start();
  }

  /** Stops the phases in their order, each best effort; the database closes after this. */
  stop(): Promise<void> {
    return this.phases.stop();
  }
}

/** A probe that fails reads as `fallback` (the status line must never fail the service). */
function safely<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
