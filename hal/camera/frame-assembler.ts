/**
 * Cutting the byte stream of a camera child process into frames. The child writes raw frames
 * back to back (grey: width x height bytes; YUV 4:2:0: the Y plane then a quarter-size U and V
 * plane), in whatever chunks the pipe delivers. The assembler holds at most one frame in
 * progress (one fixed buffer, allocated once); it hands out the luma plane of each complete
 * frame and skips the chroma bytes, so its memory never depends on how fast frames come or how
 * slowly they are decoded.
 * @module
 */

export interface FrameLayout {
  width: number;
  height: number;
  /** `gray`: one byte per pixel; `yuv420`: planar Y, U, V (rpicam-vid --codec yuv420). */
  pixelFormat: 'gray' | 'yuv420';
}

/** Bytes of one whole frame on the pipe. */
export function frameBytes(layout: FrameLayout): number {
  const luma = layout.width * layout.height;
  if (layout.pixelFormat === 'gray') return luma;
  return luma + 2 * (Math.ceil(layout.width / 2) * Math.ceil(layout.height / 2));
}

export class FrameAssembler {
  private readonly luma: number;
  private readonly total: number;
  private buf: Uint8Array;
  /** Bytes of the current frame seen so far (luma and chroma). */
  private filled = 0;

  constructor(layout: FrameLayout) {
    if (!Number.isInteger(layout.width) || !Number.isInteger(layout.height) || layout.width < 16 || layout.height < 16) {
      throw new RangeError('frame size must be at least 16 x 16 pixels');
    }
    this.luma = layout.width * layout.height;
    this.total = frameBytes(layout);
    this.buf = new Uint8Array(this.luma);
  }

  /**
   * Takes a chunk; calls `onFrame` with the luma plane of each frame it completes. The array is
   * the caller's to keep: the assembler starts the next frame in a fresh buffer.
   */
  push(chunk: Uint8Array, onFrame: (luma: Uint8Array) => void): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.filled < this.luma) {
        const n = Math.min(this.luma - this.filled, chunk.length - at);
        this.buf.set(chunk.subarray(at, at + n), this.filled);
        this.filled += n;
        at += n;
      } else {
        const n = Math.min(this.total - this.filled, chunk.length - at);
        this.filled += n;
        at += n;
      }
      if (this.filled === this.total) {
        const done = this.buf;
        this.buf = new Uint8Array(this.luma);
        this.filled = 0;
        onFrame(done);
      }
    }
  }

  /** Forgets a partial frame (the child died in the middle of one). */
  reset(): void {
    this.filled = 0;
  }
}
