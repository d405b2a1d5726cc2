/**
 * The appliance service put together from real parts around the operator screen, for the screen's
 * end-to-end tests and its latency benchmark: a scanner (the simulated one fed line by line, or
 * the serial driver on a socat pseudo-terminal that can be unplugged), the real checker with a
 * test authority's trust list, a status list published by the simulator and received by a real
 * sync over HTTP into SQLite, the audit log, the simulated indicator, and the ScreenServer.
 * @module
 */
import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { AuditLog } from '../../firmware-ts/audit/audit-log.js';
import { buildChecker, buildScanPath, chooseTrust, openRuntime, type Runtime } from '../../firmware-ts/app/index.js';
import { screenOutput } from '../../firmware-ts/screen/screen-output.js';
import type { ScanPath } from '../../firmware-ts/scan-path/index.js';
import { ScreenServer } from '../../firmware-ts/screen/screen-server.js';
import type { ScreenLang } from '../../firmware-ts/screen/screen-text.js';
import { screenStatusOf } from '../../firmware-ts/screen/screen-status.js';
import { Appliance } from '../../firmware-ts/service/appliance.js';
import { statusDataDir } from '../../firmware-ts/status/list/index.js';
import { StatusListStore } from '../../firmware-ts/status/list/index.js';
import { syncOnce } from '../../firmware-ts/status/sync/index.js';
import { parseTrustList } from '../../firmware-ts/verify/trust-list.js';

import { SimIndicator } from '../../hal/indicator/sim-indicator.js';
import { startPtyPair, type PtyPair } from '../../hal/scanner/pty-pair.js';
import type { Scanner } from '../../hal/scanner/scanner.js';
import { SerialScanner } from '../../hal/scanner/serial-scanner.js';
import { SimScanner } from '../../hal/scanner/sim-scanner.js';
import { TestAuthority } from '../../sim/authority/test-authority.js';
import { publishNext } from '../../sim/status/status-publisher.js';
import { StatusServer } from '../../sim/status/status-server.js';

export interface ScreenRigOptions {
  /**
   * `sim`: the simulated scanner fed line by line; `pty`: the serial driver on a socat pair;
   * `pty-unplugged`: the serial driver with its device absent until `plug()`.
   */
  scanner: 'sim' | 'pty' | 'pty-unplugged';
  /** Age of the status list at the rig's instant; past 24 h scans carry STATUS_LIST_STALE. */
  listAgeSec: number;
  lang?: ScreenLang;
  clearAfterMs?: number;
}

const MAX_AGE_SEC = 24 * 3600;
const PLACE = { profile: 'roadside', region: '110105', station: null } as const;

