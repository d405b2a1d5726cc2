/**
 * A pseudo-terminal pair made by socat: one end behaves like the scanner's serial device, the
 * other is where a test, a benchmark or a person writes what the "scanner" sends. It lets the
 * real serial driver run with no hardware, and `stop()` then a new pair on the same paths is
 * exactly an unplug and a replug.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PtyPair {
  /** The end the serial driver opens (a symlink to /dev/pts/N). */
  devicePath: string;
  /** The end to write frames into. */
  feederPath: string;
  /** Kills socat: both ends disappear, as when a USB scanner is pulled out. */
  stop(): Promise<void>;
}

/** util-linux's setpriv, when this machine has it (Debian always does). */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

/**
 * Starts `socat pty,raw,echo=0,link=DEVICE pty,raw,echo=0,link=FEEDER`; resolves when both links
 * exist. socat runs under `setpriv --pdeathsig KILL`: the kernel ends it when this process ends,
 * however it ends (SIGKILL included), so no socat is left behind under PID 1.
 */
export async function startPtyPair(devicePath: string, feederPath: string, timeoutMs = 5000): Promise<PtyPair> {
  const socat = ['socat', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${feederPath}`];
  const [cmd, ...args] = SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...socat] : socat;
  const child: ChildProcess = spawn(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 2000) stderr += d.toString('utf8');
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(devicePath) && existsSync(feederPath))) {
    if (exited) throw new Error(`socat failed: ${stderr.trim() || 'is socat installed? (apt-get install socat)'}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('socat did not create the pty links in time');
    }
    await sleep(5);
  }
  return {
    devicePath,
    feederPath,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await exit;
      // socat removes its links on a clean exit; wait until it has.
      const until = Date.now() + 2000;
      while ((existsSync(devicePath) || existsSync(feederPath)) && Date.now() < until) await sleep(5);
    },
  };
}
