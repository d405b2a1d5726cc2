import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../firmware-ts/log/logger.js';
import { PACKAGE_ROOT } from '../../../firmware-ts/paths.js';

const LOADER = join(PACKAGE_ROOT, 'test/firmware-ts/audit/fixtures/register-ts.mjs');
const CHILD = join(import.meta.dirname, 'fixtures', 'log-lines.ts');
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A real stream collecting what pino writes. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const PERSON = { name: '张三丰', idNumber: '110101199003071234', plate: '京A·98765' };

describe('createLogger', () => {
  it('writes one JSON object per line, at the configured level', () => {
    const out = sink();
    const log = createLogger({ log: { level: 'warn' } }, { destination: out.stream, pretty: false });
    log.info('not shown');
    log.warn({ seq: 12 }, 'shown');
    const lines = out
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, name: 'roadscan', seq: 12, msg: 'shown' });
    const silent = sink();
    createLogger({ log: { level: 'silent' } }, { destination: silent.stream, pretty: false }).fatal('nothing');
    expect(silent.text()).toBe('');
  });

  it('never writes personal data, at any depth, in objects, child bindings or arrays', () => {
    const out = sink();
    const log = createLogger({ log: { level: 'info' } }, { destination: out.stream, pretty: false });
    log.info({ scan: { verdict: 'accept', fields: PERSON } }, 'scan');
    log.info({ result: { deep: { deeper: { holder: PERSON, Plate: PERSON.plate } } } }, 'nested');
    log.info({ list: [{ idNumber: PERSON.idNumber }] }, 'array');
    log.child({ plate: PERSON.plate }).info({ text: 'RS1:...' }, 'child');
    log.child({ component: 'sync' }).child({ holder: PERSON }).info('grandchild');
    log.info({ qr: 'RS1:NCFOXN*TDDBC' }, 'raw code');
    const text = out.text();
    for (const secret of [PERSON.name, PERSON.idNumber, PERSON.plate, '98765', 'RS1:']) expect(text).not.toContain(secret);
    expect(text.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(7);
    expect(text).toContain('"component":"sync"');
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ scan: { verdict: 'accept', fields: '[redacted]' } });
  });

  it('strips control and bidi characters from messages, values, keys and errors', () => {
    const out = sink();
    const log = createLogger({ log: { level: 'info' } }, { destination: out.stream, pretty: false });
    const hostile = 'abc\u001b[2J\r\nFAKE LINE\u0007\u202e\u0085';
    log.info({ station: hostile, [`k${hostile}`]: 1 }, `msg ${hostile}`);
    log.info('interpolated %s', hostile);
    log.error(new Error(hostile), 'error');
    const text = out.text();
    expect(text.trimEnd().split('\n')).toHaveLength(3);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).not.toMatch(/\\u00(0|1)|\\r|\\u007f|\\n/); // not even JSON-escaped
    const err = JSON.parse(text.trimEnd().split('\n')[2]!).err;
    expect(err.type).toBe('Error');
    expect(Array.isArray(err.stack)).toBe(true);
  });

  it('bounds long strings and big arrays', () => {
    const out = sink();
    createLogger({ log: { level: 'info' } }, { destination: out.stream, pretty: false }).info(
      { big: 'x'.repeat(100_000), many: Array.from({ length: 1000 }, (_, i) => i) },
      'bounded',
    );
    expect(out.text().length).toBeLessThan(2000);
  });

  it('pretty when asked: human-readable, still without personal data or control characters', () => {
    const out = sink();
    const log = createLogger({ log: { level: 'info' } }, { destination: out.stream, pretty: true });
    log.info({ scan: { verdict: 'warn', fields: PERSON } }, 'scan \u001b[31mred');
    const text = out.text();
    expect(text).toMatch(/INFO.*scan .\[31mred/);
    expect(() => JSON.parse(text)).toThrow();
    expect(text).not.toContain(PERSON.name);
    expect(text).not.toMatch(/\u001b/);
  });
});

