/**
 * Which program turns a camera into a pipe of raw frames, and with which arguments. Pure, so
 * every command line is tested without the hardware:
 *
 * - a V4L2 device (a USB webcam, `/dev/videoN`) through Debian's `ffmpeg`: grey frames;
 * - a Raspberry Pi camera through `rpicam-vid` (libcamera): YUV 4:2:0 frames, of which the Y
 *   plane is read (rpicam-vid writes the planes unpadded when the width is a multiple of 64,
 *   which the configuration enforces);
 * - a video file, or a folder of pictures, played as a camera through the same ffmpeg path,
 *   paced in real time (`-re`) and looped if asked: the simulated camera of `--hal sim`. The
 *   pictures of a folder may differ in format and size (a PNG screenshot, a JPEG photo), which
 *   ffmpeg's concat demuxer refuses; each is its own looped input, fitted to the frame, and
 *   the concat filter plays them in turn (paced by the realtime filter).
 * @module
 */
import type { FrameLayout } from './frame-assembler.js';

export type CameraSource =
  | {
      kind: 'v4l2';
      device: string /** Ask the device for this format (`mjpeg` gives USB webcams their full frame rate); null: its default. */;
      inputFormat: string | null;
    }
  | { kind: 'rpicam' /** libcamera camera index (`--camera N`). */; index: number }
  | { kind: 'file'; path: string; loop: boolean }
  | { kind: 'pictures'; folder: string /** The pictures, in the order shown (at most MAX_PICTURES). */; files: string[]; seconds: number; loop: boolean };

export interface CaptureSettings {
  width: number;
  height: number;
  fps: number;
  ffmpeg: string;
  rpicamVid: string;
}

export interface CaptureCommand {
  command: string;
  args: string[];
  layout: FrameLayout;
  /** The child's heap bound (`prlimit --data`), bytes; absent: none. */
  memoryLimitBytes?: number;
  /** Told the child's last stderr lines when it failed (a folder camera finds the picture to blame). */
  onFailure?: (stderrTail: string) => void;
}

/**
 * The heap an ffmpeg or rpicam-vid child may take (`prlimit --data`). Decoding a 720p H.264 clip
 * to grey frames peaks at about 77 MB resident here (and fails under a 64 MiB bound); a picture or
 * video that needs more is refused by the child's allocator, not paid for by the board's 1 GB.
 */
export const CHILD_MEMORY_BYTES = 256 * 1024 * 1024;

/** What a person calls the source in logs and on the screen. */
export function sourceName(source: CameraSource): string {
  switch (source.kind) {
    case 'v4l2':
      return source.device;
    case 'rpicam':
      return `rpicam camera ${source.index}`;
    case 'file':
      return source.path;
    case 'pictures':
      return source.folder;
  }
}

const FFMPEG_OUT = (w: number, h: number) => ['-an', '-sn', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${w}x${h}`, 'pipe:1'];
const FFMPEG_QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
/**
 * Files stop at their first decoding error: a picture that cannot be decoded (too large for the
 * memory bound, truncated) otherwise makes ffmpeg retry it frame after frame, for minutes.
 */
const FFMPEG_FILE = [...FFMPEG_QUIET, '-xerror'];

/** A scale that keeps the picture's proportions and pads the rest: a file of any size fits the frame. */
function fitFilter(w: number, h: number, fps: number): string {
  return `fps=${fps},scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=gray,format=gray`;
}

export function captureCommand(source: CameraSource, s: CaptureSettings): CaptureCommand {
  const { width: w, height: h, fps } = s;
  const gray: FrameLayout = { width: w, height: h, pixelFormat: 'gray' };
  switch (source.kind) {
    case 'v4l2':
      return {
        command: s.ffmpeg,
        args: [
          ...FFMPEG_QUIET,
          '-fflags',
          'nobuffer',
          '-f',
          'v4l2',
          ...(source.inputFormat ? ['-input_format', source.inputFormat] : []),
          '-framerate',
          String(fps),
          '-video_size',
          `${w}x${h}`,
          '-i',
          source.device,
          '-vf',
          fitFilter(w, h, fps),
          ...FFMPEG_OUT(w, h),
        ],
        layout: gray,
        memoryLimitBytes: CHILD_MEMORY_BYTES,
      };
    case 'rpicam':
      return {
        command: s.rpicamVid,
        args: [
          '-t',
          '0',
          '--nopreview',
          '--camera',
          String(source.index),
          '--codec',
          'yuv420',
          '--width',
          String(w),
          '--height',
          String(h),
          '--framerate',
          String(fps),
          '--flush',
          '-o',
          '-',
        ],
        layout: { width: w, height: h, pixelFormat: 'yuv420' },
        memoryLimitBytes: CHILD_MEMORY_BYTES,
      };
    case 'file':
      return {
        command: s.ffmpeg,
        args: [...FFMPEG_FILE, '-re', ...(source.loop ? ['-stream_loop', '-1'] : []), '-i', source.path, '-vf', fitFilter(w, h, fps), ...FFMPEG_OUT(w, h)],
        layout: gray,
        memoryLimitBytes: CHILD_MEMORY_BYTES,
      };
    case 'pictures': {
      const files = source.files.slice(0, MAX_PICTURES);
      const inputs = files.flatMap((f) => ['-loop', '1', '-framerate', String(fps), '-t', String(source.seconds), '-i', f]);
      const fitted = files.map((_, i) => `[${i}:v]${fitFilter(w, h, fps)},setsar=1[v${i}]`);
      // `-re` paces only the first of several inputs; the realtime filter paces the joined stream.
      const joined = `${files.map((_, i) => `[v${i}]`).join('')}concat=n=${files.length}:v=1:a=0,realtime[out]`;
      return {
        command: s.ffmpeg,
        args: [...FFMPEG_FILE, ...inputs, '-filter_complex', [...fitted, joined].join(';'), '-map', '[out]', ...FFMPEG_OUT(w, h)],
        layout: gray,
        memoryLimitBytes: CHILD_MEMORY_BYTES,
      };
    }
  }
}

/**
 * The input ffmpeg names in its last error lines ("Error while decoding stream #2:0", "Input
 * #2"), as an index into its inputs, or null.
 */
export function failedInput(stderrTail: string): number | null {
  const lines = stderrTail.split('\n').reverse();
  for (const line of lines) {
    const m = /(?:stream|Input) #(\d{1,3})(?::\d+)?/.exec(line);
    if (m) return Number(m[1]);
  }
  return null;
}

/** Picture files a folder camera plays, by extension. */
export const PICTURE_EXTENSIONS = /\.(png|jpe?g|webp|bmp)$/i;
/** A folder camera plays this many pictures at most (each is an ffmpeg input). */
export const MAX_PICTURES = 100;
