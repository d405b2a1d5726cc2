/**
 * Reading a camera's frame trace against the clip's clock (issue 24), for the real-time test and
 * the bench. A clip played with `ffmpeg -re` is due at one frame every 1/fps seconds; the clock's
 * origin is the frame that arrived earliest relative to it, so a frame's lag is how far behind
 * the best moment of the run it came: a reader that falls behind real time shows a lag that
 * grows, one that keeps up stays near zero however the decoder fares. Pure functions.
 * @module
 */
import type { CameraTrace } from '../../../hal/camera/index.js';

type Arrived = Extract<CameraTrace, { kind: 'arrived' }>;
type Decoded = Extract<CameraTrace, { kind: 'decoded' }>;

/** Each frame's lag behind the clip's clock, ms, in the order of the frames (one run of the child). */
export function clipLags(arrivals: readonly Pick<Arrived, 'seq' | 'at'>[], fps: number): number[] {
  const offsets = arrivals.map((a) => a.at - (a.seq * 1000) / fps);
  const origin = Math.min(...offsets);
  return offsets.map((o) => o - origin);
}

/**
 * Decoded frames that were not the newest when they were handed to the decoder: a frame with a
 * higher number had already arrived (both instants are the capture thread's own).
 */
export function staleDecodes(arrivals: readonly Pick<Arrived, 'seq' | 'at'>[], decoded: readonly Pick<Decoded, 'seq' | 'sentAt'>[]): Pick<Decoded, 'seq' | 'sentAt'>[] {
  return decoded.filter((d) => arrivals.some((a) => a.seq > d.seq && a.at < d.sentAt));
}
