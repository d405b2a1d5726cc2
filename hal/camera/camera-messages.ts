/**
 * The messages between the camera's three threads (issue 24), in one place so each side reads
 * the same shapes: the main thread supervises, the capture thread runs the child and reads its
 * pipe, the decode thread reads QR codes. Instants cross threads as epoch milliseconds
 * (`performance.timeOrigin + performance.now()`: each thread has its own `performance.now()`
 * origin) and are turned back into the main thread's clock there.
 * @module
 */
import type { FrameLayout } from './frame-assembler.js';

/** Main to capture thread: start a child (each start has its own `run` number), or signal it. */
export type ToCapture =
  | { t: 'start'; run: number; command: string; args: string[]; layout: FrameLayout; memoryLimitBytes: number | null }
  | { t: 'kill'; run: number; signal: NodeJS.Signals };

/** Capture thread to main: what became of a child and of its frames. */
export type FromCapture =
  | { t: 'spawned'; run: number; pid: number }
  /**
   * A whole frame read; `dropped`: frames no decoder got (replaced in every waiting slot) so far,
   * `taken`: frames handed to at least one decoder so far (all runs).
   */
  | { t: 'frame'; run: number; seq: number; at: number; dropped: number; taken: number }
  | { t: 'stderr'; run: number; text: string }
  /** The program could not be started (`ENOENT`: not installed). */
  | { t: 'failed'; run: number; code: string; message: string }
  | { t: 'closed'; run: number; code: number | null; signal: NodeJS.Signals | null };

/** Capture to decode thread: the newest frame, its bytes transferred (not copied). */
export interface FrameForDecode {
  t: 'frame';
  run: number;
  seq: number;
  at: number;
  /** When the capture thread handed it over (it was then the newest frame), epoch ms. */
  sentAt: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The two decode threads: `quick` looks at every frame it can (the region of the last code, the
 * frame at half size: a few ms), so a code in plain view is read within a frame or two whatever
 * the other does; `thorough` runs every pass (full size, straightening, the harder binarizers)
 * on the newest frame whenever it is free, for the small, far, dim or bent codes.
 */
export type DecoderRole = 'quick' | 'thorough';

/** Decode thread to capture thread: ready for the next frame. */
export interface DecoderReady {
  t: 'ready';
}

/** Decode thread to main: one frame decoded (`bytes` null: no code in it). */
export interface FrameDecoded {
  t: 'decoded';
  by: DecoderRole;
  run: number;
  seq: number;
  /** When the frame arrived whole, was handed to the decoder, and its decode started, epoch ms. */
  at: number;
  sentAt: number;
  startedAt: number;
  ms: number;
  bytes: Uint8Array | null;
}

/** The current instant as epoch milliseconds, comparable across threads. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
