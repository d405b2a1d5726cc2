/**
 * Reading a QR code out of a greyscale picture with ZXing-C++ (zxing-wasm): the one call every
 * decoder of the project makes, for camera frames and picture files alike. A grey picture is
 * handed over as RGBA with R = G = B (zxing-wasm's luminance of such a pixel is exactly its
 * grey level), in a buffer kept (at the largest size seen) so a camera does not allocate one per frame.
 * @module
 */
import type { ReaderOptions } from 'zxing-wasm/reader';
import { loadZxingReader } from './zxing-loader.js';

/** A greyscale picture: one byte per pixel, 0 black, 255 white, row after row. */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface QrHit {
  /** The code's raw bytes (what a serial module would send). */
  bytes: Uint8Array;
  text: string;
  /** Corners in the picture's pixels (top-left, top-right, bottom-right, bottom-left). */
  corners: [number, number][];
}

/** The options of a full search: every orientation, inverted codes, ZXing's own downscaling. */
export const THOROUGH: ReaderOptions = { tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true };
/** A quick look: no rotation or inversion retries, no extra downscaled scans. */
export const QUICK: ReaderOptions = { tryHarder: false, tryRotate: false, tryInvert: true, tryDownscale: false };

let rgbaBuffer = new Uint8ClampedArray(0);

function asRgba(img: GreyImage): { data: Uint8ClampedArray; width: number; height: number } {
  const n = img.width * img.height;
  // Grown, never swapped: a camera alternates half-size and full-size passes, and a buffer
  // re-made for each would be garbage of a frame's size four times per pass.
  if (rgbaBuffer.length < n * 4) rgbaBuffer = new Uint8ClampedArray(n * 4);
  const out = rgbaBuffer.subarray(0, n * 4);
  const src = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const v = src[i]!;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return { data: out, width: img.width, height: img.height };
}

/** A QR code ZXing located but could not read (its grid missed the modules). */
export interface QrCandidate {
  corners: [number, number][];
  version: number;
}

type ZxingResult = Awaited<ReturnType<Awaited<ReturnType<typeof loadZxingReader>>['readBarcodes']>>[number];

function cornersOf(r: ZxingResult): [number, number][] {
  const p = r.position;
  return [
    [p.topLeft.x, p.topLeft.y],
    [p.topRight.x, p.topRight.y],
    [p.bottomRight.x, p.bottomRight.y],
    [p.bottomLeft.x, p.bottomLeft.y],
  ];
}

/** The first valid QR code ZXing finds with `options`, or null. */
export async function readQr(img: GreyImage, options: ReaderOptions): Promise<QrHit | null> {
  return (await readQrOrCandidates(img, options, false)).hit;
}

/**
 * As `readQr`; when nothing is read and `candidates` is set, also the QR codes (not rMQR) ZXing
 * located but failed to decode, at most two, for a local-grid retry (dewarp.ts).
 */
export async function readQrOrCandidates(img: GreyImage, options: ReaderOptions, candidates: boolean): Promise<{ hit: QrHit | null; candidates: QrCandidate[] }> {
  const zxing = await loadZxingReader();
  type Input = Parameters<typeof zxing.readBarcodes>[0];
  const results = await zxing.readBarcodes(asRgba(img) as unknown as Input, {
    ...options,
    formats: ['QRCode'],
    maxNumberOfSymbols: candidates ? 3 : 1,
    returnErrors: candidates,
  });
  const hit = results.find((r) => r.isValid && r.bytes.length > 0);
  if (hit) return { hit: { bytes: Uint8Array.from(hit.bytes), text: hit.text, corners: cornersOf(hit) }, candidates: [] };
  const failed = results
    .filter((r) => !r.isValid && /^\d{1,2}$/.test(r.version))
    .slice(0, 2)
    .map((r) => ({ corners: cornersOf(r), version: Number(r.version) }));
  return { hit: null, candidates: failed };
}

/** A rectangle of `img` (clipped to it), copied. */
export function crop(img: GreyImage, x: number, y: number, width: number, height: number): GreyImage {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const w = Math.max(1, Math.min(img.width - x0, Math.ceil(width)));
  const h = Math.max(1, Math.min(img.height - y0, Math.ceil(height)));
  const data = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) data.set(img.data.subarray((y0 + r) * img.width + x0, (y0 + r) * img.width + x0 + w), r * w);
  return { data, width: w, height: h };
}

/** Half size by 2 x 2 averaging (a denoiser too). */
export function halve(img: GreyImage): GreyImage {
  const w = img.width >> 1;
  const h = img.height >> 1;
  const data = new Uint8Array(w * h);
  const s = img.data;
  const sw = img.width;
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * sw;
    const r1 = r0 + sw;
    for (let x = 0; x < w; x++) {
      const c = 2 * x;
      data[y * w + x] = (s[r0 + c]! + s[r0 + c + 1]! + s[r1 + c]! + s[r1 + c + 1]! + 2) >> 2;
    }
  }
  return { data, width: w, height: h };
}
