import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CameraScanner } from '../../../hal/camera/index.js';
import { MergedScanner } from '../../../hal/scanner/merged-scanner.js';
import { SimScanner } from '../../../hal/scanner/sim-scanner.js';
import type { ScanFrame, ScannerStateChange } from '../../../hal/scanner/scanner.js';
import { waitUntil } from '../helpers/events.js';

let merged: MergedScanner | null = null;
afterEach(async () => {
  await merged?.stop();
  merged = null;
});

/** A camera whose capture program is missing: a real spawn failure, retried. */
function brokenCamera(): CameraScanner {
  return new CameraScanner({
    name: '/dev/video9',
    command: () => ({ command: '/nonexistent/ffmpeg', args: [], layout: { width: 640, height: 480, pixelFormat: 'gray' } }),
    repeatMs: 1000,
    stallMs: 1000,
    maxTextBytes: 4400,
    reconnect: { initialMs: 20, maxMs: 50, factor: 2 },
  });
}

describe('MergedScanner', () => {
  it('passes frames from every part, in the order they come', async () => {
    const input = new PassThrough();
    const typed = SimScanner.fromStream(input, { maxFrameLength: 256 }, 'terminal');
    const script = SimScanner.fromScript([{ afterMs: 0, text: 'RS1:SCRIPT' }], { maxFrameLength: 256 });
    merged = new MergedScanner([typed, script]);
    const frames: ScanFrame[] = [];
    merged.on('frame', (f) => frames.push(f));
    await merged.start();
    expect(merged.state).toBe('open');
    expect(merged.name).toBe('terminal + script');
    await waitUntil(() => (frames.length === 1 ? true : undefined), 'scripted frame');
    input.write('RS1:TYPED\n');
    await waitUntil(() => (frames.length === 2 ? true : undefined), 'typed frame');
    expect(frames.map((f) => f.text)).toEqual(['RS1:SCRIPT', 'RS1:TYPED']);
  });

  it('is open only while every part is open; the detail names the part that is not', async () => {
    const typed = SimScanner.fromStream(new PassThrough(), { maxFrameLength: 256 }, 'terminal');
    merged = new MergedScanner([typed, brokenCamera()]);
    const states: ScannerStateChange[] = [];
    merged.on('state', (s) => states.push(s));
    await merged.start();
    expect(merged.state).toBe('error');
    expect(states.at(-1)).toEqual({ state: 'error', detail: 'camera /dev/video9: /nonexistent/ffmpeg not installed' });
  });

  it('refuses an empty list', () => {
    expect(() => new MergedScanner([])).toThrow(RangeError);
  });
});
