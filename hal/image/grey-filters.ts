/**
 * Small filters on greyscale pictures, in plain code (no round trip through sharp for a camera
 * frame): smoothing that takes sensor noise and screen moiré below what a binarizer reacts to.
 * @module
 */
import type { GreyImage } from './grey-reader.js';

/** 3 x 3 box blur (edges clamped), computed as two 1-D passes. */
export function boxBlur3(img: GreyImage): GreyImage {
  const { width: w, height: h } = img;
  const tmp = new Uint16Array(w * h);
  const src = img.data;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const l = src[row + (x > 0 ? x - 1 : x)]!;
      const r = src[row + (x < w - 1 ? x + 1 : x)]!;
      tmp[row + x] = l + src[row + x]! + r;
    }
  }
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : y) * w;
    const row = y * w;
    const down = (y < h - 1 ? y + 1 : y) * w;
    for (let x = 0; x < w; x++) data[row + x] = Math.round((tmp[up + x]! + tmp[row + x]! + tmp[down + x]!) / 9);
  }
  return { data, width: w, height: h };
}
