/**
 * Takes a delta as it streams in and writes it to a temporary file, checking its header
 * (magic, from, to, count), exact length and SHA-256 against the manifest. Its rows are applied
 * only after the whole file proved good, so a bad delta never writes a row.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { DELTA_HEADER_BYTES, DELTA_MAGIC, deltaBytes, readDeltaHeader } from '../list/index.js';
import type { DeltaRef } from './manifest.js';
import { SyncError } from './sync-error.js';

export class DeltaReceiver {
  private readonly hash: Hash = createHash('sha256');
  private readonly header = Buffer.alloc(DELTA_HEADER_BYTES);
  private headerLen = 0;
  private received = 0;
  private fd: number | null;

  constructor(
    private readonly file: string,
    private readonly ref: DeltaRef,
  ) {
    this.fd = openSync(file, 'wx');
  }

  private bad(what: string): never {
    throw new SyncError(`${this.ref.path}: ${what}`);
  }

  write(chunk: Uint8Array): void {
    this.received += chunk.length;
    if (this.received > deltaBytes(this.ref.count)) this.bad('longer than its count says');
    this.hash.update(chunk);
    if (this.headerLen < DELTA_HEADER_BYTES) {
      const take = Math.min(DELTA_HEADER_BYTES - this.headerLen, chunk.length);
      this.header.set(chunk.subarray(0, take), this.headerLen);
      this.headerLen += take;
      if (this.headerLen === DELTA_HEADER_BYTES) this.checkHeader();
    }
    let written = 0;
    while (written < chunk.length) written += writeSync(this.fd!, chunk, written, chunk.length - written);
  }

  private checkHeader(): void {
    const h = readDeltaHeader(this.header);
    if (h.magic !== DELTA_MAGIC) this.bad('not a delta (no RSD1 header)');
    if (h.from !== this.ref.from || h.to !== this.ref.to) {
      this.bad(`header says ${h.from ?? '?'}→${h.to ?? '?'}, the manifest ${this.ref.from}→${this.ref.to}`);
    }
    if (h.count !== this.ref.count) this.bad(`header count ${h.count} differs from the manifest's ${this.ref.count}`);
  }

  /** Checks length and hash; the file is then ready to apply. Throws SyncError. */
  finish(): void {
    this.close();
    if (this.received !== deltaBytes(this.ref.count)) {
      this.bad(`truncated (${this.received} of ${deltaBytes(this.ref.count)} bytes)`);
    }
    if (!this.hash.digest().equals(this.ref.sha256)) this.bad('SHA-256 differs from the manifest');
  }

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } finally {
      this.fd = null;
    }
  }
}
