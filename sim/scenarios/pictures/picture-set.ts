/**
 * The picture set for `decode-image` tests and the image benchmark: the same QR text shown the
 * ways it reaches a checker (a clean export, a phone screenshot, a photo of a screen or a
 * printout, a 12 MP phone photo with the code small in a corner, camera frames...) and spoiled the
 * ways pictures get spoiled. Every picture is built from seeded randomness: the same set on
 * every run and every machine.
 * @module
 */
import { base45Encode } from '../../../firmware-ts/codec/base45.js';
import {
  addNoise,
  background,
  curl,
  finger,
  fold,
  fromSharp,
  glare,
  mirror,
  moire,
  paste,
  perspective,
  rotate,
  seededRandom,
  toSharp,
  watermark,
  wave,
} from './distortions.js';
import { renderQr, type Grey } from './qr-render.js';

export type PictureFormat = 'png' | 'jpeg' | 'webp';

export interface PictureCase {
  name: string;
  /** What the picture stands for, in a few words. */
  what: string;
  format: PictureFormat;
  /** False for a picture with no code in it: decoders must say so, not invent one. */
  hasCode: boolean;
  /**
   * False for a picture with a code that roadscan's decoder is known not to read yet (measured
   * in the bench, beside zbarimg); the tests hold the decoder to every other one.
   */
  readable?: false;
  /** Builds the encoded file. */
  build(text: string): Promise<Buffer>;
}

/** A text the size of a live registration code (about 580 characters), the same on every run. */
export function sampleQrText(seed = 7, bytes = 384): string {
  const rand = seededRandom(seed);
  return `RS1:${base45Encode(Uint8Array.from({ length: bytes }, () => Math.floor(rand() * 256)))}`;
}

function encode(img: Grey, format: PictureFormat, quality = 90, orientation?: number): Promise<Buffer> {
  let p = toSharp(img);
  if (orientation) p = p.withMetadata({ orientation });
  if (format === 'png') return p.png().toBuffer();
  if (format === 'webp') return p.webp({ quality }).toBuffer();
  return p.jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
}

function invert(img: Grey): Grey {
  return { ...img, data: img.data.map((v) => 255 - v) };
}

/** A phone screenshot: status bar, header, the code in a card, text lines below. */
async function screenshot(text: string, dark = false): Promise<Grey> {
  const [w, h] = [1170, 2532];
  let scene: Grey = { data: new Uint8Array(w * h).fill(242), width: w, height: h };
  const bar = (y: number, height: number, x: number, width: number, v: number) =>
    (scene = paste(scene, { data: new Uint8Array(width * height).fill(v), width, height }, x, y));
  bar(0, 140, 0, w, 250);
  bar(180, 120, 60, w - 120, 60);
  bar(420, 1300, 90, w - 180, 255);
  for (let i = 0; i < 6; i++) bar(1800 + i * 90, 40, 120, 500 + ((i * 173) % 400), 150);
  const qr = await renderQr(text, 10);
  scene = paste(scene, qr, Math.round((w - qr.width) / 2), 470);
  return dark ? invert(scene) : scene;
}

/** A 12 MP phone photo (4000 x 3000) of a printout on a desk, the code small in a corner. */
async function photo12mp(text: string): Promise<Grey> {
  const qr = await renderQr(text, 3);
  const tilted = await rotate(qr, 7);
  const paper = paste(background(tilted.width + 160, tilted.height + 160, 11, 225, 240), tilted, 80, 80, 35, 225);
  let scene = background(4000, 3000, 12, 90, 160);
  scene = paste(scene, paper, 4000 - paper.width - 140, 3000 - paper.height - 120);
  scene = await fromSharp(toSharp(scene).blur(0.9));
  return addNoise(scene, 5, 13);
}

/** A 1280 x 720 camera frame of a printed code: grey print, sensor noise, soft focus. */
async function cameraFrame(text: string, seed: number, noise: number): Promise<Grey> {
  const rand = seededRandom(seed);
  const qr = await renderQr(text, 4);
  const angle = Math.round(rand() * 40 - 20);
  const tilted = await rotate(qr, angle, 255);
  let scene = background(1280, 720, seed, 120, 200);
  const x = Math.round(rand() * (1280 - tilted.width));
  const y = Math.round(rand() * (720 - tilted.height));
  scene = paste(scene, tilted, Math.max(0, x), Math.max(0, y), 45, 210);
  scene = await fromSharp(toSharp(scene).blur(0.7));
  return addNoise(scene, noise, seed + 1);
}

async function onScene(text: string, modulePx: number, width: number, height: number, seed: number): Promise<Grey> {
  const qr = await renderQr(text, modulePx);
  const scene = background(width, height, seed);
  return paste(scene, qr, Math.round((width - qr.width) / 2), Math.round((height - qr.height) / 2));
}