export class ScreenRig {
  /** The instant every scan is checked at (codes are made for it). */
  readonly nowSec = Math.floor(Date.now() / 1000);
  readonly authority = TestAuthority.create();
  /** A driving licence the status list says is revoked. */
  readonly revokedCode: string;
  private readonly revokedKey: string;
  screen!: ScreenServer;
  appliance!: Appliance;
  path!: ScanPath;
  url = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'roadscan-screen-rig-'));
  private rt: Runtime | null = null;
  private input: PassThrough | null = null;
  private readonly devicePath = join(this.dir, 'scanner');
  private readonly feederPath = join(this.dir, 'feeder');
  private pair: PtyPair | null = null;
  private statusServer: StatusServer | null = null;

  private constructor(private readonly opts: ScreenRigOptions) {
    const revoked = this.authority.code({ type: 'DL', now: this.nowSec });
    this.revokedCode = revoked.text;
    this.revokedKey = revoked.statusKey;
  }

  static async create(opts: ScreenRigOptions): Promise<ScreenRig> {
    const rig = new ScreenRig(opts);
    try {
      await rig.build();
      return rig;
    } catch (err) {
      await rig.close();
      throw err;
    }
  }

  /** A sound live driving licence. */
  licence(): string {
    return this.authority.code({ type: 'DL', now: this.nowSec }).text;
  }

  /** A sound live vehicle registration (a warn at the roadside: paper required). */
  registration(): string {
    return this.authority.code({ type: 'VR', now: this.nowSec }).text;
  }

  /** Sends one code as the scanner would (CR LF terminated). */
  scan(text: string): void {
    if (this.input) {
      this.input.write(`${text}\r\n`);
      return;
    }
    const fd = openSync(this.feederPath, 'r+');
    try {
      writeSync(fd, Buffer.from(`${text}\r\n`, 'utf8'));
    } finally {
      closeSync(fd);
    }
  }

  /** Pulls the serial scanner out (pty rigs). */
  async unplug(): Promise<void> {
    await this.pair?.stop();
    this.pair = null;
  }

  /** Plugs the serial scanner in on its device path; the driver opens it on its own. */
  async plug(): Promise<void> {
    if (this.opts.scanner === 'sim') throw new Error('plug: the rig has no serial scanner');
    if (!this.pair) this.pair = await startPtyPair(this.devicePath, this.feederPath);
  }

  async close(): Promise<void> {
    await this.appliance?.stop().catch(() => undefined);
    await this.path?.close();
    await this.screen?.stop();
    await this.pair?.stop().catch(() => undefined);
    await this.statusServer?.close();
    this.rt?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async build(): Promise<void> {
    const trustFile = join(this.dir, 'trust.json');
    writeFileSync(trustFile, JSON.stringify(this.authority.trustList()));
    const rt = await openRuntime({
      db: join(this.dir, 'roadscan.db'),
      trust: trustFile,
      now: new Date(this.nowSec * 1000).toISOString(),
      profile: PLACE.profile,
      region: PLACE.region,
    });
    this.rt = rt;
    const status = await this.syncStatusList(rt, parseTrustList(this.authority.trustList()));
    const audit = new AuditLog(rt.db, { deviceId: 'screen-rig', operator: '' });
    const statusNow = () =>
      screenStatusOf({
        scanner: 'open',
        listIat: status.listIat(),
        nowSec: this.nowSec,
        maxAgeSec: MAX_AGE_SEC,
        clockReliable: true,
        ...PLACE,
        pendingUploads: audit.pendingCount(),
      });
    this.screen = new ScreenServer({
      host: '127.0.0.1',
      port: 0,
      lang: this.opts.lang ?? 'zh',
      clearAfterSec: 30,
      history: 3,
      clearAfterMs: this.opts.clearAfterMs,
    });
    await this.screen.start();
    // The page as scripts/deploy/kiosk.sh opens it: the kiosk secret in the fragment.
    this.url = this.screen.kioskUrl!;
    this.path = buildScanPath(rt, { checker: buildChecker(rt, chooseTrust(rt, null), status), audit });
    const scanner = await this.makeScanner();
    this.appliance = new Appliance({ scanner, indicator: new SimIndicator(), feedback: rt.config.feedback, path: this.path, listStale: () => statusNow().listStale });
    // The screen as the service wires it: the path's verdicts, and the strip on every scanner change.
    screenOutput(this.path, this.screen);
    const publishStatus = () => this.screen.publishStatus({ ...statusNow(), scanner: scanner.state, records: 'ok' });
    this.appliance.on('scanner', publishStatus);
    await this.appliance.start();
    publishStatus();
  }

  private async makeScanner(): Promise<Scanner> {
    if (this.opts.scanner === 'sim') {
      this.input = new PassThrough();
      return SimScanner.fromStream(this.input, { maxFrameLength: 4096 });
    }
    if (this.opts.scanner === 'pty') await this.plug();
    return new SerialScanner({
      path: this.devicePath,
      baudRate: 9600,
      terminator: 'auto',
      maxFrameLength: 4096,
      idleResetMs: 0,
      reconnect: { initialMs: 20, maxMs: 200, factor: 2 },
    });
  }

  /** Publishes a list (iat = now - listAgeSec) revoking one licence and syncs it for real. */
  private async syncStatusList(rt: Runtime, trust: ReturnType<typeof parseTrustList>): Promise<StatusListStore> {
    const www = join(this.dir, 'www');
    publishNext({
      dir: www,
      key: this.authority.keys.sl,
      iat: this.nowSec - this.opts.listAgeSec,
      changes: new Map([[this.revokedKey, 1]]),
    });
    this.statusServer = await StatusServer.start(www);
    const dbFile = join(this.dir, 'roadscan.db');
    const outcome = await syncOnce({ db: rt.db, dataDir: statusDataDir(dbFile), baseUrl: this.statusServer.url, trust, timeoutMs: 5000 });
    await this.statusServer.close();
    this.statusServer = null;
    if (!outcome.ok) throw new Error(`screen rig: status-list sync failed: ${outcome.error ?? 'unknown'}`);
    return StatusListStore.open(rt.db, statusDataDir(dbFile));
  }
}
