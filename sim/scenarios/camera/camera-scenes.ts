/**
 * What a camera at a window or a roadside unit films, as frames: an empty counter, a printout
 * slid into view, a code held out of focus and tilted, a code under a lamp's glare with sensor
 * noise, a phone screen held up at an angle (moiré from its pixel grid). Each shot says which
 * code it shows, so tests know the scans to expect: one per shot with a code, none for the
 * empty ones. Seeded, so the same frames on every run.
 * @module
 */
import { addNoise, background, fromSharp, glare, moire, paste, perspective, rotate, toSharp } from '../pictures/distortions.js';
import { renderQr, type Grey } from '../pictures/qr-render.js';

export type ShotKind = 'empty' | 'slide-in' | 'blurred-tilted' | 'glare-noise' | 'phone-angle' | 'still';

export interface Shot {
  kind: ShotKind;
  /** The code shown, or null for a shot without one. */
  text: string | null;
  frames: number;
}

export interface SceneSize {
  width: number;
  height: number;
}

/** A phone held up: dark body, lit screen with the code, the pixel grid's moiré, seen at an angle. */
async function phone(qr: Grey): Promise<Grey> {
  const [w, h] = [qr.width + 40, Math.round(qr.width * 1.9)];
  let body: Grey = { data: new Uint8Array(w * h).fill(25), width: w, height: h };
  const screen: Grey = { data: new Uint8Array((w - 16) * (h - 40)).fill(235), width: w - 16, height: h - 40 };
  body = paste(body, screen, 8, 20);
  body = paste(body, qr, 20, Math.round((h - qr.height) / 2.4), 20, 240);
  body = moire(body, 3.1, 0.18, 9);
  const k = 0.16;
  return perspective(
    body,
    [
      [w * k, 0],
      [w, h * 0.06],
      [w * (1 - k * 0.3), h],
      [0, h * 0.94],
    ],
    w,
    h,
    0,
  );
}

/**
 * Sensor noise for a frame: one of a few pre-drawn gaussian fields (drawing one per frame costs
 * more than everything else in the frame), at a frame-dependent offset so frames differ.
 */
class NoiseBank {
  private readonly fields = new Map<number, Int8Array[]>();
  constructor(
    private readonly size: SceneSize,
    private readonly seed: number,
  ) {}

  add(img: Grey, sigma: number, frame: number): Grey {
    let set = this.fields.get(sigma);
    if (!set) {
      const n = this.size.width * this.size.height;
      set = [0, 1, 2].map((k) => {
        const zero: Grey = { data: new Uint8Array(n).fill(128), width: this.size.width, height: this.size.height };
        return Int8Array.from(addNoise(zero, sigma, this.seed * 7 + k).data, (v) => v - 128);
      });
      this.fields.set(sigma, set);
    }
    const field = set[frame % set.length]!;
    const shift = (frame * 7919) % field.length;
    const data = new Uint8Array(img.data.length);
    for (let i = 0; i < data.length; i++) {
      const v = img.data[i]! + field[(i + shift) % field.length]!;
      data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    return { ...img, data };
  }
}

/** Frames of one shot over a fixed scene background. */
async function* shotFrames(shot: Shot, size: SceneSize, scene: Grey, seed: number, noise: NoiseBank, whole?: (string | null)[]): AsyncGenerator<Grey> {
  const { width: W, height: H } = size;
  const modulePx = Math.max(2, Math.floor(Math.min(W, H) / 130));
  const qr = shot.text ? await renderQr(shot.text, modulePx) : null;
  let subject: Grey | null = null;
  if (qr && shot.kind === 'blurred-tilted') {
    const t = await rotate(qr, 14, 255);
    const s = t.width;
    subject = await fromSharp(
      toSharp(
        perspective(
          t,
          [
            [s * 0.06, 0],
            [s, s * 0.05],
            [s * 0.97, s],
            [0, s * 0.93],
          ],
          s,
          s,
        ),
      ).blur(1.4),
    );
  } else if (qr && shot.kind === 'phone-angle') {
    subject = await phone(await renderQr(shot.text!, Math.max(2, modulePx - 1)));
  } else {
    subject = qr;
  }
  for (let i = 0; i < shot.frames; i++) {
    let frame = scene;
    if (subject) {
      const cx = Math.round((W - subject.width) / 2);
      const cy = Math.round((H - subject.height) / 2);
      let x = cx + Math.round(Math.sin(i * 1.7 + seed) * 3);
      const y = cy + Math.round(Math.cos(i * 1.3 + seed) * 3);
      // Slides in from the left edge over the first half of the shot, then stays whole.
      if (shot.kind === 'slide-in') x = Math.round(-subject.width + (cx + subject.width) * Math.min(1, i / Math.max(1, shot.frames / 2)));
      const dark = shot.kind === 'phone-angle' ? 0 : 40;
      const light = shot.kind === 'phone-angle' ? 255 : 215;
      frame = paste(frame, subject, x, y, dark, light);
      whole?.push(x >= 0 && y >= 0 && x + subject.width <= W && y + subject.height <= H ? shot.text : null);
    } else {
      whole?.push(null);
    }
    if (shot.kind === 'glare-noise' && subject) frame = glare(frame, W * 0.46, H * 0.4, Math.min(W, H) * 0.22, 0.7);
    frame = noise.add(frame, shot.kind === 'glare-noise' ? 14 : 4, seed * 100 + i);
    yield frame;
  }
}

/**
 * All frames of `shots`, in order, at `size`. `whole`, when given, receives one entry per frame:
 * the text of the code entirely in view in it, or null.
 */
export async function* sceneFrames(shots: readonly Shot[], size: SceneSize, seed = 1, whole?: (string | null)[]): AsyncGenerator<Grey> {
  const scene = background(size.width, size.height, seed, 110, 190);
  const noise = new NoiseBank(size, seed);
  let n = 0;
  for (const shot of shots) yield* shotFrames(shot, size, scene, seed + n++, noise, whole);
}

/** The test clip: every kind of shot with a code, an empty counter between them. */
export function standardShots(codes: readonly [string, string, string, string], framesPerShot = 6, emptyFrames = 4): Shot[] {
  const kinds: ShotKind[] = ['slide-in', 'blurred-tilted', 'glare-noise', 'phone-angle'];
  const shots: Shot[] = [{ kind: 'empty', text: null, frames: emptyFrames }];
  kinds.forEach((kind, i) => {
    shots.push({ kind, text: codes[i]!, frames: kind === 'slide-in' ? framesPerShot + 4 : framesPerShot });
    shots.push({ kind: 'empty', text: null, frames: emptyFrames });
  });
  return shots;
}

/** Each frame of `frames` repeated `times` times: a 30 fps clip at a fraction of the rendering cost, as a camera sees a counter. */
export async function* heldFrames(frames: AsyncIterable<Grey>, times: number): AsyncGenerator<Grey> {
  for await (const f of frames) for (let k = 0; k < times; k++) yield f;
}
