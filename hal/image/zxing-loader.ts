/**
 * Loading ZXing-C++ (zxing-wasm) from node_modules. By default the package fetches its .wasm
 * from a CDN; an offline appliance must never do that, so the binary is read from disk and
 * handed over before the first read. Loaded once, on first use.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type ReaderModule = typeof import('zxing-wasm/reader');
let reader: Promise<ReaderModule> | null = null;

function wasmBinary(specifier: string): ArrayBuffer {
  const buf = readFileSync(require.resolve(specifier));
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/**
 * One QR code, every effort ZXing has (harder search, rotations, inverted, downscaled): how the
 * picture decoder reads a whole picture, and so how the bench reads ZXing alone.
 */
export const ZXING_ONE_QR_FULL_EFFORT = {
  formats: ['QRCode'],
  maxNumberOfSymbols: 1,
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
} as const satisfies import('zxing-wasm/reader').ReaderOptions;

/** The zxing-wasm reader, instantiated from the local .wasm file. */
export function loadZxingReader(): Promise<ReaderModule> {
  reader ??= (async () => {
    const mod = await import('zxing-wasm/reader');
    await mod.prepareZXingModule({
      overrides: { wasmBinary: wasmBinary('zxing-wasm/reader/zxing_reader.wasm') },
      fireImmediately: true,
    });
    return mod;
  })();
  return reader;
}
