/**
 * A local-grid pass for codes on paper that is not flat (bent in the hand, folded, curling):
 * ZXing finds such a code (its corners and version) but the grid it samples through one
 * perspective drifts off the modules. Here the code is first rectified through its corners
 * into an upright grid of `S` pixels per module, then straightened from what every QR code
 * carries:
 *
 * 1. its top and bottom edges, column by column (the top and bottom module rows are dark at
 *    least every few modules: a running extreme over a few modules finds the edge), so a wave
 *    or a lift is undone by stretching each column between its two edges;
 * 2. the same for the left and right edges, row by row;
 * 3. the timing patterns (row 6 and column 6 alternate dark and light between the finders):
 *    their transitions give where each module boundary really is along x and along y, so a
 *    fold or a curl (modules foreshortened unevenly) is undone piecewise-linearly.
 *
 * Each step is skipped when what it reads does not look like a QR code (too few edge samples,
 * the wrong number of timing transitions); the result goes back to ZXing. Bounded work: a few
 * passes over a picture of at most (n + 8)² · S² pixels.
 * @module
 */
import type { GreyImage } from './grey-reader.js';
import { homography, project, type Point } from './homography.js';

const S = 6;
const MARGIN = 4;

function sample(img: GreyImage, x: number, y: number): number {
  if (x < 0 || y < 0 || x > img.width - 1 || y > img.height - 1) return 255;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, img.width - 1);
  const y1 = Math.min(y0 + 1, img.height - 1);
  const tx = x - x0;
  const ty = y - y0;
  const d = img.data;
  const w = img.width;
  const top = d[y0 * w + x0]! * (1 - tx) + d[y0 * w + x1]! * tx;
  const bottom = d[y1 * w + x0]! * (1 - tx) + d[y1 * w + x1]! * tx;
  return top * (1 - ty) + bottom * ty;
}

/** Otsu's threshold over the picture's histogram. */
function otsu(img: GreyImage): number {
  const hist = new Float64Array(256);
  for (const v of img.data) hist[v]!++;
  const total = img.data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

/** Running minimum (or maximum) over a window, NaN entries ignored; NaN where the window has none. */
function runningExtreme(v: Float64Array, half: number, max: boolean): Float64Array {
  const out = new Float64Array(v.length).fill(NaN);
  for (let i = 0; i < v.length; i++) {
    let e = NaN;
    for (let j = Math.max(0, i - half); j <= Math.min(v.length - 1, i + half); j++) {
      const x = v[j]!;
      if (Number.isNaN(x)) continue;
      if (Number.isNaN(e) || (max ? x > e : x < e)) e = x;
    }
    out[i] = e;
  }
  return out;
}

function smooth(v: Float64Array, half: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    let s = 0;
    let n = 0;
    for (let j = Math.max(0, i - half); j <= Math.min(v.length - 1, i + half); j++) {
      s += v[j]!;
      n++;
    }
    out[i] = s / n;
  }
  return out;
}

/** Fills NaN entries from their nearest known neighbours; false when too few are known. */
function fillGaps(v: Float64Array): boolean {
  const known = [...v.keys()].filter((i) => !Number.isNaN(v[i]!));
  if (known.length < v.length * 0.8) return false;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isNaN(v[i]!)) continue;
    const prev = known.filter((k) => k < i).pop();
    const next = known.find((k) => k > i);
    v[i] = prev === undefined ? v[next!]! : next === undefined ? v[prev]! : v[prev]! + ((v[next]! - v[prev]!) * (i - prev)) / (next - prev);
  }
  return true;
}

/**
 * Where the code's edge runs along one axis: for each line across the code (a column for the
 * top edge), the first dark pixel met coming from outside, within 3 modules of where it should be.
 */
function edge(img: GreyImage, thr: number, n: number, side: 'top' | 'bottom' | 'left' | 'right'): Float64Array | null {
  const lo = MARGIN * S;
  const hi = (MARGIN + n) * S;
  const len = hi - lo;
  const v = new Float64Array(len).fill(NaN);
  const at = (a: number, b: number) => (side === 'top' || side === 'bottom' ? img.data[b * img.width + a]! : img.data[a * img.width + b]!);
  const start = side === 'top' || side === 'left' ? lo - 3 * S : hi + 3 * S - 1;
  const step = side === 'top' || side === 'left' ? 1 : -1;
  for (let i = 0; i < len; i++) {
    for (let k = 0; k < 6 * S; k++) {
      const b = start + step * k;
      if (at(lo + i, b) < thr) {
        v[i] = step > 0 ? b : b + 1;
        break;
      }
    }
  }
  const e = runningExtreme(v, Math.round(2.5 * S), step < 0);
  if (!fillGaps(e)) return null;
  return smooth(e, S);
}

