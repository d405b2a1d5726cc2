/**
 * Decoding camera frames within a CPU budget. Most frames hold no code, and a code that is in
 * view is usually where it was one frame ago, so each frame gets, in order, until one finds it:
 *
 * 1. the region around the code's last position (while it is recent), at full resolution;
 * 2. the frame at half size (2 x 2 averaging: a quarter of the pixels, and a denoiser);
 * 3. the whole frame at full resolution (small codes that halving loses); a code ZXing locates
 *    there but cannot read (paper bent in the hand) is straightened and read again (dewarp.ts),
 *    which costs nothing on the many frames where nothing is located;
 * 4. one of the harder passes (a smoothed copy, other binarizers), in turn, one per frame: a
 *    code that needs them is found within a few frames, and a frame never pays for all of them.
 *
 * With `passes: 'quick'` only 1 and 2 (a full-size look instead of 2 for a frame under 320 x
 * 240): the camera's quick decode thread, which keeps up with the frame rate (decode-worker.ts).
 *
 * Measured on 640 x 480 and 1280 x 720 frames (scripts/bench/bench-camera.ts): half size costs about a
 * third of the full frame, and a frame without a code costs passes 2 + 3 + one of 4.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { ReaderOptions } from 'zxing-wasm/reader';
import { dewarpQr } from '../image/dewarp.js';
import { crop, halve, readQr, readQrOrCandidates, QUICK, type GreyImage, type QrHit } from '../image/grey-reader.js';
import { boxBlur3 } from '../image/grey-filters.js';
import type { FrameDecoder, GreyFrame } from './camera-scanner.js';

export type FramePass = 'region' | 'half' | 'full' | 'dewarp' | 'smoothed' | 'global-histogram' | 'fixed-threshold';

export interface FrameDecodeOutcome {
  hit: QrHit | null;
  pass: FramePass | null;
}

/** How long a code's position is trusted for the region pass, ms. */
const REGION_FRESH_MS = 1500;
const HARD_PASSES: readonly { pass: FramePass; options: ReaderOptions; prepare?: (f: GreyImage) => GreyImage }[] = [
  { pass: 'smoothed', options: QUICK, prepare: boxBlur3 },
  { pass: 'global-histogram', options: { ...QUICK, binarizer: 'GlobalHistogram' } },
  { pass: 'fixed-threshold', options: { ...QUICK, binarizer: 'FixedThreshold' } },
];

export class CameraFrameDecoder implements FrameDecoder {
  private region: { x: number; y: number; w: number; h: number; at: number } | null = null;
  private turn = 0;
  /** Which pass found each code, for the bench. */
  readonly passCounts = new Map<FramePass, number>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly passes: 'quick' | 'all' = 'all',
  ) {}

  async decode(frame: GreyFrame): Promise<Uint8Array | null> {
    return (await this.decodeWithPass(frame)).hit?.bytes ?? null;
  }

  async decodeWithPass(frame: GreyFrame): Promise<FrameDecodeOutcome> {
    const t = this.now();
    const r = this.region && t - this.region.at < REGION_FRESH_MS ? this.region : null;
    if (r) {
      const hit = await readQr(crop(frame, r.x, r.y, r.w, r.h), QUICK);
      if (hit) return this.found(frame, offset(hit, Math.max(0, Math.floor(r.x)), Math.max(0, Math.floor(r.y))), 'region');
    }
    if (frame.width >= 320 && frame.height >= 240) {
      const hit = await readQr(halve(frame), QUICK);
      if (hit) return this.found(frame, scale(hit, 2), 'half');
    } else if (this.passes === 'quick') {
      const hit = await readQr(frame, QUICK);
      return hit ? this.found(frame, hit, 'full') : { hit: null, pass: null };
    }
    if (this.passes === 'quick') return { hit: null, pass: null };
    const full = await readQrOrCandidates(frame, { ...QUICK, tryHarder: true }, true);
    if (full.hit) return this.found(frame, full.hit, 'full');
    for (const c of full.candidates) {
      const straight = dewarpQr(frame, c.corners, c.version);
      const hit = straight ? await readQr(straight, { ...QUICK, tryHarder: true }) : null;
      // The straightened picture's corners are not the frame's: keep the located ones.
      if (hit) return this.found(frame, { ...hit, corners: c.corners }, 'dewarp');
    }
    const hard = HARD_PASSES[this.turn++ % HARD_PASSES.length]!;
    const hit = await readQr(hard.prepare ? hard.prepare(frame) : frame, hard.options);
    if (hit) return this.found(frame, hit, hard.pass);
    return { hit: null, pass: null };
  }

  private found(frame: GreyFrame, hit: QrHit, pass: FramePass): FrameDecodeOutcome {
    const xs = hit.corners.map((c) => c[0]);
    const ys = hit.corners.map((c) => c[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    // A margin of half the code's size: the code moves between frames, and needs a quiet zone.
    const mx = (x1 - x0) / 2;
    const my = (y1 - y0) / 2;
    this.region = { x: x0 - mx, y: y0 - my, w: x1 - x0 + 2 * mx, h: y1 - y0 + 2 * my, at: this.now() };
    if (this.region.w >= frame.width * 0.9 && this.region.h >= frame.height * 0.9) this.region = null;
    this.passCounts.set(pass, (this.passCounts.get(pass) ?? 0) + 1);
    return { hit, pass };
  }
}

function offset(hit: QrHit, dx: number, dy: number): QrHit {
  return { ...hit, corners: hit.corners.map(([x, y]) => [x + dx, y + dy] as [number, number]) };
}

function scale(hit: QrHit, k: number): QrHit {
  return { ...hit, corners: hit.corners.map(([x, y]) => [x * k, y * k] as [number, number]) };
}
