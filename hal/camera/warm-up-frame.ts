/**
 * A frame for warming a decode thread up (issue 24): a code-like pattern (three finder patterns,
 * random modules between them, on a grey counter) at the camera's own frame size. ZXing locates
 * it, samples its grid and fails its error correction, so the first decodes run every hot path,
 * the WebAssembly's and the frame code's, at full size: their compilation (hundreds of ms under
 * load) happens before the camera's first real frame, not while a code waits. Pure.
 * @module
 */
import type { GreyFrame } from './camera-scanner.js';

const MODULES = 29;

/** True for a module of one of the three finder patterns (7 x 7, with their separators light). */
function finder(r: number, c: number): boolean | null {
  for (const [r0, c0] of [
    [0, 0],
    [0, MODULES - 7],
    [MODULES - 7, 0],
  ] as const) {
    const [y, x] = [r - r0, c - c0];
    if (y >= -1 && y <= 7 && x >= -1 && x <= 7) {
      if (y < 0 || y > 6 || x < 0 || x > 6) return false;
      const ring = Math.min(y, x, 6 - y, 6 - x);
      return ring !== 1;
    }
  }
  return null;
}

/** The warm-up frame at `width` x `height` (a code of 29 modules, as large as fits, at most 8 px a module). */
export function warmUpFrame(width: number, height: number): GreyFrame {
  const data = new Uint8Array(width * height).fill(150);
  const px = Math.max(1, Math.min(8, Math.floor(Math.min(width, height) / (MODULES + 8))));
  const size = MODULES * px;
  const [x0, y0] = [Math.floor((width - size) / 2), Math.floor((height - size) / 2)];
  let seed = 0x2545f491;
  for (let r = -4; r < MODULES + 4; r++) {
    for (let c = -4; c < MODULES + 4; c++) {
      const inside = r >= 0 && r < MODULES && c >= 0 && c < MODULES;
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const dark = inside ? (finder(r, c) ?? (seed >>> 16) % 2 === 1) : false;
      const v = dark ? 30 : 225;
      for (let y = 0; y < px; y++) {
        const yy = y0 + r * px + y;
        if (yy < 0 || yy >= height) continue;
        const row = yy * width;
        for (let x = 0; x < px; x++) {
          const xx = x0 + c * px + x;
          if (xx >= 0 && xx < width) data[row + xx] = v;
        }
      }
    }
  }
  return { data, width, height };
}