describe('the logger in a process, as the service runs it', () => {
  it('writes JSON to standard error when it is a pipe, never to standard output', () => {
    const res = spawnSync(process.execPath, ['--import', LOADER, CHILD, 'info'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout).toBe('');
    const lines = res.stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(['scan done', 'failed']);
    expect(res.stderr).not.toContain('张三丰');
  });

  it('prefixes each line with its syslog priority when standard error is the journal stream', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadscan-journal-'));
    try {
      // The journal stream is a socket under systemd; here a file stands in, named the same way.
      const file = join(dir, 'journal');
      const fd = openSync(file, 'w');
      const st = fstatSync(fd);
      const res = spawnSync(process.execPath, ['--import', LOADER, CHILD, 'debug'], {
        stdio: ['ignore', 'pipe', fd],
        env: { ...process.env, JOURNAL_STREAM: `${st.dev}:${st.ino}` },
      });
      closeSync(fd);
      expect(res.status).toBe(0);
      // A person's line (the message, then its fields), each with its priority.
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(lines.map((l) => /^<(\d)>[^{]/.exec(l)?.[1])).toEqual(['6', '7', '3']);
      expect(lines[2]!.slice(3).startsWith('failed')).toBe(true);
      // The JSON kept for machines where asked, with the same priorities.
      const jsonFd = openSync(file, 'w');
      const jsonSt = fstatSync(jsonFd);
      const asJson = spawnSync(process.execPath, ['--import', LOADER, CHILD, 'debug'], {
        stdio: ['ignore', 'pipe', jsonFd],
        env: { ...process.env, JOURNAL_STREAM: `${jsonSt.dev}:${jsonSt.ino}`, ROADSCAN_LOG_FORMAT: 'json' },
      });
      closeSync(jsonFd);
      expect(asJson.status).toBe(0);
      const jsonLines = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(jsonLines.map((l) => /^<(\d)>\{/.exec(l)?.[1])).toEqual(['6', '7', '3']);
      expect(JSON.parse(jsonLines[2]!.slice(3)).msg).toBe('failed');
      // Another stream (a pipe, a terminal) gets no prefix, even with the variable set.
      const piped = spawnSync(process.execPath, ['--import', LOADER, CHILD, 'info'], {
        encoding: 'utf8',
        env: { ...process.env, JOURNAL_STREAM: `${st.dev}:${st.ino}` },
      });
      expect(piped.stderr.startsWith('{')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is pretty but without colour codes on a terminal when NO_COLOR is set', () => {
    const cmd = [process.execPath, '--import', LOADER, CHILD, 'info'].map((a) => `'${a}'`).join(' ');
    const res = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/INFO: scan done/);
    expect(res.stdout).not.toMatch(/\u001b\[/);
  });

  it('is pretty on a terminal (a real pseudo-terminal via script(1))', () => {
    const cmd = [process.execPath, '--import', LOADER, CHILD, 'debug'].map((a) => `'${a}'`).join(' ');
    const res = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    const screen = res.stdout.replace(/\u001b\[[0-9;]*m/g, ''); // pino-pretty's own colours
    expect(screen).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] INFO: scan done/m);
    expect(screen).toMatch(/DEBUG: debug line/);
    expect(screen).not.toMatch(/^\{"level"/m);
    expect(screen).not.toContain('张三丰');
    expect(screen.replace(/\r?\n/g, '')).not.toMatch(RAW_CONTROL);
  });
});

describe('log rate limit', () => {
  it('writes a burst of one kind, drops the rest, and says how many once the window ends', async () => {
    const out = sink();
    const log = createLogger({ log: { level: 'info' } }, { destination: out.stream, pretty: false, rateLimit: { burst: 5, windowMs: 1500 } });
    for (let i = 0; i < 2000; i++) log.warn({ reason: 'framing', bytes: i }, 'scanner frame dropped');
    log.warn({ part: 'screen' }, 'side output failed');
    log.fatal('cannot go on');
    const lines = () =>
      out
        .text()
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines().filter((l) => l.msg === 'scanner frame dropped')).toHaveLength(5);
    expect(lines().filter((l) => l.msg === 'side output failed')).toHaveLength(1);
    expect(lines().filter((l) => l.msg === 'cannot go on')).toHaveLength(1);
    for (let i = 0; i < 150 && !out.text().includes('log lines suppressed'); i++) await new Promise((r) => setTimeout(r, 20));
    const summary = lines().find((l) => l.msg === 'log lines suppressed');
    expect(summary).toMatchObject({ level: 40, kind: 'scanner frame dropped', suppressed: 1995 });
    // A new window: the burst is allowed again.
    log.warn({ bytes: 1 }, 'scanner frame dropped');
    expect(lines().filter((l) => l.msg === 'scanner frame dropped')).toHaveLength(6);
  });

  it('carries the count on the first line of a new window when the kind goes on', async () => {
    let now = 0;
    const { LogRateLimiter } = await import('../../../firmware-ts/log/log-rate-limit.js');
    const limiter = new LogRateLimiter({ burst: 2, windowMs: 1000 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.admit(40, 'x').write)).toEqual([true, true, false, false]);
    now = 1000;
    expect(limiter.admit(40, 'x')).toEqual({ write: true, suppressedBefore: 2 });
    expect(limiter.takeSuppressed(40, 'x')).toBe(0);
    // Info lines have their own, larger budget; fatal is never held back.
    expect(Array.from({ length: 600 }, () => limiter.admit(30, 'scan').write).every(Boolean)).toBe(true);
    expect(limiter.admit(30, 'scan').write).toBe(false);
    expect(Array.from({ length: 100 }, () => limiter.admit(60, 'fatal').write).every(Boolean)).toBe(true);
  });
});
