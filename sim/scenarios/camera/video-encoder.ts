/**
 * Encoding generated frames into a small video file with ffmpeg (H.264, as a phone or a camera
 * app would save it), for the camera tests, the camera benchmark and the demo. Frames are piped
 * raw, with backpressure, so a long clip never sits in memory twice.
 * @module
 */
import { spawn } from 'node:child_process';
import type { Grey } from '../pictures/qr-render.js';

export interface EncodeOptions {
  fps: number;
  /** x264 constant rate factor: 18 is near transparent, 28 a phone's "small file". */
  crf?: number;
  ffmpeg?: string;
}

/** Writes `frames` (all of one size) to `file` (.mp4, .mkv, .avi...). */
export async function encodeVideo(frames: Iterable<Grey> | AsyncIterable<Grey>, file: string, opts: EncodeOptions): Promise<void> {
  let child: ReturnType<typeof spawn> | null = null;
  let stderr = '';
  let exited: Promise<number | null> | null = null;
  for await (const f of frames) {
    if (!child) {
      child = spawn(
        opts.ffmpeg ?? 'ffmpeg',
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-y',
          '-f',
          'rawvideo',
          '-pix_fmt',
          'gray',
          '-s',
          `${f.width}x${f.height}`,
          '-r',
          String(opts.fps),
          '-i',
          'pipe:0',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-crf',
          String(opts.crf ?? 20),
          '-pix_fmt',
          'yuv420p',
          '-g',
          String(opts.fps),
          file,
        ],
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      const c = child;
      c.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
      exited = new Promise((resolve, reject) => {
        c.once('error', reject);
        c.once('close', (code) => resolve(code));
      });
    }
    if (!child.stdin!.write(f.data)) await new Promise((r) => child!.stdin!.once('drain', r));
  }
  if (!child || !exited) throw new Error('encodeVideo: no frames');
  child.stdin!.end();
  const code = await exited;
  if (code !== 0) throw new Error(`ffmpeg failed (${code}): ${stderr.trim()}`);
}
