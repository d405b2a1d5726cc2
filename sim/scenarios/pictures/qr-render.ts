/**
 * Drawing QR codes for test pictures, with the zxing-wasm writer loaded from node_modules
 * (no extra package, no network). Gives the module matrix; pictures are built from it.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type WriterModule = typeof import('zxing-wasm/writer');
let writer: Promise<WriterModule> | null = null;

function loadWriter(): Promise<WriterModule> {
  writer ??= (async () => {
    const mod = await import('zxing-wasm/writer');
    const buf = readFileSync(require.resolve('zxing-wasm/writer/zxing_writer.wasm'));
    await mod.prepareZXingModule({
      overrides: { wasmBinary: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer },
      fireImmediately: true,
    });
    return mod;
  })();
  return writer;
}

/** A greyscale picture: one byte per pixel, 0 black, 255 white. */
export interface Grey {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The QR code of `text` drawn with `modulePx` pixels per module and a 4-module quiet zone. */
export async function renderQr(text: string, modulePx: number, ecLevel: 'L' | 'M' | 'Q' | 'H' = 'M'): Promise<Grey> {
  const { writeBarcode } = await loadWriter();
  const res = await writeBarcode(text, { format: 'QRCode', ecLevel, withQuietZones: false, scale: 1 });
  if (res.error) throw new Error(`QR writer: ${res.error}`);
  const n = res.symbol.width;
  const quiet = 4;
  const size = (n + 2 * quiet) * modulePx;
  const data = new Uint8Array(size * size).fill(255);
  for (let my = 0; my < n; my++) {
    for (let mx = 0; mx < n; mx++) {
      if (res.symbol.data[my * n + mx] !== 0) continue;
      for (let y = 0; y < modulePx; y++) {
        const row = ((my + quiet) * modulePx + y) * size + (mx + quiet) * modulePx;
        data.fill(0, row, row + modulePx);
      }
    }
  }
  return { data, width: size, height: size };
}
