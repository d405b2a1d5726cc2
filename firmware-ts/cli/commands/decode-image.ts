/**
 * `roadscan decode-image FILE...` (docs/CLI.md): finds the QR code in each picture (PNG, JPEG,
 * WebP; a screenshot, a downloaded registration image, a photo of a screen or a printout),
 * verifies it, and answers one line per file, in order. A picture without a readable code is
 * answered `reject` with MALFORMED and `"decoded": false`; a file that is not a picture at all
 * also carries `"error"` with the reason.
 *
 * Exit status as `verify`: for a single FILE 0 accept, 3 warn, 1 reject; for several, 0 once
 * every file has been answered; 2 for a usage or configuration error.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import type { ScanResult } from '../../scan-path/index.js';
import { addCommonOptions, type CommonOptions } from '../common-options.js';
import { buildChecker, chooseTrust, openRuntime, syncedTrust } from '../../app/index.js';
import { exitCodeOf, resultJson, resultLine } from '../format-result.js';
import { openStatusSource } from '../../app/index.js';

interface DecodeImageOptions extends CommonOptions {
  json?: boolean;
}

export function register(program: Command): void {
  addCommonOptions(
    program
      .command('decode-image')
      .description('find the QR code in pictures (PNG, JPEG, WebP) and verify it')
      .argument('<file...>', 'picture files')
      .option('--json', 'print one JSON object per file: the verify fields plus "file" and "decoded"'),
  ).action(async (files: string[], opts: DecodeImageOptions) => {
    process.exitCode = await runDecodeImage(files, opts);
  });
}

/** A file whose picture holds no readable code: a reject, so it can never pass by mistake. */
function undecoded(ms: number): ScanResult {
  return { verdict: 'reject', reasons: ['MALFORMED'], type: null, fields: {}, ms, statusKey: null };
}

async function runDecodeImage(files: string[], opts: DecodeImageOptions): Promise<number> {
  const { ImageDecoder } = await import('../../app/image-parts.js');
  const { oneLine } = await import('../../core/text-safety.js');
  const rt = await openRuntime(opts);
  try {
    const status = openStatusSource(rt);
    const checker = buildChecker(rt, chooseTrust(rt, syncedTrust(rt)), status);
    const img = rt.config.image;
    const decoder = new ImageDecoder({
      maxBytes: Math.round(img.maxFileMiB * 1024 * 1024),
      maxInputPixels: Math.round(img.maxMegapixels * 1e6),
      maxSide: img.maxSide,
      jsqrFallback: img.jsqrFallback,
    });
    let last: ScanResult | null = null;
    for (const file of files) {
      const t0 = performance.now();
      const found = await decoder.decodeFile(file);
      const checked = found.decoded && found.text !== null ? checker.check(found.text, rt.time()) : null;
      const result: ScanResult = checked ? { ...checked, ms: performance.now() - t0 } : undecoded(performance.now() - t0);
      last = result;
      let line: string;
      if (opts.json) {
        line = resultJson(result, { file, decoded: checked !== null, ...(found.error ? { error: found.error } : {}) });
      } else {
        const what = checked ? resultLine(result) : `REJECT  -  ${found.error ?? 'no QR code found in the picture'}`;
        line = `${oneLine(file, 200)}: ${what}`;
      }
      if (!process.stdout.write(`${line}\n`)) await new Promise((r) => process.stdout.once('drain', r));
    }
    return files.length === 1 && last ? exitCodeOf(last) : 0;
  } finally {
    rt.close();
  }
}
