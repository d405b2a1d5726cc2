import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialScanner } from '../../../hal/scanner/serial-scanner.js';
import { startPtyPair, type PtyPair } from '../../../hal/scanner/pty-pair.js';
import type { DroppedFrame, ScanFrame, ScannerStateChange } from '../../../hal/scanner/scanner.js';
import { waitUntil, writeTo } from '../helpers/events.js';

let dir: string;
let device: string;
let feeder: string;
let pair: PtyPair | null;
let scanner: SerialScanner;
let frames: ScanFrame[];
let states: ScannerStateChange[];
let dropped: DroppedFrame[];

function makeScanner(idleResetMs = 0): SerialScanner {
  const s = new SerialScanner({
    path: device,
    baudRate: 9600,
    terminator: 'auto',
    maxFrameLength: 256,
    idleResetMs,
    reconnect: { initialMs: 20, maxMs: 200, factor: 2 },
    watchMs: 100,
  });
  s.on('frame', (f) => frames.push(f));
  s.on('state', (st) => states.push(st));
  s.on('dropped', (d) => dropped.push(d));
  return s;
}

const texts = () => frames.map((f) => f.text);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roadscan-pty-'));
  device = join(dir, 'scanner');
  feeder = join(dir, 'feeder');
  frames = [];
  states = [];
  dropped = [];
  pair = await startPtyPair(device, feeder);
  scanner = makeScanner();
});

