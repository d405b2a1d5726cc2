import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecoder } from '../../../hal/image/image-decoder.js';
import { PICTURE_CASES, buildPictureSet, sampleQrText } from '../../../sim/scenarios/pictures/picture-set.js';
import { renderQr } from '../../../sim/scenarios/pictures/qr-render.js';
import { toSharp } from '../../../sim/scenarios/pictures/distortions.js';

const TEXT = sampleQrText();
let dir: string;
let files: Map<string, string>;
const fetches: string[] = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  // The decoder must never reach for a CDN: any fetch is recorded and refused.
  globalThis.fetch = (async (input: unknown) => {
    fetches.push(String(input));
    throw new Error('network access refused in this test');
  }) as typeof fetch;
  dir = mkdtempSync(join(tmpdir(), 'roadscan-pictures-'));
  files = new Map();
  for (const { kase, file } of await buildPictureSet(TEXT)) {
    const path = join(dir, `${kase.name}.${kase.format}`);
    writeFileSync(path, file);
    files.set(kase.name, path);
  }
}, 120_000);

afterAll(() => {
  globalThis.fetch = realFetch;
  rmSync(dir, { recursive: true, force: true });
});

describe('ImageDecoder over the generated and distorted picture set', () => {
  const decoder = new ImageDecoder();

  for (const kase of PICTURE_CASES.filter((c) => c.hasCode && c.readable !== false)) {
    it(`finds the code: ${kase.name} (${kase.what})`, async () => {
      const res = await decoder.decodeFile(files.get(kase.name)!);
      expect(res.error).toBeUndefined();
      expect(res.decoded).toBe(true);
      expect(res.text).toBe(TEXT);
    });
  }

  it('says there is no code in a picture without one', async () => {
    const res = await decoder.decodeFile(files.get('no-code')!);
    expect(res).toMatchObject({ decoded: false, text: null, pass: null, width: 1280, height: 720 });
    expect(res.error).toBeUndefined();
  });

  it('with the jsQR fallback on, still invents no code', async () => {
    const res = await new ImageDecoder({ jsqrFallback: true }).decodeFile(files.get('no-code')!);
    expect(res).toMatchObject({ decoded: false, text: null, pass: null });
  });

  it('honours the EXIF orientation (the picture comes out upright)', async () => {
    const res = await decoder.decodeFile(files.get('exif-orientation')!);
    expect([res.width, res.height]).toEqual([1000, 700]);
  });

  it('needs the smoothing pass for a noisy camera frame', async () => {
    const res = await decoder.decodeFile(files.get('camera-720p-b')!);
    expect(res).toMatchObject({ decoded: true, pass: 'zxing-blur' });
  });

  it('loaded ZXing from node_modules, without any network access', () => {
    expect(fetches).toEqual([]);
  });
});

describe('ImageDecoder refuses hostile files with a reason', () => {
  it('bytes that are not a picture', async () => {
    const res = await new ImageDecoder().decodeBuffer(Buffer.from('RS1:not a picture at all'));
    expect(res).toMatchObject({ decoded: false, error: 'not a PNG, JPEG or WebP picture' });
  });

  it('a picture format outside PNG, JPEG and WebP', async () => {
    const gif = await toSharp(await renderQr(TEXT, 2))
      .gif()
      .toBuffer();
    expect(await new ImageDecoder().decodeBuffer(gif)).toMatchObject({ decoded: false, error: 'not a PNG, JPEG or WebP picture' });
  });

  it('a truncated file', async () => {
    const png = await toSharp(await renderQr(TEXT, 4))
      .png()
      .toBuffer();
    const res = await new ImageDecoder().decodeBuffer(png.subarray(0, png.length / 2));
    expect(res.decoded).toBe(false);
    expect(res.error).toMatch(/^unreadable picture/);
  });

  it('a picture above the pixel limit (decompression bomb guard)', async () => {
    const png = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const res = await new ImageDecoder({ maxInputPixels: 4_000_000 }).decodeBuffer(png);
    expect(res).toMatchObject({ decoded: false, error: 'picture larger than 4 megapixels' });
  });

  it('a file above the size limit, and a missing file', async () => {
    const d = new ImageDecoder({ maxBytes: 1024 * 1024 });
    const big = join(tmpdir(), `roadscan-big-${process.pid}.png`);
    writeFileSync(big, Buffer.alloc(2 * 1024 * 1024));
    try {
      expect(await d.decodeFile(big)).toMatchObject({ decoded: false, error: 'file larger than 1 MiB' });
    } finally {
      rmSync(big);
    }
    expect(await d.decodeFile(join(tmpdir(), 'roadscan-no-such-file.png'))).toMatchObject({ decoded: false, error: 'cannot read (ENOENT)' });
  });
});
