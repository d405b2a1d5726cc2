/**
 * `roadscan scanner monitor` over a real pseudo-terminal pair (socat): each frame shown with its
 * terminator and AIM identifier, control characters and bytes that are not UTF-8 escaped, never
 * raw; `scanner list` answers with one line per device, or says there is none.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startPtyPair, type PtyPair } from '../../hal/scanner/pty-pair.js';
import { describeRawFrame, RawFrameSplitter } from '../../hal/scanner/raw-frames.js';
import { waitUntil, writeTo } from '../hal/helpers/events.js';
import { BIN } from '../helpers/cli.js';

let dir: string;
let pair: PtyPair;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-monitor-'));
  pair = await startPtyPair(join(dir, 'scanner'), join(dir, 'feeder'));
});
afterEach(async () => {
  await pair.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('roadscan scanner', () => {
  it('monitor shows frames with terminator, AIM identifier and escaped control bytes', async () => {
    const child = spawn(process.execPath, [BIN, 'scanner', 'monitor', join(dir, 'scanner')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
    await waitUntil(() => (err.includes('monitoring') ? true : undefined), 'monitor start', 20_000);
    writeTo(join(dir, 'feeder'), ']Q1RS1:ABC\r\n');
    writeTo(join(dir, 'feeder'), Buffer.from([0x61, 0x07, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0x0a]));
    writeTo(join(dir, 'feeder'), 'plain\u202eevil\r');
    await waitUntil(() => (out.split('\n').length > 3 ? true : undefined), 'three frames', 10_000);
    child.kill('SIGINT');
    expect(await new Promise((r) => child.once('exit', r))).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CRLF aim=\]Q1 +10 B  RS1:ABC$/);
    expect(lines[1]).toMatch(/^LF {3}aim=- +7 B  a\\x07\\x1b\[2J\\xff$/);
    expect(lines[2]).toMatch(/^CR {3}aim=- +12 B  plain\\u202eevil$/);
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
  });

  it('splits CR, LF and CRLF across chunks and cuts a frame that never ends', () => {
    const s = new RawFrameSplitter(8);
    const f = [...s.push(Buffer.from('ab\r')), ...s.push(Buffer.from('\ncd\r')), ...s.push(Buffer.from('e\n0123456789')), ...s.flush()];
    expect(f.map((x) => [Buffer.from(x.bytes).toString(), x.terminator])).toEqual([
      ['ab', 'CRLF'],
      ['cd', 'CR'],
      ['e', 'LF'],
      ['01234567', 'none'],
    ]);
    expect(describeRawFrame({ bytes: Buffer.from('x'.repeat(400)), terminator: 'LF' })).toMatch(/… \(100 more bytes\)$/);
  });

  it('list answers with one line per device, or says there is none', () => {
    const res = spawnSync(process.execPath, [BIN, 'scanner', 'list'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^(no serial devices|\/dev\/\S+ {2})/);
  });
});
