/**
 * The one projective map of the tree (hal/image/homography.ts): the decoder's dewarp and the
 * simulator's perspective distortion both stand on it, so it is checked here against maps known
 * in closed form, and refuses corners that do not span a quadrilateral.
 */
import { describe, expect, it } from 'vitest';
import { homography, project, type Point } from '../../../hal/image/homography.js';
import { perspective } from '../../../sim/scenarios/pictures/distortions.js';

const square: Point[] = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];

describe('homography', () => {
  it('is a scale and shift when the quadrilateral is an axis-aligned rectangle', () => {
    const to: Point[] = square.map(([x, y]) => [3 * x + 5, 2 * y - 7]);
    const m = homography(square, to)!;
    expect(m.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([3, 0, 5, 0, 2, -7, 0, 0, 1]);
    expect(project(m, 4, 6)).toEqual([17, 5]);
  });

  it('maps each of four corners of a true perspective onto its pair, and the centre onto the crossing of the diagonals', () => {
    const to: Point[] = [
      [12, 8],
      [95, 20],
      [80, 90],
      [5, 70],
    ];
    const m = homography(square, to)!;
    for (let i = 0; i < 4; i++) {
      const [u, v] = project(m, ...square[i]!);
      expect(u).toBeCloseTo(to[i]![0], 9);
      expect(v).toBeCloseTo(to[i]![1], 9);
    }
    // A projective map keeps lines: the centre goes where the two diagonals of the image cross.
    const [p, q, r, s] = to as [Point, Point, Point, Point];
    const t = ((s[0] - p[0]) * (s[1] - q[1]) - (s[1] - p[1]) * (s[0] - q[0])) / ((r[0] - p[0]) * (s[1] - q[1]) - (r[1] - p[1]) * (s[0] - q[0]));
    const [cx, cy] = project(m, 5, 5);
    expect(cx).toBeCloseTo(p[0] + t * (r[0] - p[0]), 9);
    expect(cy).toBeCloseTo(p[1] + t * (r[1] - p[1]), 9);
  });

  it('is null for corners on one line, and the distortion built on it says so', () => {
    const line: Point[] = [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ];
    expect(homography(line, square)).toBeNull();
    expect(() => perspective({ data: new Uint8Array(4), width: 2, height: 2 }, line, 4, 4)).toThrow(/quadrilateral/);
  });
});