/** Stretches each column (or row) of the code so its two edges land where the grid says. */
function straighten(img: GreyImage, near: Float64Array, far: Float64Array, n: number, columns: boolean): GreyImage {
  const lo = MARGIN * S;
  const span = n * S;
  const out = new Uint8Array(img.data.length);
  const { width: w, height: h } = img;
  for (let b = 0; b < (columns ? h : w); b++) {
    for (let a = 0; a < (columns ? w : h); a++) {
      let src = b;
      if (a >= lo && a < lo + span) {
        const i = a - lo;
        src = near[i]! + ((b - lo) * (far[i]! - near[i]!)) / span;
      }
      const v = columns ? sample(img, a, src) : sample(img, src, a);
      out[columns ? b * w + a : a * w + b] = Math.round(v);
    }
  }
  return { data: out, width: w, height: h };
}

/**
 * Transitions along the timing pattern (row 6 when `alongX`, else column 6), as pixel
 * positions of the module boundaries 0, 7, 8, ..., n - 7, n; null when they do not add up.
 */
function timing(img: GreyImage, thr: number, n: number, alongX: boolean): number[] | null {
  const c = Math.round((MARGIN + 6.5) * S);
  const total = alongX ? img.width : img.height;
  const dark: boolean[] = [];
  for (let i = 0; i < total; i++) {
    let s = 0;
    for (let d = -1; d <= 1; d++) s += alongX ? img.data[(c + d) * img.width + i]! : img.data[i * img.width + c + d]!;
    dark.push(s / 3 < thr);
  }
  const lo = MARGIN * S - 2 * S;
  const hi = (MARGIN + n) * S + 2 * S;
  const edges: number[] = [];
  for (let i = Math.max(1, lo); i < Math.min(total, hi); i++) if (dark[i] !== dark[i - 1]) edges.push(i);
  // Runs shorter than a third of a module are noise: drop such pairs of edges.
  const clean: number[] = [];
  for (const e of edges) {
    if (clean.length > 0 && e - clean[clean.length - 1]! < S / 3) clean.pop();
    else clean.push(e);
  }
  return clean.length === n - 11 ? clean : null;
}

/** Boundaries found no more than 2.5 times closer or farther apart than the grid has them. */
function plausible(seen: number[], n: number): boolean {
  const ideal = boundaries(n);
  for (let i = 1; i < seen.length; i++) {
    const ratio = (seen[i]! - seen[i - 1]!) / ((ideal[i]! - ideal[i - 1]!) * S);
    if (!(ratio > 0.4 && ratio < 2.5)) return false;
  }
  return true;
}

function boundaries(n: number): number[] {
  const b = [0, 7];
  for (let k = 8; k <= n - 7; k++) b.push(k);
  b.push(n);
  return b;
}

/** Moves module boundaries found at `seen` to where the grid has them (piecewise linear). */
function regrid(img: GreyImage, seen: number[], n: number, alongX: boolean): GreyImage {
  const ideal = boundaries(n).map((k) => (MARGIN + k) * S);
  const { width: w, height: h } = img;
  const total = alongX ? w : h;
  const map = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    let j = 0;
    while (j < ideal.length - 2 && i > ideal[j + 1]!) j++;
    const t = (i - ideal[j]!) / (ideal[j + 1]! - ideal[j]!);
    map[i] = seen[j]! + t * (seen[j + 1]! - seen[j]!);
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = Math.round(alongX ? sample(img, map[x]!, y) : sample(img, x, map[y]!));
  return { data: out, width: w, height: h };
}

/**
 * The code at `corners` (top-left, top-right, bottom-right, bottom-left, as ZXing reports
 * them), of QR version `version`, rectified and straightened; null when it cannot be.
 */
export function dewarpQr(img: GreyImage, corners: readonly Point[], version: number): GreyImage | null {
  if (!Number.isInteger(version) || version < 1 || version > 40) return null;
  const n = 17 + 4 * version;
  const side = (n + 2 * MARGIN) * S;
  const toSource = homography(
    [
      [0, 0],
      [n, 0],
      [n, n],
      [0, n],
    ],
    corners,
  );
  if (!toSource) return null;
  const data = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const [sx, sy] = project(toSource, (x + 0.5) / S - MARGIN, (y + 0.5) / S - MARGIN);
      data[y * side + x] = Math.round(sample(img, sx, sy));
    }
  }
  let r: GreyImage = { data, width: side, height: side };
  const thr = otsu(r);
  const top = edge(r, thr, n, 'top');
  const bottom = edge(r, thr, n, 'bottom');
  if (top && bottom) r = straighten(r, top, bottom, n, true);
  const left = edge(r, thr, n, 'left');
  const right = edge(r, thr, n, 'right');
  if (left && right) r = straighten(r, left, right, n, false);
  const tx = timing(r, thr, n, true);
  if (tx && plausible(tx, n)) r = regrid(r, tx, n, true);
  const ty = timing(r, thr, n, false);
  if (ty && plausible(ty, n)) r = regrid(r, ty, n, false);
  return r;
}
