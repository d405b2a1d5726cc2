/**
 * Small filters on greyscale pictures, in plain code (no round trip through sharp for a camera
 * frame): smoothing that takes sensor noise and screen moiré below what a binarizer reacts to.
 * @module
 */
import type { GreyImage } from './grey-reader.js';

/** round(s / 9) for every sum of nine bytes: a table look-up instead of a division per pixel. */
const NINTHS = Uint8Array.from({ length: 9 * 255 + 1 }, (_, s) => Math.round(s / 9));

/**
 * 3 x 3 box blur (edges clamped), computed as two 1-D passes. The edge columns and rows are
 * done apart so the inner loops have no branch (a 720p frame is the camera's hot path).
 */
export function boxBlur3(img: GreyImage): GreyImage {
  const { width: w, height: h } = img;
  const tmp = new Uint16Array(w * h);
  const src = img.data;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    if (w === 1) {
      tmp[row] = 3 * src[row]!;
      continue;
    }
    tmp[row] = 2 * src[row]! + src[row + 1]!;
    for (let i = row + 1, end = row + w - 1; i < end; i++) tmp[i] = src[i - 1]! + src[i]! + src[i + 1]!;
    tmp[row + w - 1] = src[row + w - 2]! + 2 * src[row + w - 1]!;
  }
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : y) * w;
    const row = y * w;
    const down = (y < h - 1 ? y + 1 : y) * w;
    for (let x = 0; x < w; x++) data[row + x] = NINTHS[tmp[up + x]! + tmp[row + x]! + tmp[down + x]!]!;
  }
  return { data, width: w, height: h };
}