/** A printout on a desk: the code in grey ink on paper, a margin of paper, the desk around. */
function onPaper(code: Grey, seed: number, pad = 60): Grey {
  const paper = background(code.width + 2 * pad, code.height + 2 * pad, seed, 200, 235);
  return paste(paper, code, pad, pad, 35, 225);
}

/**
 * A printout deformed in the hand (`deform` gets the code at 5 px a module), on paper seeded with
 * `seed`, sensor noise seeded with `seed + 1`, as a JPEG of quality 85.
 */
function bentPrintout(deform: (code: Grey) => Grey, seed: number): (text: string) => Promise<Buffer> {
  return async (text) => encode(addNoise(onPaper(deform(await renderQr(text, 5)), seed), 4, seed + 1), 'jpeg', 85);
}

/** What hands and phones do to a code: bends, folds, curls, a filmed screen, glare, a finger, a mirror. */
const HANDHELD_CASES: readonly PictureCase[] = [
  {
    name: 'bent-gentle',
    what: 'printout bent in the hand: gentle wave (1.2 modules, one period per code)',
    format: 'jpeg',
    hasCode: true,
    build: bentPrintout((q) => wave(q, 6, q.width * 0.9), 81),
  },
  {
    name: 'bent-wave',
    what: 'printout bent in the hand: wave of 1.6 modules, 2 periods across the code',
    format: 'jpeg',
    hasCode: true,
    build: bentPrintout((q) => wave(q, 8, q.width * 0.5), 83),
  },
  {
    name: 'bent-deep',
    what: 'printout bent in the hand: wave of 2.4 modules, one period across the code',
    format: 'jpeg',
    hasCode: true,
    build: bentPrintout((q) => wave(q, 12, q.width), 96),
  },
  {
    name: 'bent-strong',
    what: 'printout bent in the hand: wave of 2 modules, 1.4 periods across the code',
    format: 'jpeg',
    hasCode: true,
    readable: false,
    build: bentPrintout((q) => wave(q, 10, q.width * 0.7), 98),
  },
  {
    name: 'folded-40',
    what: 'folded in two, one half turned 40 degrees away',
    format: 'jpeg',
    hasCode: true,
    build: bentPrintout((q) => fold(q, Math.round(q.width * 0.55), 40), 85),
  },
  {
    name: 'folded-55',
    what: 'folded in two, one half turned 55 degrees away',
    format: 'jpeg',
    hasCode: true,
    readable: false,
    build: bentPrintout((q) => fold(q, Math.round(q.width * 0.5), 55), 87),
  },
  {
    name: 'curled',
    what: 'page curling away from the camera at its right edge',
    format: 'jpeg',
    hasCode: true,
    readable: false,
    build: bentPrintout((q) => curl(q, Math.round(q.width * 0.55), q.width * 0.4), 89),
  },
  {
    name: 'screen-moire',
    what: 'phone screen filmed by a camera: moiré bands',
    format: 'jpeg',
    hasCode: true,
    build: async (t) => encode(moire(onPaper(await renderQr(t, 5), 91)), 'jpeg', 80),
  },
  {
    name: 'glare',
    what: 'a lamp reflected on a glossy printout',
    format: 'jpeg',
    hasCode: true,
    build: async (t) => {
      const p = onPaper(await renderQr(t, 5), 92);
      return encode(glare(p, p.width * 0.4, p.height * 0.45, p.width * 0.3, 0.85), 'jpeg', 85);
    },
  },
  {
    name: 'finger-corner',
    what: 'a finger over a corner of the code (no finder pattern there)',
    format: 'jpeg',
    hasCode: true,
    build: async (t) => {
      const p = onPaper(await renderQr(t, 5), 93);
      return encode(finger(p, p.width * 0.9, p.height * 0.92, p.width * 0.2, p.height * 0.16), 'jpeg', 85);
    },
  },
  {
    name: 'mirrored-selfie',
    what: 'mirrored by a selfie camera',
    format: 'jpeg',
    hasCode: true,
    build: async (t) => encode(mirror(addNoise(onPaper(await renderQr(t, 5), 94), 6, 95)), 'jpeg', 85),
  },
];

