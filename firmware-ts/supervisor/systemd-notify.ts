/**
 * Telling systemd how the service is (sd_notify, Type=notify): READY=1 once it scans, WATCHDOG=1
 * while its event loop is alive, STOPPING=1 on the way out. systemd restarts a unit whose pings
 * stop (WatchdogSec in scripts/deploy/roadscan.service), so a wedged event loop, the one failure a
 * process cannot report itself, is noticed and ended.
 *
 * The pings come from a timer on the event loop itself: a blocked loop sends none. The message
 * is a unix datagram to $NOTIFY_SOCKET, which Node cannot send (node:dgram is UDP only, node:net
 * stream only). The options measured: a native addon (the npm `sd-notify` family: a compiler on
 * the device or a prebuild per Node ABI, and few maintained), a long-lived `socat` child (one more
 * package on the device), and systemd's own `systemd-notify` binary, always there beside systemd,
 * spawned per message. A spawn costs a few milliseconds every WatchdogSec/3 seconds, off the scan
 * path; the unit sets NotifyAccess=all because the sender is a child. systemd 252 attributes a
 * message by the sender's cgroup, so a message from a child that already exited can be lost:
 * pings come three times per watchdog period, and READY=1 is repeated with the first pings.
 * @module
 */
import { spawn } from 'node:child_process';

export interface NotifierLog {
  warn(obj: object, msg?: string): void;
}

export interface SystemdNotifierOptions {
  /** Where the settings come from (default process.env): NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID. */
  env?: NodeJS.ProcessEnv;
  /** The program that sends one message (default `systemd-notify`). */
  binary?: string;
  log?: NotifierLog;
}

/** Pings per watchdog period: one or two may be lost without a restart. */
const PINGS_PER_PERIOD = 3;
/** READY=1 is sent again with this many first pings (a lost READY would fail the start). */
const READY_REPEATS = 2;

export class SystemdNotifier {
  private timer: NodeJS.Timeout | null = null;
  private readyRepeats = 0;
  private warned = false;

  private constructor(
    private readonly socket: string,
    /** Watchdog period, ms; null when the unit has no watchdog (or it is meant for another process). */
    readonly watchdogMs: number | null,
    private readonly binary: string,
    private readonly log: NotifierLog | undefined,
  ) {}

  /** The notifier of a service started by systemd with Type=notify; null otherwise. */
  static fromEnv(opts: SystemdNotifierOptions = {}): SystemdNotifier | null {
    const env = opts.env ?? process.env;
    const socket = env.NOTIFY_SOCKET;
    if (!socket) return null;
    const usec = Number(env.WATCHDOG_USEC);
    const pid = env.WATCHDOG_PID === undefined ? process.pid : Number(env.WATCHDOG_PID);
    const watchdogMs = Number.isFinite(usec) && usec > 0 && pid === process.pid ? usec / 1000 : null;
    return new SystemdNotifier(socket, watchdogMs, opts.binary ?? 'systemd-notify', opts.log);
  }

  /** Interval between two watchdog pings, ms (null: no watchdog). */
  get pingMs(): number | null {
    return this.watchdogMs === null ? null : Math.max(50, Math.floor(this.watchdogMs / PINGS_PER_PERIOD));
  }

  /** The service is up: READY=1, and the watchdog pings start. */
  ready(status: string): void {
    this.send(['READY=1', `STATUS=${oneLine(status)}`]);
    this.readyRepeats = READY_REPEATS;
    const every = this.pingMs;
    if (every === null || this.timer) return;
    this.timer = setInterval(() => {
      const msg = ['WATCHDOG=1'];
      if (this.readyRepeats > 0) {
        this.readyRepeats--;
        msg.push('READY=1');
      }
      this.send(msg);
    }, every);
    // The watchdog never keeps a service alive that has nothing else to do.
    this.timer.unref();
  }

  /** One line for `systemctl status`. */
  status(text: string): void {
    this.send([`STATUS=${oneLine(text)}`]);
  }

  /** The service is stopping: no more pings, STOPPING=1. */
  stopping(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.send(['STOPPING=1']);
  }

  private send(assignments: string[]): void {
    const child = spawn(this.binary, assignments, {
      stdio: 'ignore',
      env: { ...process.env, NOTIFY_SOCKET: this.socket },
    });
    child.on('error', (err) => {
      if (this.warned) return;
      this.warned = true;
      this.log?.warn({ err: err.message, binary: this.binary }, 'systemd notification not sent');
    });
    child.unref();
  }
}

function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').slice(0, 200);
}
