/**
 * Finding the QR code in a picture: a downloaded registration image, a screenshot, a phone photo
 * of a screen or a printout, a camera frame.
 *
 * sharp decodes the file (PNG, JPEG, WebP), turns it upright from its EXIF orientation and
 * refuses decompression bombs. ZXing-C++ (zxing-wasm, loaded from node_modules) does the
 * finding: it decodes more of the picture set than jsQR and zbarimg, in a few milliseconds
 * where jsQR takes up to seconds (scripts/bench/bench-hal.ts). Noisy camera frames defeat every
 * decoder until smoothed, so a second pass reads a slightly blurred copy and a third a
 * half-size copy (averaging is a denoiser too). A code on paper that is not flat (bent in the
 * hand, a wave across it) is located by ZXing but misread: a fourth pass takes the codes ZXing
 * located and failed, rectifies and straightens each from its edges and timing patterns
 * (dewarp.ts) and reads it again; on a picture without a code ZXing locates nothing, so the
 * pass costs one extra search there (its budget is measured in scripts/bench/bench-hal.ts). jsQR on a small blurred copy can be enabled as a
 * last resort (`image.jsqrFallback`); on the picture set it found nothing the ZXing passes
 * missed and only slowed down pictures without a code, so it is off by default.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import jsqrModule from 'jsqr';
import sharp from 'sharp';
import { dewarpQr } from './dewarp.js';
import { readQr, readQrOrCandidates, type GreyImage } from './grey-reader.js';
import { loadZxingReader, ZXING_ONE_QR_FULL_EFFORT } from './zxing-loader.js';
import { oneLine } from '../../firmware-ts/core/text-safety.js';

export interface ImageDecoderOptions {
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** Largest picture accepted, in pixels (guards against decompression bombs). */
  maxInputPixels: number;
  /** Pictures are read at most this many pixels on their long side (larger ones are shrunk). */
  maxSide: number;
  /** Try jsQR when every ZXing pass failed (off by default: it found nothing more in the bench). */
  jsqrFallback: boolean;
}

export const DEFAULT_IMAGE_OPTIONS: ImageDecoderOptions = {
  maxBytes: 32 * 1024 * 1024,
  maxInputPixels: 100_000_000,
  maxSide: 4096,
  jsqrFallback: false,
};

/** Which pass found the code. */
export type DecodePass = 'zxing' | 'zxing-blur' | 'zxing-half' | 'zxing-dewarp' | 'jsqr';

export interface ImageDecodeResult {
  decoded: boolean;
  /** The code's text, or null. */
  text: string | null;
  pass: DecodePass | null;
  /** Time spent, file reading included, in milliseconds. */
  ms: number;
  /** Upright size of the picture, when it could be read. */
  width: number | null;
  height: number | null;
  /** Why the picture could not be read at all (not why no code was found). */
  error?: string;
}

interface Rgba {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

const JSQR_SIDE = 1024;
// jsqr is CommonJS whose export also carries itself as `.default`; this reads the same under
// Node's ESM loader, vitest and TypeScript's NodeNext view of it.
const jsQR = jsqrModule.default;
const FORMATS = new Set(['png', 'jpeg', 'webp']);

function describeSharpError(err: unknown, opts: ImageDecoderOptions): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/unsupported image format/i.test(msg)) return 'not a PNG, JPEG or WebP picture';
  if (/pixel limit/i.test(msg)) return `picture larger than ${Math.round(opts.maxInputPixels / 1e6)} megapixels`;
  return `unreadable picture (${oneLine(msg, 120)})`;
}

async function toRgba(pipeline: sharp.Sharp): Promise<Rgba> {
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

function fromRgba(img: Rgba): sharp.Sharp {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 4 },
  });
}

/** Grey levels as ZXing computes them from RGB (so a pass on grey sees what the RGBA passes saw). */
function luminance(img: Rgba): GreyImage {
  const n = img.width * img.height;
  const data = new Uint8Array(n);
  const d = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 4) data[i] = (306 * d[j]! + 601 * d[j + 1]! + 117 * d[j + 2]! + 512) >> 10;
  return { data, width: img.width, height: img.height };
}

