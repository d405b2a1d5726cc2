/**
 * What happens to a QR code between the holder's phone and the checker's picture: placed in a
 * bigger scene, rotated, seen at an angle, blurred, noisy, badly compressed, washed out, inverted
 * by dark mode, crossed by a watermark. Pixel operations sharp lacks (perspective, noise) are
 * written here; the perspective solves its map with the one homography of the tree
 * (hal/image/homography.ts, checked against known maps in its own test). Randomness is seeded so
 * every run builds the same pictures.
 * @module
 */
import sharp from 'sharp';
import { homography, project } from '../../../hal/image/homography.js';
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
  if (!m) throw new Error('perspective: the corners do not span a quadrilateral');
  const data = new Uint8Array(width * height).fill(fill);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = project(m, x, y);
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

/** A bright reflection: a soft disc around (cx, cy) pushing grey levels towards white. */
export function glare(img: Grey, cx: number, cy: number, radius: number, strength = 0.85): Grey {
  const data = Uint8Array.from(img.data);
  const r2 = radius * radius;
  for (let y = Math.max(0, Math.floor(cy - radius)); y < Math.min(img.height, Math.ceil(cy + radius)); y++) {
    for (let x = Math.max(0, Math.floor(cx - radius)); x < Math.min(img.width, Math.ceil(cx + radius)); x++) {
      const d2 = (x - cx) ** 2 + (y - cy) ** 2;
      if (d2 >= r2) continue;
      const g = strength * (1 - d2 / r2) ** 1.5;
      const i = y * img.width + x;
      data[i] = Math.round(data[i]! + (255 - data[i]!) * g);
    }
  }
  return { ...img, data };
}

/**
 * A printout bent in the hand: every column shifted vertically by a sine of its position
 * (amplitude and period in pixels), the paper darker where it turns away from the light.
 */
export function wave(img: Grey, amplitude: number, period: number, shade = 0.12, fill = 255): Grey {
  const { width, height } = img;
  const data = new Uint8Array(width * height).fill(fill);
  for (let x = 0; x < width; x++) {
    const phase = (2 * Math.PI * x) / period;
    const dy = amplitude * Math.sin(phase);
    const light = 1 - shade * (0.5 + 0.5 * Math.cos(phase));
    for (let y = 0; y < height; y++) {
      const sy = y - dy;
      const y0 = Math.floor(sy);
      if (y0 < 0 || y0 + 1 >= height) continue;
      const t = sy - y0;
      const v = img.data[y0 * width + x]! * (1 - t) + img.data[(y0 + 1) * width + x]! * t;
      data[y * width + x] = Math.round(v * light);
    }
  }
  return { data, width, height };
}

/**
 * A printout folded in two and half opened: the half beyond column `at` is foreshortened (seen
 * at `degrees` of turn) and darker, the crease a shadowed line.
 */
export function fold(img: Grey, at: number, degrees: number, fill = 255): Grey {
  const { width, height } = img;
  const k = Math.cos((degrees * Math.PI) / 180);
  const outW = Math.round(at + (width - at) * k);
  const data = new Uint8Array(outW * height).fill(fill);
  for (let x = 0; x < outW; x++) {
    const sx = x < at ? x : at + (x - at) / k;
    const x0 = Math.min(width - 2, Math.floor(sx));
    const t = sx - x0;
    const crease = Math.abs(x - at) < 3 ? 0.7 : 1;
    const light = (x < at ? 1 : 0.82) * crease;
    for (let y = 0; y < height; y++) {
      const v = img.data[y * width + x0]! * (1 - t) + img.data[y * width + x0 + 1]! * t;
      data[y * outW + x] = Math.round(v * light);
    }
  }
  return { data, width: outW, height };
}

/**
 * A page curling away from the camera: columns compressed more and more towards the right edge
 * (a cylinder of `radius` pixels starting at column `from`), the curl lifting its rows.
 */
export function curl(img: Grey, from: number, radius: number, fill = 255): Grey {
  const { width, height } = img;
  // Output column -> source column: flat up to `from`, then arc length on the cylinder.
  const maxX = from + radius * Math.sin(Math.min(Math.PI / 2, (width - from) / radius));
  const outW = Math.ceil(maxX);
  const data = new Uint8Array(outW * height).fill(fill);
  for (let x = 0; x < outW; x++) {
    let sx = x;
    let lift = 0;
    if (x > from) {
      const s = Math.min(1, (x - from) / radius);
      const theta = Math.asin(s);
      sx = from + radius * theta;
      lift = radius * (1 - Math.cos(theta)) * 0.25;
    }
    if (sx > width - 2) continue;
    const x0 = Math.floor(sx);
    const t = sx - x0;
    const light = x > from ? 1 - 0.25 * Math.min(1, (x - from) / radius) : 1;
    for (let y = 0; y < height; y++) {
      const syy = y + lift * ((y - height / 2) / (height / 2));
      const y0 = Math.floor(syy);
      if (y0 < 0 || y0 >= height) continue;
      const v = img.data[y0 * width + x0]! * (1 - t) + img.data[y0 * width + x0 + 1]! * t;
      data[y * outW + x] = Math.round(v * light);
    }
  }
  return { data, width: outW, height };
}

/**
 * A screen filmed by a camera: the screen's pixel grid beating against the sensor's (moiré) as
 * faint slanted bands, the picture a little brighter and softer than print.
 */
export function moire(img: Grey, pitch = 3.3, depth = 0.22, angleDeg = 8): Grey {
  const data = new Uint8Array(img.data.length);
  const a = (angleDeg * Math.PI) / 180;
  const [c, s] = [Math.cos(a), Math.sin(a)];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const u = x * c + y * s;
      const v = -x * s + y * c;
      const grid = 0.5 + 0.25 * (Math.cos((2 * Math.PI * u) / pitch) + Math.cos((2 * Math.PI * v) / pitch));
      const i = y * img.width + x;
      data[i] = Math.max(0, Math.min(255, Math.round((30 + img.data[i]! * 0.85) * (1 - depth * grid))));
    }
  }
  return { ...img, data };
}

/** A fingertip over a corner of the picture: a dark, soft-edged ellipse. */
export function finger(img: Grey, cx: number, cy: number, rx: number, ry: number): Grey {
  const data = Uint8Array.from(img.data);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
      if (d >= 1.15) continue;
      const skin = 95 + 25 * (1 - Math.min(1, d));
      const t = d < 1 ? 1 : (1.15 - d) / 0.15;
      const i = y * img.width + x;
      data[i] = Math.round(data[i]! * (1 - t) + skin * t);
    }
  }
  return { ...img, data };
}

/** Left and right swapped: a selfie camera that mirrors its picture. */
export function mirror(img: Grey): Grey {
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++) {
    const row = y * img.width;
    for (let x = 0; x < img.width; x++) data[row + x] = img.data[row + img.width - 1 - x]!;
  }
  return { ...img, data };
}