afterEach(async () => {
  await scanner.stop();
  await pair?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('SerialScanner on a real pseudo-terminal pair', () => {
  it('opens the device and reads frames ended by CR, LF and CRLF, with and without AIM prefix', async () => {
    await scanner.start();
    expect(scanner.state).toBe('open');
    expect(states).toEqual([{ state: 'open' }]);
    writeTo(feeder, 'RS1:CR\rRS1:LF\nRS1:CRLF\r\n]Q1RS1:AIM1\r]Q2RS1:AIM2\r\n');
    await waitUntil(() => (frames.length >= 5 ? true : undefined), '5 frames');
    expect(texts()).toEqual(['RS1:CR', 'RS1:LF', 'RS1:CRLF', 'RS1:AIM1', 'RS1:AIM2']);
    expect(frames.map((f) => f.symbology)).toEqual([null, null, null, ']Q1', ']Q2']);
  });

  it('joins a frame written in several pieces', async () => {
    await scanner.start();
    for (const piece of ['RS1:6BF', 'OXV2A', 'LK1', '\r', '\n']) {
      writeTo(feeder, piece);
      await sleep(15);
    }
    writeTo(feeder, 'RS1:NEXT\r');
    await waitUntil(() => (frames.length >= 2 ? true : undefined), '2 frames');
    expect(texts()).toEqual(['RS1:6BFOXV2ALK1', 'RS1:NEXT']);
  });

  it('drops garbage with a reason and keeps reading', async () => {
    await scanner.start();
    writeTo(feeder, Buffer.concat([Buffer.alloc(1000, 0x5a), Buffer.from('\r\n')]));
    writeTo(feeder, Buffer.from([0xff, 0x00, 0xfe, 0x0d]));
    writeTo(feeder, 'RS1:\x1b[31mRED\r');
    writeTo(feeder, 'RS1:GOOD\r\n');
    await waitUntil(() => (frames.length >= 1 ? true : undefined), 'the good frame');
    expect(texts()).toEqual(['RS1:GOOD']);
    expect(dropped.map((d) => d.reason)).toEqual(['too-long', 'not-utf8', 'control-characters']);
  });

  it('reports an unplug, reopens the same path by itself after a replug, and frames flow again', async () => {
    await scanner.start();
    writeTo(feeder, 'RS1:BEFORE\r');
    await waitUntil(() => (frames.length >= 1 ? true : undefined), 'first frame');

    // Half a frame, then the cable is pulled: it must not glue itself to the next scan.
    writeTo(feeder, 'RS1:HALF');
    await sleep(30);
    await pair!.stop();
    pair = null;
    const closed = await waitUntil(() => states.find((s) => s.state === 'closed'), 'closed state');
    expect(closed.detail).toContain('disconnected');
    expect(scanner.state).not.toBe('open');
    await sleep(150); // a few failed attempts while unplugged

    pair = await startPtyPair(device, feeder);
    await waitUntil(() => (scanner.state === 'open' ? true : undefined), 'reopen');
    writeTo(feeder, 'RS1:AFTER\r\n');
    await waitUntil(() => (frames.length >= 2 ? true : undefined), 'frame after replug');
    expect(texts()).toEqual(['RS1:BEFORE', 'RS1:AFTER']);
    expect(states.map((s) => s.state)).toEqual(['open', 'closed', 'error', 'open']);
    expect(states[2]!.detail).toContain('not found');
    expect(dropped).toEqual([{ reason: 'idle-timeout', bytes: 8 }]);
  });

  it('notices an unplug right after opening, which serialport alone can miss', async () => {
    // Killing socat within a millisecond of the open loses serialport's hang-up about one time
    // in five; the path watch must catch every one.
    for (let round = 0; round < 5; round++) {
      await scanner.start();
      expect(scanner.state).toBe('open');
      await pair!.stop();
      pair = null;
      await waitUntil(() => (scanner.state !== 'open' ? true : undefined), `unplug noticed in round ${round}`, 3000);
      await scanner.stop();
      scanner = makeScanner();
      pair = await startPtyPair(device, feeder);
    }
  });

  it('starts with the scanner absent, says so, and opens it once it appears', async () => {
    await pair!.stop();
    pair = null;
    await scanner.start();
    expect(scanner.state).toBe('error');
    expect(states[0]!.detail).toMatch(/not found: is the scanner plugged in/);
    pair = await startPtyPair(device, feeder);
    await waitUntil(() => (scanner.state === 'open' ? true : undefined), 'open after plug-in');
    writeTo(feeder, ']Q1RS1:LATE\n');
    await waitUntil(() => (frames.length >= 1 ? true : undefined), 'frame');
    expect(texts()).toEqual(['RS1:LATE']);
  });

  it('holds the device exclusively and releases it on stop()', async () => {
    await scanner.start();
    const other = new SerialScanner({
      path: device,
      baudRate: 9600,
      terminator: 'auto',
      maxFrameLength: 256,
      idleResetMs: 0,
      reconnect: { initialMs: 20, maxMs: 50, factor: 2 },
    });
    const otherStates: ScannerStateChange[] = [];
    const otherFrames: ScanFrame[] = [];
    other.on('state', (st) => otherStates.push(st));
    other.on('frame', (f) => otherFrames.push(f));
    try {
      await other.start();
      expect(otherStates[0]).toEqual({ state: 'error', detail: `${device} is in use by another program` });
      await scanner.stop();
      await waitUntil(() => (other.state === 'open' ? true : undefined), 'the other driver to open');
      writeTo(feeder, 'RS1:MOVED\r');
      await waitUntil(() => (otherFrames.length >= 1 ? true : undefined), 'frame on the other driver');
      expect(frames).toEqual([]);
    } finally {
      await other.stop();
    }
  });
});

describe('the idle reset counts silence on the line, not a blocked event loop', () => {
  /** Blocks this process's event loop, as a synchronous write to a stalled SD card would. */
  function blockLoop(ms: number): void {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy on purpose
    }
  }

  it('drops half a frame after a real second of silence', async () => {
    await scanner.stop();
    scanner = makeScanner(1000);
    await scanner.start();
    writeTo(feeder, 'RS1:HA');
    await sleep(1300);
    writeTo(feeder, 'LF\r');
    await waitUntil(() => (frames.length >= 1 ? true : undefined), 'the frame after the silence');
    expect(dropped).toEqual([{ reason: 'idle-timeout', bytes: 6 }]);
    expect(texts()).toEqual(['LF']);
  });

  it('keeps half a frame whose other half arrived while the event loop was blocked', async () => {
    await scanner.stop();
    scanner = makeScanner(1000);
    await scanner.start();
    writeTo(feeder, 'RS1:HA');
    await sleep(300); // the first half is read before the block
    // Another process writes the rest while this one is blocked for longer than the idle reset.
    const writer = spawn('sh', ['-c', `sleep 0.3; printf 'LF\\r' > "$0"`, feeder], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    blockLoop(1600);
    expect(await exited).toBe(0);
    await waitUntil(() => (frames.length >= 1 ? true : undefined), 'the frame read after the block');
    expect(texts()).toEqual(['RS1:HALF']);
    expect(dropped).toEqual([]);
  });
});
