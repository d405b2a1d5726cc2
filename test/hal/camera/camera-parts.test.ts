/** The pure parts of the camera driver: frame assembly, the repeat filter, command lines. */
import { describe, expect, it } from 'vitest';
import { classifyDevice, captureCommand, FrameAssembler, frameBytes, RepeatFilter, describeCameraFailure } from '../../../hal/camera/index.js';

const settings = { width: 640, height: 480, fps: 10, ffmpeg: 'ffmpeg', rpicamVid: 'rpicam-vid' };

describe('FrameAssembler', () => {
  it('gives the same frames however the pipe chunks the bytes, and holds one frame at most', () => {
    const layout = { width: 16, height: 16, pixelFormat: 'gray' as const };
    const bytes = Uint8Array.from({ length: 256 * 3 + 100 }, (_, i) => i % 251);
    for (const chunk of [1, 7, 256, 300, 1000]) {
      const a = new FrameAssembler(layout);
      const frames: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += chunk) a.push(bytes.subarray(i, i + chunk), (f) => frames.push(f));
      expect(frames.map((f) => f.length)).toEqual([256, 256, 256]);
      expect(Array.from(frames[1]!.subarray(0, 3))).toEqual([256 % 251, 257 % 251, 258 % 251]);
    }
  });

  it('keeps the Y plane of YUV 4:2:0 frames and skips the chroma', () => {
    const layout = { width: 16, height: 16, pixelFormat: 'yuv420' as const };
    expect(frameBytes(layout)).toBe(256 + 128);
    const frame = new Uint8Array(384).fill(200, 256);
    frame.fill(7, 0, 256);
    const a = new FrameAssembler(layout);
    const got: Uint8Array[] = [];
    a.push(Buffer.concat([frame, frame]), (f) => got.push(f));
    expect(got).toHaveLength(2);
    expect(got.every((f) => f.length === 256 && f.every((v) => v === 7))).toBe(true);
  });

  it('forgets a partial frame on reset (the child died in the middle of one)', () => {
    const a = new FrameAssembler({ width: 16, height: 16, pixelFormat: 'gray' });
    const got: Uint8Array[] = [];
    a.push(new Uint8Array(100).fill(1), (f) => got.push(f));
    a.reset();
    a.push(new Uint8Array(256).fill(2), (f) => got.push(f));
    expect(got).toHaveLength(1);
    expect(got[0]!.every((v) => v === 2)).toBe(true);
  });

  it('refuses absurd sizes', () => {
    expect(() => new FrameAssembler({ width: 0, height: 480, pixelFormat: 'gray' })).toThrow(RangeError);
  });
});

describe('RepeatFilter', () => {
  it('a code held in view is one scan; a different code is new at once; the same after the hold is new', () => {
    const f = new RepeatFilter(2000);
    expect(f.isNew('A', 0)).toBe(true);
    // Seen on every frame for a minute: the hold is refreshed by each sighting.
    for (let t = 100; t <= 60_000; t += 100) expect(f.isNew('A', t)).toBe(false);
    expect(f.isNew('B', 60_050)).toBe(true);
    expect(f.isNew('A', 60_100)).toBe(true);
    expect(f.isNew('A', 62_099)).toBe(false);
    expect(f.isNew('A', 64_100)).toBe(true);
  });
});

describe('capture commands', () => {
  it('V4L2 through ffmpeg: grey frames of the configured size and rate to stdout', () => {
    const c = captureCommand({ kind: 'v4l2', device: '/dev/video2', inputFormat: 'mjpeg' }, settings);
    expect(c.command).toBe('ffmpeg');
    expect(c.args.join(' ')).toContain('-f v4l2 -input_format mjpeg -framerate 10 -video_size 640x480 -i /dev/video2');
    expect(c.args.slice(-9)).toEqual(['-an', '-sn', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '640x480', 'pipe:1']);
    expect(c.args.at(-1)).toBe('pipe:1');
    expect(c.layout).toEqual({ width: 640, height: 480, pixelFormat: 'gray' });
  });

  it('rpicam-vid: YUV 4:2:0 to stdout, no preview, runs until stopped', () => {
    const c = captureCommand({ kind: 'rpicam', index: 1 }, { ...settings, width: 1280, height: 720, fps: 15 });
    expect(c.command).toBe('rpicam-vid');
    expect(c.args).toEqual([
      '-t',
      '0',
      '--nopreview',
      '--camera',
      '1',
      '--codec',
      'yuv420',
      '--width',
      '1280',
      '--height',
      '720',
      '--framerate',
      '15',
      '--flush',
      '-o',
      '-',
    ]);
    expect(c.layout.pixelFormat).toBe('yuv420');
  });

  it('a file is played in real time, looped when asked', () => {
    const once = captureCommand({ kind: 'file', path: '/v/clip.mp4', loop: false }, settings).args;
    const looped = captureCommand({ kind: 'file', path: '/v/clip.mp4', loop: true }, settings).args;
    expect(once).toContain('-re');
    expect(once).not.toContain('-stream_loop');
    expect(looped.join(' ')).toContain('-re -stream_loop -1 -i /v/clip.mp4');
  });

  it('a folder: each picture its own looped input, fitted to the frame, played in turn by the concat filter', () => {
    const c = captureCommand({ kind: 'pictures', folder: '/p', files: ['/p/a.png', "/p/it's.jpg"], seconds: 0.5, loop: true }, settings);
    expect(c.args.join(' ')).toContain("-loop 1 -framerate 10 -t 0.5 -i /p/a.png -loop 1 -framerate 10 -t 0.5 -i /p/it's.jpg");
    const graph = c.args[c.args.indexOf('-filter_complex') + 1]!;
    expect(graph).toMatch(
      /^\[0:v\]fps=10,scale=640:480:force_original_aspect_ratio=decrease,pad=.*\[v0\];\[1:v\].*\[v1\];\[v0\]\[v1\]concat=n=2:v=1:a=0,realtime\[out\]$/,
    );
  });

  it('device names: rpicam[:N], /dev/videoN, auto, anything else is a file or folder', () => {
    expect(classifyDevice('rpicam', false)).toMatchObject({ kind: 'rpicam', index: 0 });
    expect(classifyDevice('rpicam:1', false)).toMatchObject({ kind: 'rpicam', index: 1 });
    expect(classifyDevice('/dev/video4', true)).toMatchObject({ kind: 'v4l2', device: '/dev/video4' });
    expect(classifyDevice('auto', true)).toMatchObject({ kind: 'rpicam' });
    expect(classifyDevice('auto', false)).toMatchObject({ kind: 'v4l2', device: '/dev/video0' });
    expect(classifyDevice('clips/window.mp4', false)).toMatchObject({ kind: 'path' });
  });

  it('reads why a camera failed from its last stderr line, one clean line', () => {
    expect(describeCameraFailure('/dev/video0', 'x\n/dev/video0: No such file or directory\n', 'stopped (exit 1)')).toBe(
      'camera /dev/video0 not found: is it plugged in?',
    );
    expect(describeCameraFailure('/dev/video0', 'Device or resource busy', 'stopped')).toBe('camera /dev/video0 is in use by another program');
    expect(describeCameraFailure('c', 'weird \u001b[31mred\u0007', 'stopped (exit 1)')).toBe('camera c stopped (exit 1): weird  [31mred');
  });
});
