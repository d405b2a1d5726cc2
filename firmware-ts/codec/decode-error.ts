/**
 * The one error of the decoding stages. Whatever goes wrong while reading a QR text ends as
 * a `DecodeError`, which the verifier turns into MALFORMED; `detail` is for logs, never shown raw.
 * @module
 */

export class DecodeError extends Error {
  override name = 'DecodeError';
}

export function fail(detail: string): never {
  throw new DecodeError(detail);
}
