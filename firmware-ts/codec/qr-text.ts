/**
 * Section 1 of docs/CREDENTIALS.md: from the QR text to the COSE bytes.
 * `RS1:` prefix, Base45, then zlib when the body starts with 0x78, with the zip-bomb guard.
 * @module
 */
import { inflateSync } from 'node:zlib';
import { base45Decode, Base45Error } from './base45.js';
import { fail } from './decode-error.js';

export const QR_PREFIX = 'RS1:';
export const MAX_QR_TEXT = 2000;
export const MAX_INFLATED = 4096;

/** Returns the COSE bytes carried by a QR text, or throws DecodeError. */
export function decodeQrText(text: string): Uint8Array {
  if (text.length > MAX_QR_TEXT) fail('QR text longer than 2000 characters');
  if (!text.startsWith(QR_PREFIX)) fail('missing RS1: prefix');
  let body: Uint8Array;
  try {
    body = base45Decode(text.slice(QR_PREFIX.length));
  } catch (err) {
    fail(err instanceof Base45Error ? err.message : 'bad Base45');
  }
  if (body.length === 0) fail('empty body');
  return body[0] === 0x78 ? inflateBounded(body) : body;
}

function inflateBounded(body: Uint8Array): Uint8Array {
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // `info` exposes how much input the stream consumed, so trailing bytes can be refused.
    result = inflateSync(body, { maxOutputLength: MAX_INFLATED, info: true }) as unknown as typeof result;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(code === 'ERR_BUFFER_TOO_LARGE' ? 'inflated size above 4096 bytes' : 'bad zlib stream');
  }
  if (result.engine.bytesWritten !== body.length) fail('trailing bytes after the zlib stream');
  return result.buffer;
}
