/**
 * A camera scanner from plain options: what `--camera` or `camera.device` names (a V4L2 device,
 * `rpicam[:N]`, a video file, a folder of pictures) turned into the capture command, the frame
 * supervised child. A file or folder is looked at each time the child starts, so a video removed
 * and put back is picked up again; a folder's pictures pass the picture gate first (its caps, and
 * the pictures refused before are not read again).
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { BackoffOptions } from '../scanner/backoff.js';
import { CameraScanner, type CameraScannerOptions } from './camera-scanner.js';
import { captureCommand, failedInput, MAX_PICTURES, PICTURE_EXTENSIONS, sourceName, type CameraSource, type CaptureCommand } from './camera-source.js';
import { describeRefusal, PictureGate } from './picture-gate.js';

export interface CameraOptions {
  /**
   * `/dev/videoN` (V4L2 through ffmpeg), `rpicam` or `rpicam:N` (rpicam-vid), `auto` (rpicam-vid
   * when installed, as on Raspberry Pi OS, else /dev/video0), a video file or a folder of pictures.
   */
  device: string;
  width: number;
  height: number;
  fps: number;
  /** V4L2 input format to ask for (`mjpeg`, `yuyv422`), or null for the device's default. */
  inputFormat: string | null;
  repeatMs: number;
  stallMs: number;
  reconnect: BackoffOptions;
  /** A video file or folder starts over at its end (else the end closes the camera). */
  loop: boolean;
  /** How long each picture of a folder is shown, in seconds. */
  pictureSeconds: number;
  maxTextBytes: number;
  /** Told of every frame's arrival and decode (tests, the bench). */
  onTrace?: CameraScannerOptions['onTrace'];
  ffmpeg?: string;
  rpicamVid?: string;
}

/** What a device string names, before looking at the disk. */
export function classifyDevice(device: string, hasRpicam: boolean): { kind: 'v4l2' | 'rpicam' | 'path'; device: string; index: number } {
  if (device === 'auto') return hasRpicam ? { kind: 'rpicam', device: 'rpicam', index: 0 } : { kind: 'v4l2', device: '/dev/video0', index: 0 };
  const rp = /^rpicam(?::(\d{1,2}))?$/.exec(device);
  if (rp) return { kind: 'rpicam', device, index: Number(rp[1] ?? 0) };
  if (device.startsWith('/dev/')) return { kind: 'v4l2', device, index: 0 };
  return { kind: 'path', device, index: 0 };
}

/** Whether `program` is on PATH (rpicam-vid is there on Raspberry Pi OS only). */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, program)));
}

export function createCameraScanner(opts: CameraOptions): CameraScanner {
  const settings = { width: opts.width, height: opts.height, fps: opts.fps, ffmpeg: opts.ffmpeg ?? 'ffmpeg', rpicamVid: opts.rpicamVid ?? 'rpicam-vid' };
  const what = classifyDevice(opts.device, opts.device === 'auto' && onPath(opts.rpicamVid ?? 'rpicam-vid'));
  let source: CameraSource;
  let folder = false;
  let command: () => CaptureCommand | Promise<CaptureCommand>;
  let scanner: CameraScanner | null = null;
  const gate = new PictureGate((r) => scanner?.refused(r.bytes, describeRefusal(r)));
  if (what.kind === 'rpicam') {
    source = { kind: 'rpicam', index: what.index };
    command = () => captureCommand(source, settings);
  } else if (what.kind === 'v4l2') {
    source = { kind: 'v4l2', device: what.device, inputFormat: opts.inputFormat };
    command = () => captureCommand(source, settings);
  } else {
    const path = resolve(opts.device);
    source = { kind: 'file', path, loop: opts.loop };
    command = async () => {
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        throw new Error('not found: is the video file there?');
      }
      if (!isDir) return captureCommand({ kind: 'file', path, loop: opts.loop }, settings);
      const files = readdirSync(path)
        .filter((f) => PICTURE_EXTENSIONS.test(f))
        .sort()
        .slice(0, MAX_PICTURES)
        .map((f) => join(path, f));
      if (files.length === 0) throw new Error('no pictures (PNG, JPEG, WebP, BMP) in the folder');
      const { playable, refused } = await gate.admit(files);
      if (playable.length === 0) throw new Error(`no picture it can play: ${refused.map(describeRefusal).join('; ')}`);
      folder = true;
      const cmd = captureCommand({ kind: 'pictures', folder: path, files: playable, seconds: opts.pictureSeconds, loop: opts.loop }, settings);
      const onFailure = (stderrTail: string) => {
        const i = failedInput(stderrTail);
        if (i !== null && playable[i] !== undefined) gate.failed(playable[i]!, stderrTail.trim().split('\n').pop() ?? 'error');
      };
      return { ...cmd, onFailure };
    };
  }
  scanner = new CameraScanner({
    name: sourceName(source),
    command,
    ...(opts.onTrace ? { onTrace: opts.onTrace } : {}),
    repeatMs: opts.repeatMs,
    stallMs: opts.stallMs,
    maxTextBytes: opts.maxTextBytes,
    reconnect: opts.reconnect,
    // A looped folder is played again from its first picture when its child reaches the end.
    atEnd: what.kind !== 'path' ? 'lost' : !opts.loop ? 'final' : () => (folder ? 'again' : 'lost'),
  });
  return scanner;
}
