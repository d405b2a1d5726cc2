/**
 * What happens to a QR code between the holder's phone and the checker's picture: placed in a
 * bigger scene, rotated, seen at an angle, blurred, noisy, badly compressed, washed out, inverted
 * by dark mode, crossed by a watermark. Pixel operations sharp lacks (perspective, noise) are
 * written here; randomness is seeded so every run builds the same pictures.
 * @module
 */
import sharp from 'sharp';
import type { Grey } from './qr-render.js';

/** A small seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Adds gaussian noise of standard deviation `sigma` (grey levels). */
export function addNoise(img: Grey, sigma: number, seed: number): Grey {
  const rand = seededRandom(seed);
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(img.data[i]! + sigma * gaussian(rand))));
  return { ...img, data };
}

/** A scene of `width` x `height`: a soft gradient with mottled texture (a desk, a car seat). */
export function background(width: number, height: number, seed: number, from = 170, to = 230): Grey {
  const rand = seededRandom(seed);
  const data = new Uint8Array(width * height);
  // Coarse texture: random values on a 32-pixel grid, bilinearly interpolated.
  const gx = Math.ceil(width / 32) + 2;
  const gy = Math.ceil(height / 32) + 2;
  const grid = Float32Array.from({ length: gx * gy }, () => rand() * 30 - 15);
  for (let y = 0; y < height; y++) {
    const fy = y / 32;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x / 32;
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const a = grid[y0 * gx + x0]! * (1 - tx) + grid[y0 * gx + x0 + 1]! * tx;
      const b = grid[(y0 + 1) * gx + x0]! * (1 - tx) + grid[(y0 + 1) * gx + x0 + 1]! * tx;
      const base = from + ((to - from) * (x + y)) / (width + height);
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(base + a * (1 - ty) + b * ty)));
    }
  }
  return { data, width, height };
}

/** Copies `src` into `dst` at (x, y), optionally mapping its grey levels (a printout is not pure black). */
export function paste(dst: Grey, src: Grey, x: number, y: number, dark = 0, light = 255): Grey {
  const data = Uint8Array.from(dst.data);
  for (let sy = 0; sy < src.height; sy++) {
    const dy = y + sy;
    if (dy < 0 || dy >= dst.height) continue;
    for (let sx = 0; sx < src.width; sx++) {
      const dx = x + sx;
      if (dx < 0 || dx >= dst.width) continue;
      data[dy * dst.width + dx] = dark + ((light - dark) * src.data[sy * src.width + sx]!) / 255;
    }
  }
  return { ...dst, data };
}

/** Solves the 8 unknowns of the homography mapping `from[i]` to `to[i]` (4 point pairs). */
function homography(from: readonly [number, number][], to: readonly [number, number][]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return [...a.map((row, i) => row[8]! / row[i]!), 1];
}

/**
 * Warps `src` so its corners land on `corners` (top-left, top-right, bottom-right, bottom-left)
 * in an output of `width` x `height` filled with `fill`: a code seen at an angle.
 */
export function perspective(src: Grey, corners: readonly [number, number][], width: number, height: number, fill = 255): Grey {
  const w = src.width - 1;
  const h = src.height - 1;
  // Inverse mapping: output pixel -> source pixel, bilinear sampling.
  const m = homography(corners, [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ]);
  const data = new Uint8Array(width * height).fill(fill);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = m[6]! * x + m[7]! * y + m[8]!;
      const sx = (m[0]! * x + m[1]! * y + m[2]!) / d;
      const sy = (m[3]! * x + m[4]! * y + m[5]!) / d;
      if (sx < 0 || sy < 0 || sx > w || sy > h) continue;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, w);
      const y1 = Math.min(y0 + 1, h);
      const tx = sx - x0;
      const ty = sy - y0;
      const p = (xx: number, yy: number) => src.data[yy * src.width + xx]!;
      const top = p(x0, y0) * (1 - tx) + p(x1, y0) * tx;
      const bottom = p(x0, y1) * (1 - tx) + p(x1, y1) * tx;
      data[y * width + x] = Math.round(top * (1 - ty) + bottom * ty);
    }
  }
  return { data, width, height };
}

/** A sharp pipeline over a greyscale picture. */
export function toSharp(img: Grey): sharp.Sharp {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 1 },
  });
}

/** Back from sharp to a greyscale picture. */
export async function fromSharp(pipeline: sharp.Sharp): Promise<Grey> {
  const { data, info } = await pipeline.grayscale().raw().toBuffer({ resolveWithObject: true });
  if (info.channels === 1) return { data: new Uint8Array(data), width: info.width, height: info.height };
  const out = new Uint8Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels]!;
  return { data: out, width: info.width, height: info.height };
}

/** Rotates by `degrees` on a white (or `fill`) background. */
export function rotate(img: Grey, degrees: number, fill = 255): Promise<Grey> {
  return fromSharp(toSharp(img).rotate(degrees, { background: { r: fill, g: fill, b: fill } }));
}

/** A watermark repeated diagonally across the picture, as document apps stamp downloads. */
export async function watermark(img: Grey, text: string, opacity = 0.45): Promise<Grey> {
  const fontPx = Math.round(Math.min(img.width, img.height) / 9);
  const rows: string[] = [];
  for (let y = -img.height; y < img.height * 2; y += fontPx * 2.2) {
    rows.push(`<text x="${-img.width}" y="${Math.round(y)}">${`${text} `.repeat(12)}</text>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${img.width}" height="${img.height}">
    <g transform="rotate(-30 ${img.width / 2} ${img.height / 2})" font-family="sans-serif" font-weight="bold"
       font-size="${fontPx}" fill="rgb(120,120,120)" fill-opacity="${opacity}">${rows.join('')}</g></svg>`;
  return fromSharp(toSharp(img).composite([{ input: Buffer.from(svg), blend: 'over' }]));
}
