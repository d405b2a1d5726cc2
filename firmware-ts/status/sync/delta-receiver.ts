/**
 * Takes a delta as it streams in and writes it to a temporary file, checking its header
 * (magic, from, to, count), exact length and SHA-256 against the manifest. Its rows are applied
 * only after the whole file proved good, so a bad delta never writes a row. A download cut off
 * part-way resumes (`resume()` replays the kept prefix through the same checks and hash).
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
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
    fd?: number,
  ) {
    this.fd = fd ?? openSync(file, 'wx');
  }

  /** Continues a partial file from its `keep` durable bytes, replaying them through the checks. */
  static resume(file: string, ref: DeltaRef, keep: number): DeltaReceiver {
    const fd = openSync(file, 'r+');
    const rx = new DeltaReceiver(file, ref, fd);
    try {
      ftruncateSync(fd, keep);
      for (let pos = 0; pos < keep; ) {
        const buf = Buffer.allocUnsafe(Math.min(1 << 20, keep - pos));
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) throw new SyncError(`${ref.path}: partial file shorter than its checkpoint`);
        rx.consume(buf.subarray(0, n));
        pos += n;
      }
      return rx;
    } catch (err) {
      rx.close();
      throw err;
    }
  }

  /** Bytes of the file taken so far. */
  get bytes(): number {
    return this.received;
  }

  /** Every byte taken so far is on disk, durably; resolves to their number. */
  async checkpoint(): Promise<number> {
    if (this.fd !== null) fdatasyncSync(this.fd);
    return this.received;
  }

  async abort(): Promise<void> {
    this.close();
  }

  private bad(what: string): never {
    throw new SyncError(`${this.ref.path}: ${what}`);
  }

  write(chunk: Uint8Array): void {
    const at = this.received;
    this.consume(chunk);
    let written = 0;
    while (written < chunk.length) written += writeSync(this.fd!, chunk, written, chunk.length - written, at + written);
  }

  private consume(chunk: Uint8Array): void {
    this.received += chunk.length;
    if (this.received > deltaBytes(this.ref.count)) this.bad('longer than its count says');
    this.hash.update(chunk);
    if (this.headerLen < DELTA_HEADER_BYTES) {
      const take = Math.min(DELTA_HEADER_BYTES - this.headerLen, chunk.length);
      this.header.set(chunk.subarray(0, take), this.headerLen);
      this.headerLen += take;
      if (this.headerLen === DELTA_HEADER_BYTES) this.checkHeader();
    }
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
    if (this.fd !== null) fdatasyncSync(this.fd);
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
