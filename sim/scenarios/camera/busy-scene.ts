/**
 * The camera decoder's worst frame: a busy counter with nothing to find. Things that look like a
 * code to a detector but are not one: a square with the three finder patterns of a QR code and
 * noise for every other module (the detector locates it, every read of it fails, and the dewarp
 * pass is tried on it), patches of random modules (a newspaper's halftone, a parcel's label),
 * lines of print. A frame with a real code is found early by the cheap passes; this one pays for
 * every pass of the frame decoder (hal/camera/frame-decoder.ts), frame after frame. Seeded: the
 * same frames on every run.
 * @module
 */
import { addNoise, background, paste, seededRandom } from '../pictures/distortions.js';
import type { Grey } from '../pictures/qr-render.js';
import type { SceneSize } from './camera-scenes.js';

/** Modules a side of the fake code: the size of a version 4 QR code, like a live registration. */
const FAKE_MODULES = 33;

/** `n` x `n` modules of `px` pixels, each dark with `rand() < 0.5`; finder patterns at three corners when `finders`. */
function modules(n: number, px: number, rand: () => number, finders: boolean): Grey {
  const dark = (mx: number, my: number): boolean => {
    for (const [fx, fy] of finders
      ? [
          [0, 0],
          [n - 7, 0],
          [0, n - 7],
        ]
      : []) {
      const [x, y] = [mx - fx!, my - fy!];
      if (x >= -1 && x <= 7 && y >= -1 && y <= 7) {
        // The 1:1:3:1:1 rings, with the light separator around them.
        if (x < 0 || y < 0 || x > 6 || y > 6) return false;
        const ring = Math.min(x, y, 6 - x, 6 - y);
        return ring !== 1;
      }
    }
    return rand() < 0.5;
  };
  const side = n * px;
  const data = new Uint8Array(side * side).fill(255);
  for (let my = 0; my < n; my++) {
    for (let mx = 0; mx < n; mx++) {
      if (!dark(mx, my)) continue;
      for (let y = my * px; y < (my + 1) * px; y++) data.fill(0, y * side + mx * px, y * side + (mx + 1) * px);
    }
  }
  return { data, width: side, height: side };
}

/** Lines of print: dark bars of word-like lengths on white. */
function print(width: number, lines: number, rand: () => number): Grey {
  const height = lines * 14;
  const data = new Uint8Array(width * height).fill(255);
  for (let l = 0; l < lines; l++) {
    for (let x = 4; x < width - 4; ) {
      const word = 8 + Math.floor(rand() * 40);
      for (let y = l * 14 + 3; y < l * 14 + 10; y++) data.fill(30, y * width + x, y * width + Math.min(width - 4, x + word));
      x += word + 6;
    }
  }
  return { data, width, height };
}

/**
 * `count` frames of a busy counter at `size`, none holding a readable code: the clutter stays,
 * moving a few pixels from frame to frame as a hand-held camera does, with sensor noise.
 */
export function busyFrames(size: SceneSize, count: number, seed = 1): Grey[] {
  const { width: W, height: H } = size;
  const rand = seededRandom(seed);
  const modulePx = Math.max(2, Math.floor(Math.min(W, H) / 130));
  const fake = modules(FAKE_MODULES + 8, modulePx, rand, false);
  const code = modules(FAKE_MODULES, modulePx, rand, true);
  // The fake code on its own quiet zone, as a printed code would be.
  const fakeCode = paste(
    { data: new Uint8Array((code.width + 8 * modulePx) ** 2).fill(255), width: code.width + 8 * modulePx, height: code.height + 8 * modulePx },
    code,
    4 * modulePx,
    4 * modulePx,
  );
  const halftone = modules(Math.round(W / 12), 3, rand, false);
  const text = print(Math.round(W * 0.4), Math.round(H / 40), rand);
  const scene = background(W, H, seed, 110, 190);
  const frames: Grey[] = [];
  for (let i = 0; i < count; i++) {
    const dx = Math.round(Math.sin(i * 1.7 + seed) * 3);
    const dy = Math.round(Math.cos(i * 1.3 + seed) * 3);
    let f = paste(scene, fakeCode, Math.round((W - fakeCode.width) / 2) + dx, Math.round((H - fakeCode.height) / 2) + dy, 40, 215);
    f = paste(f, fake, Math.round(W * 0.04) + dx, Math.round(H * 0.55) + dy, 40, 215);
    f = paste(f, halftone, Math.round(W * 0.72) + dx, Math.round(H * 0.05) + dy, 60, 200);
    f = paste(f, text, Math.round(W * 0.05) + dx, Math.round(H * 0.06) + dy, 40, 215);
    frames.push(addNoise(f, 4, seed * 100 + i));
  }
  return frames;
}
