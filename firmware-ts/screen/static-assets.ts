/**
 * The page's files, read once into memory from the package's `firmware-ts/screen/public/` folder.
 *
 * Serving only a fixed table of names read at start-up means no request path ever reaches the file
 * system, so there is nothing to traverse. The folder is the source folder, not `dist/`: tsc does
 * not copy non-TypeScript files, and the page needs no build step.
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

/** Where the page lives inside the package. */
export const SCREEN_PUBLIC_DIR = join(PACKAGE_ROOT, 'firmware-ts', 'screen', 'public');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const MAX_ASSET_BYTES = 1 << 20;

export interface Asset {
  body: Buffer;
  contentType: string;
}

export class StaticAssets {
  private constructor(private readonly byPath: ReadonlyMap<string, Asset>) {}

  /** Reads every file of a known type in `dir` (not recursive); `/` serves `index.html`. */
  static load(dir: string = SCREEN_PUBLIC_DIR): StaticAssets {
    const byPath = new Map<string, Asset>();
    for (const name of readdirSync(dir)) {
      const contentType = CONTENT_TYPES[extname(name).toLowerCase()];
      const file = join(dir, name);
      if (!contentType || !statSync(file).isFile() || statSync(file).size > MAX_ASSET_BYTES) continue;
      byPath.set(`/${name}`, { body: readFileSync(file), contentType });
    }
    const index = byPath.get('/index.html');
    if (!index) throw new Error(`roadscan: the operator page is missing (${join(dir, 'index.html')})`);
    byPath.set('/', index);
    return new StaticAssets(byPath);
  }

  get(path: string): Asset | undefined {
    return this.byPath.get(path);
  }
}