/** The local-grid pass: codes ZXing located but could not read, straightened and read again. */
export async function dewarped(grey: GreyImage): Promise<string | null> {
  const { hit, candidates } = await readQrOrCandidates(grey, { tryHarder: true, tryRotate: false, tryInvert: true, tryDownscale: true }, true);
  if (hit) return hit.text;
  for (const c of candidates) {
    const straight = dewarpQr(grey, c.corners, c.version);
    if (!straight) continue;
    const again = await readQr(straight, { tryHarder: true, tryRotate: false, tryInvert: false, tryDownscale: false });
    if (again) return again.text;
  }
  return null;
}

export class ImageDecoder {
  private readonly opts: ImageDecoderOptions;

  constructor(opts: Partial<ImageDecoderOptions> = {}) {
    this.opts = { ...DEFAULT_IMAGE_OPTIONS, ...opts };
  }

  /** Loads the decoder's WebAssembly ahead of the first picture. */
  async warmUp(): Promise<void> {
    await loadZxingReader();
  }

  async decodeFile(file: string): Promise<ImageDecodeResult> {
    const t0 = performance.now();
    let bytes: Buffer;
    try {
      const st = await stat(file);
      if (!st.isFile()) return this.failure(t0, 'not a file');
      if (st.size > this.opts.maxBytes) return this.failure(t0, `file larger than ${Math.round(this.opts.maxBytes / 1048576)} MiB`);
      bytes = await readFile(file);
    } catch (err) {
      return this.failure(t0, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return this.decode(bytes, t0);
  }

  async decodeBuffer(bytes: Uint8Array): Promise<ImageDecodeResult> {
    return this.decode(bytes, performance.now());
  }

  private async decode(bytes: Uint8Array, t0: number): Promise<ImageDecodeResult> {
    if (bytes.length > this.opts.maxBytes) return this.failure(t0, `file larger than ${Math.round(this.opts.maxBytes / 1048576)} MiB`);
    let img: Rgba;
    try {
      const input = sharp(bytes, { limitInputPixels: this.opts.maxInputPixels });
      const meta = await input.metadata();
      if (!meta.format || !FORMATS.has(meta.format)) return this.failure(t0, 'not a PNG, JPEG or WebP picture');
      img = await toRgba(input.rotate().resize({ width: this.opts.maxSide, height: this.opts.maxSide, fit: 'inside', withoutEnlargement: true }));
    } catch (err) {
      return this.failure(t0, describeSharpError(err, this.opts));
    }
    const found = await this.findCode(img);
    return {
      decoded: found !== null,
      text: found?.text ?? null,
      pass: found?.pass ?? null,
      ms: performance.now() - t0,
      width: img.width,
      height: img.height,
    };
  }

  private async findCode(img: Rgba): Promise<{ text: string; pass: DecodePass } | null> {
    const zxing = await loadZxingReader();
    type ZxingInput = Parameters<typeof zxing.readBarcodes>[0];
    const read = async (candidate: Rgba): Promise<string | null> => {
      const results = await zxing.readBarcodes(
        { data: candidate.data, width: candidate.width, height: candidate.height, colorSpace: 'srgb' } as unknown as ZxingInput,
        ZXING_ONE_QR_FULL_EFFORT,
      );
      const hit = results.find((r) => r.isValid && r.text !== '');
      return hit ? hit.text : null;
    };
    let text = await read(img);
    if (text !== null) return { text, pass: 'zxing' };
    text = await read(await toRgba(fromRgba(img).blur(1.2)));
    if (text !== null) return { text, pass: 'zxing-blur' };
    if (img.width >= 200 && img.height >= 200) {
      const half = await toRgba(fromRgba(img).resize({ width: Math.round(img.width / 2), kernel: 'linear' }));
      text = await read(half);
      if (text !== null) return { text, pass: 'zxing-half' };
    }
    text = await dewarped(luminance(img));
    if (text !== null) return { text, pass: 'zxing-dewarp' };
    if (!this.opts.jsqrFallback) return null;
    const small = await toRgba(fromRgba(img).resize({ width: JSQR_SIDE, height: JSQR_SIDE, fit: 'inside', withoutEnlargement: true }).blur(1));
    const hit = jsQR(small.data, small.width, small.height, { inversionAttempts: 'attemptBoth' });
    return hit && hit.data !== '' ? { text: hit.data, pass: 'jsqr' } : null;
  }

  private failure(t0: number, error: string): ImageDecodeResult {
    return { decoded: false, text: null, pass: null, ms: performance.now() - t0, width: null, height: null, error };
  }
}
