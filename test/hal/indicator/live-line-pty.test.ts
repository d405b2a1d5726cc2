/**
 * The simulator's LED line and the pretty log on one real terminal (a pseudo-terminal opened by
 * python's pty module): `roadscan run --hal sim` draws its LEDs on the bottom line and logs above
 * it (core/live-line.ts). Replayed through a small terminal model (carriage return, clear line,
 * new line), no log line carries a piece of the LED drawing, and the LED line stays last.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDemoWorld } from '../../../sim/scenarios/demo.js';
import { BIN } from '../../helpers/cli.js';
import { QUIET_CONFIG, syncedDemoDatabase } from '../../helpers/run-harness.js';

const NOW_SEC = Date.UTC(2026, 4, 12, 2, 0, 0) / 1000;
const dir = mkdtempSync(join(tmpdir(), 'roadscan-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs argv on a pty (no echo: the codes typed are not the log's), types each line of `lines` 1.5 s apart, SIGTERM after; returns every byte the terminal got. */
const PTY_RUNNER = `
import os, pty, sys, time, signal, select, json
argv = json.loads(sys.argv[1]); lines = json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    import termios
    a = termios.tcgetattr(0); a[3] &= ~termios.ECHO; termios.tcsetattr(0, termios.TCSANOW, a)
    os.execvp(argv[0], argv)
out = bytearray()
def pump(seconds):
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try: out.extend(os.read(fd, 65536))
            except OSError: return
pump(3)
for line in lines:
    os.write(fd, (line + "\\r").encode()); pump(1.5)
os.kill(pid, signal.SIGTERM); pump(2)
try: os.waitpid(pid, 0)
except ChildProcessError: pass
sys.stdout.buffer.write(bytes(out))
`;

/** The screen a terminal would show: \\r to column 0, ESC[2K clears the line, \\n a new line; colours dropped. */
function screen(bytes: string): string[] {
  const rows: string[] = [''];
  let col = 0;
  // eslint-disable-next-line no-control-regex
  const tokens = bytes.replace(/\x1b\[[0-9;]*m/g, '').match(/\x1b\[2K|\x1b\[[0-9;]*[A-Za-z]|\r|\n|[^\x1b\r\n]/gu) ?? [];
  for (const t of tokens) {
    const row = rows.length - 1;
    if (t === '\r') col = 0;
    else if (t === '\n') {
      rows.push('');
      col = 0;
    } else if (t === '\x1b[2K') rows[row] = '';
    else if (t.startsWith('\x1b')) continue;
    else {
      const chars = [...rows[row]!];
      while (chars.length < col) chars.push(' ');
      chars[col] = t;
      rows[row] = chars.join('');
      col++;
    }
  }
  return rows;
}

describe('the LED line and the pretty log on a terminal', () => {
  it('log lines go above the LED line; neither overwrites the other', async () => {
    const py = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' });
    expect(py.status, 'python3 with its pty module').toBe(0);
    const world = createDemoWorld(join(dir, 'authority'), NOW_SEC);
    const db = await syncedDemoDatabase(world, join(dir, 'run.db'));
    // No screen or health server: another service on this machine may hold their default ports.
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify(QUIET_CONFIG));
    const argv = [
      process.execPath,
      BIN,
      'run',
      '--hal',
      'sim',
      '--config',
      config,
      '--trust',
      world.trustFile,
      '--db',
      db,
      '--now',
      new Date(NOW_SEC * 1000).toISOString(),
    ];
    const codes = [world.authority.code({ type: 'DL', now: NOW_SEC }).text, 'RS1:not-a-code', world.revoked.text];
    const r = spawnSync('python3', ['-c', PTY_RUNNER, JSON.stringify(argv), JSON.stringify(codes)], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: '' },
    });
    expect(r.status, r.stderr).toBe(0);
    const rows = screen(r.stdout).filter((l) => l.trim() !== '');
    const led = rows.filter((l) => l.includes('LED ['));
    const logs = rows.filter((l) => /\b(INFO|WARN|ERROR)\b/.test(l));
    expect(logs.length, r.stdout.slice(-2000)).toBeGreaterThan(3);
    // No log line carries a piece of a LED drawing, and no LED row carries a piece of a log line.
    for (const l of logs) expect(l).not.toContain('LED [');
    // Each log line written while the LEDs are drawn is followed at once by the LED line again,
    // so the LED state stays on screen (before, a log line covered it until the next change).
    // eslint-disable-next-line no-control-regex
    const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    // A pretty entry is a head line and indented field lines; the redraw follows its last line
    // directly (a change of the LEDs instead starts with a line clear).
    const redrawn = plain.match(/(INFO|WARN|ERROR): [^\n]*\n(?: {4}[^\n]*\n)*? {2}LED \[/gu) ?? [];
    expect(redrawn.length, plain.slice(-2000)).toBeGreaterThanOrEqual(3);
    for (const l of led) expect(l).toMatch(/^\s*LED \[[●○ ]+\][ ♪]* (off|green|amber|red)( \+ buzzer)?\s*$/u);
  });
});
