/**
 * The picture decoder (`decode-image`), on its own so that only that command loads it (sharp,
 * zxing-wasm). The command line reaches it only through here (test/architecture/).
 * @module
 */
export { ImageDecoder } from '../../hal/image/image-decoder.js';
