/**
 * Which pictures of a folder camera may be played (issue 24). ffmpeg decodes a picture whole
 * before it scales it to the frame, so a 16000 x 16000 PNG (800 KB on disk) would take it
 * gigabytes; each picture is first checked against the caps `decode-image` applies (its file
 * size, 4096 px a side, 100 megapixels) from its header alone (sharp reads the header, not the
 * pixels). One within the caps is then decoded once by sharp into a thumbnail (streamed, a few
 * megabytes): a truncated or corrupt picture, on which ffmpeg would spin for minutes rather than
 * fail, is refused there. A picture refused, or one ffmpeg failed to decode, is remembered by its path, size
 * and modification time: it is not read again on every restart of the camera, only once it has
 * changed. Each refusal is told once (`onRefused`), with its reason.
 * @module
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_IMAGE_OPTIONS } from '../image/image-decoder.js';
import { oneLine } from '../../firmware-ts/core/text-safety.js';

export interface PictureCaps {
  maxBytes: number;
  maxSide: number;
  maxPixels: number;
}

/** The caps of `roadscan decode-image`, so a picture reads the same way on both paths. */
export const PICTURE_CAPS: PictureCaps = {
  maxBytes: DEFAULT_IMAGE_OPTIONS.maxBytes,
  maxSide: DEFAULT_IMAGE_OPTIONS.maxSide,
  maxPixels: DEFAULT_IMAGE_OPTIONS.maxInputPixels,
};

export interface PictureRefusal {
  file: string;
  /** File size, bytes. */
  bytes: number;
  /** One line: why the picture is not played. */
  reason: string;
}

/** Why a picture with this header may not be played, or null when it may. */
export function pictureRefusal(size: { bytes: number; width: number | undefined; height: number | undefined }, caps: PictureCaps = PICTURE_CAPS): string | null {
  if (size.bytes > caps.maxBytes) return `file larger than ${Math.round(caps.maxBytes / 1048576)} MiB`;
  const { width: w, height: h } = size;
  if (!w || !h) return 'no picture size in its header';
  if (w > caps.maxSide || h > caps.maxSide) return `${w} x ${h} px: more than ${caps.maxSide} px a side`;
  if (w * h > caps.maxPixels) return `${w} x ${h} px: more than ${Math.round(caps.maxPixels / 1e6)} megapixels`;
  return null;
}

const key = (file: string, bytes: number, mtimeMs: number) => `${bytes}:${mtimeMs}:${file}`;

export class PictureGate {
  /** Verdicts by path, size and modification time: null, playable; else the refusal. */
  private readonly known = new Map<string, PictureRefusal | null>();
  private readonly current = new Map<string, string>();

  constructor(
    private readonly onRefused: (r: PictureRefusal) => void,
    private readonly caps: PictureCaps = PICTURE_CAPS,
  ) {}

  /** The files that may be played, in order; each refused one is told once. */
  async admit(files: readonly string[]): Promise<{ playable: string[]; refused: PictureRefusal[] }> {
    const playable: string[] = [];
    const refused: PictureRefusal[] = [];
    this.current.clear();
    for (const file of files) {
      const verdict = await this.verdict(file);
      if (verdict) refused.push(verdict);
      else playable.push(file);
    }
    // Bounded: only the folder's files as they are now are remembered.
    const keep = new Set(this.current.values());
    for (const k of this.known.keys()) if (!keep.has(k)) this.known.delete(k);
    return { playable, refused };
  }

  /** ffmpeg failed on `file` (as the list was built last): refuse it until it changes. */
  failed(file: string, why: string): void {
    const k = this.current.get(file);
    if (k === undefined || this.known.get(k)) return;
    const r: PictureRefusal = { file, bytes: Number(k.split(':')[0]), reason: oneLine(`ffmpeg could not decode it (${why})`, 160) };
    this.known.set(k, r);
    this.onRefused(r);
  }

  private async verdict(file: string): Promise<PictureRefusal | null> {
    let st: Stats;
    try {
      st = await stat(file);
    } catch {
      return null; // gone since the folder was listed: ffmpeg will say so
    }
    const k = key(file, st.size, st.mtimeMs);
    this.current.set(file, k);
    const known = this.known.get(k);
    if (known !== undefined) return known;
    let reason: string | null;
    try {
      const meta = st.size > this.caps.maxBytes ? null : await sharp(file).metadata();
      reason = pictureRefusal({ bytes: st.size, width: meta?.width, height: meta?.height }, this.caps);
      if (reason === null) await sharp(file, { failOn: 'truncated', limitInputPixels: this.caps.maxPixels }).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
    } catch (err) {
      reason = oneLine(`unreadable picture (${(err as Error).message})`, 160);
    }
    const r = reason === null ? null : { file, bytes: st.size, reason };
    this.known.set(k, r);
    if (r) this.onRefused(r);
    return r;
  }
}

/** A refusal as one line for a person (the file by name, never a control character). */
export function describeRefusal(r: PictureRefusal): string {
  return oneLine(`picture ${basename(r.file)} refused: ${r.reason}`, 200);
}
