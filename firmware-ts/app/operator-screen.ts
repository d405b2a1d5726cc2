/**
 * The operator screen as the service wires it: the server from the configuration, its buttons
 * answering the scan path's desk, the path's verdicts, decisions and answers shown as they come
 * (screen/screen-output.ts), and the status strip sent again whenever something it shows changes
 * (the scanner, the records, the station) and every 30 s (the list's age). Nothing is shown
 * before the server listens; a screen that cannot listen is logged and the unit keeps scanning,
 * unless its port is taken by another process (port-taken.ts: exit 2 naming it).
 * @module
 */
import type { ScanPath } from '../scan-path/index.js';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { newKioskSecret, writeKioskSecret } from '../screen/kiosk-secret.js';
import { ScreenServer } from '../screen/screen-server.js';
import { screenOutput } from '../screen/screen-output.js';
import type { Logger } from '../log/logger.js';
import type { Runtime } from './runtime.js';
import { throwIfPortTaken } from './port-taken.js';
import type { statusStripFeed } from './status-strip.js';

export interface OperatorScreenParts {
  rt: Runtime;
  path: ScanPath;
  /** The scanner's state now, and its changes. */
  scanner: { readonly state: 'open' | 'closed' | 'error' };
  onScannerChange(fn: () => void): void;
  storage: { readonly ok: boolean; onChange(fn: () => void): void };
  station: { onChange(fn: () => void): void } | null;
  strip: ReturnType<typeof statusStripFeed>;
  logger: Logger;
  /** A port another process holds ends the start (port-taken.ts); else it is logged. */
  portRequired?: boolean;
  onScreenUrl?(url: string): void;
}

export interface OperatorScreen {
  /** Listens; resolves with its address (null: it could not, and said so). */
  start(): Promise<string | null>;
  /** The device runs: the first status now, then every 30 s. */
  deviceStarted(): void;
  stop(): Promise<void>;
}

export function operatorScreen(p: OperatorScreenParts): OperatorScreen {
  const { path, logger } = p;
  const cfg = p.rt.config.screen;
  const kioskSecret = newKioskSecret();
  // Beside the database the runtime resolved (a relative `db` is relative to its configuration file).
  const secretFile = cfg.kioskSecretFile ?? join(p.rt.dbFile !== ':memory:' ? dirname(p.rt.dbFile) : join(tmpdir(), 'roadscan'), 'kiosk-secret');
  let secretWritten = false;
  const screen = new ScreenServer({
    kioskSecret,
    onRefused: (r) => logger.warn({ path: r.path, reason: r.reason, peer: r.peer, peerPort: r.port }, 'operator screen request refused'),
    host: cfg.host,
    port: cfg.port,
    lang: cfg.lang,
    clearAfterSec: cfg.clearAfterSec,
    history: cfg.history,
    onError: (err) => logger.warn({ err: err.message }, 'operator screen error'),
    onAction: async ({ scanId, action }) => ((await path.act(action, 'screen', scanId)) ? 'done' : 'stale'),
  });
  let listening = false;
  let poll: NodeJS.Timeout | null = null;
  const publishStatus = (): void => {
    if (!listening) return;
    try {
      screen.publishStatus({ ...p.strip(), scanner: p.scanner.state, records: p.storage.ok ? 'ok' : 'failing' });
    } catch (err) {
      logger.warn({ part: 'screen', err: (err as Error)?.message ?? String(err) }, 'side output failed');
    }
  };
  screenOutput(path, {
    publishScan: (r, meta) => listening && screen.publishScan(r, meta),
    publishDecision: (d) => listening && screen.publishDecision(d),
    publishDecisionOutcome: (id, result) => listening && screen.publishDecisionOutcome(id, result),
  });
  p.onScannerChange(publishStatus);
  p.storage.onChange(publishStatus);
  p.station?.onChange(publishStatus);
  return {
    async start() {
      try {
        const { url } = await screen.start();
        logger.info({ url }, 'operator screen');
        listening = true;
        // Only once this process holds the port: a second service refused the port must not replace
        // the secret of the one the kiosk is talking to.
        try {
          writeKioskSecret(secretFile, kioskSecret, cfg.kioskSecretGroup);
          secretWritten = true;
        } catch (err) {
          logger.error({ file: secretFile, err: (err as Error).message }, 'kiosk secret not written: the screen buttons will refuse');
        }
        // The demo prints it for a browser beside the terminal: with the secret, as kiosk.sh opens it.
        p.onScreenUrl?.(screen.kioskUrl ?? url);
        return url;
      } catch (err) {
        if (p.portRequired) throwIfPortTaken('screen', cfg, err);
        logger.error({ err: (err as Error).message }, 'operator screen not started');
        return null;
      }
    },
    deviceStarted() {
      publishStatus();
      poll = setInterval(publishStatus, 30_000);
      poll.unref();
    },
    async stop() {
      listening = false;
      if (poll) clearInterval(poll);
      await screen.stop();
      // The secret dies with this boot of the service: a file left behind would only mislead.
      if (secretWritten) rmSync(secretFile, { force: true });
    },
  };
}