export const PICTURE_CASES: readonly PictureCase[] = [
  { name: 'clean', what: 'clean export, PNG', format: 'png', hasCode: true, build: async (t) => encode(await renderQr(t, 6), 'png') },
  { name: 'screenshot', what: 'phone screenshot, PNG', format: 'png', hasCode: true, build: async (t) => encode(await screenshot(t), 'png') },
  { name: 'screenshot-dark', what: 'dark-mode screenshot (inverted), PNG', format: 'png', hasCode: true, build: async (t) => encode(await screenshot(t, true), 'png') },
  { name: 'screenshot-webp', what: 'screenshot shared as WebP', format: 'webp', hasCode: true, build: async (t) => encode(await screenshot(t), 'webp', 75) },
  {
    name: 'rotated-15',
    what: 'rotated 15 degrees',
    format: 'png',
    hasCode: true,
    build: async (t) => encode(await rotate(await onScene(t, 5, 900, 900, 21), 15), 'png'),
  },
  {
    name: 'rotated-45',
    what: 'rotated 45 degrees',
    format: 'png',
    hasCode: true,
    build: async (t) => encode(await rotate(await onScene(t, 5, 900, 900, 22), 45), 'png'),
  },
  {
    name: 'exif-orientation',
    what: 'JPEG stored sideways with EXIF orientation 6',
    format: 'jpeg',
    hasCode: true,
    build: async (t) => encode(await rotate(await onScene(t, 5, 1000, 700, 23), 270), 'jpeg', 90, 6),
  },
  {
    name: 'perspective',
    what: 'seen at an angle (perspective)',
    format: 'png',
    hasCode: true,
    build: async (t) => {
      const qr = await renderQr(t, 6);
      const warped = perspective(
        qr,
        [
          [140, 90],
          [760, 160],
          [700, 720],
          [110, 640],
        ],
        900,
        820,
      );
      return encode(warped, 'png');
    },
  },
  {
    name: 'blur-2',
    what: 'out of focus (gaussian sigma 2)',
    format: 'png',
    hasCode: true,
    build: async (t) => encode(await fromSharp(toSharp(await renderQr(t, 6)).blur(2)), 'png'),
  },
  {
    name: 'blur-3',
    what: 'badly out of focus (sigma 3)',
    format: 'png',
    hasCode: true,
    build: async (t) => encode(await fromSharp(toSharp(await renderQr(t, 6)).blur(3)), 'png'),
  },
  {
    name: 'noise-40',
    what: 'sensor noise (sigma 40 grey levels)',
    format: 'png',
    hasCode: true,
    build: async (t) => encode(addNoise(await renderQr(t, 5), 40, 31), 'png'),
  },
  { name: 'jpeg-q10', what: 'JPEG at quality 10', format: 'jpeg', hasCode: true, build: async (t) => encode(await renderQr(t, 4), 'jpeg', 10) },
  {
    name: 'low-contrast',
    what: 'washed out: grey 105 on grey 150',
    format: 'png',
    hasCode: true,
    build: async (t) => encode(paste(background(700, 700, 41, 150, 150), await renderQr(t, 5), 10, 10, 105, 150), 'png'),
  },
  { name: 'inverted', what: 'light modules on dark', format: 'png', hasCode: true, build: async (t) => encode(invert(await renderQr(t, 6)), 'png') },
  {
    name: 'watermark',
    what: 'watermark across the code',
    format: 'png',
    hasCode: true,
    build: async (t) => encode(await watermark(await renderQr(t, 6), '仅供核验 ROADSCAN'), 'png'),
  },
  { name: 'photo-12mp', what: '12 MP photo, small code in a corner', format: 'jpeg', hasCode: true, build: async (t) => encode(await photo12mp(t), 'jpeg', 85) },
  { name: 'camera-720p-a', what: 'camera frame, noise 20', format: 'jpeg', hasCode: true, build: async (t) => encode(await cameraFrame(t, 51, 20), 'jpeg', 80) },
  { name: 'camera-720p-b', what: 'camera frame, noise 30', format: 'jpeg', hasCode: true, build: async (t) => encode(await cameraFrame(t, 52, 30), 'jpeg', 80) },
  { name: 'camera-720p-c', what: 'camera frame, noise 40', format: 'jpeg', hasCode: true, build: async (t) => encode(await cameraFrame(t, 53, 40), 'jpeg', 80) },
  {
    name: 'combined',
    what: 'rotated, at an angle, blurred, noisy, JPEG q30',
    format: 'jpeg',
    hasCode: true,
    build: async (t) => {
      const qr = await rotate(await renderQr(t, 6), 20);
      const warped = perspective(
        qr,
        [
          [120, 80],
          [880, 140],
          [820, 860],
          [90, 800],
        ],
        1000,
        950,
      );
      const soft = await fromSharp(toSharp(warped).blur(1.5));
      return encode(addNoise(soft, 15, 61), 'jpeg', 30);
    },
  },
  ...HANDHELD_CASES,
  {
    name: 'no-code',
    what: 'a photo with no code in it',
    format: 'jpeg',
    hasCode: false,
    build: async () => encode(addNoise(background(1280, 720, 71, 80, 200), 10, 72), 'jpeg', 80),
  },
];

/** Builds every picture once (a few seconds); `only` restricts to some names. */
export async function buildPictureSet(text: string, only?: readonly string[]): Promise<{ kase: PictureCase; file: Buffer }[]> {
  const out: { kase: PictureCase; file: Buffer }[] = [];
  for (const kase of PICTURE_CASES) {
    if (only && !only.includes(kase.name)) continue;
    out.push({ kase, file: await kase.build(text) });
  }
  return out;
}
