/**
 * Writes a status-list file (snapshot `RSS1` or delta `RSD1`) record by record, without knowing
 * the count in advance: the header is patched at the end, then the file is hashed, so the
 * publisher can stream ten million records through a 1 MB buffer.
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { DELTA_HEADER_BYTES, KEY_BYTES, RECORD_BYTES, SNAPSHOT_HEADER_BYTES, encodeDeltaHeader, encodeSnapshotHeader } from '../../firmware-ts/status/list/index.js';

export type RecordFileKind = { kind: 'snapshot'; seq: number } | { kind: 'delta'; from: number; to: number };

export interface WrittenFile {
  file: string;
  count: number;
  sha256: Buffer;
  bytes: number;
}

const BUFFER_RECORDS = 61_680; // about 1 MB

export class RecordFileWriter {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(BUFFER_RECORDS * RECORD_BYTES);
  private used = 0;
  private count = 0;
  private readonly headerBytes: number;

  constructor(
    readonly file: string,
    private readonly kind: RecordFileKind,
  ) {
    this.fd = openSync(file, 'w+');
    this.headerBytes = kind.kind === 'snapshot' ? SNAPSHOT_HEADER_BYTES : DELTA_HEADER_BYTES;
    writeSync(this.fd, Buffer.alloc(this.headerBytes));
  }

  /** Appends one record; `key` is read from `src` at `offset` (16 bytes). */
  add(src: Uint8Array, offset: number, status: number): void {
    this.buf.set(src.subarray(offset, offset + KEY_BYTES), this.used);
    this.buf[this.used + KEY_BYTES] = status;
    this.used += RECORD_BYTES;
    this.count++;
    if (this.used === this.buf.length) this.flush();
  }

  private flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buf, done, this.used - done);
    this.used = 0;
  }

  /** Writes the header with the final count and returns the file's count and SHA-256. */
  finish(): WrittenFile {
    this.flush();
    const header = this.kind.kind === 'snapshot' ? encodeSnapshotHeader(this.kind.seq, this.count) : encodeDeltaHeader(this.kind.from, this.kind.to, this.count);
    writeSync(this.fd, header, 0, header.length, 0);
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(1 << 20);
    let bytes = 0;
    for (;;) {
      const n = readSync(this.fd, chunk, 0, chunk.length, bytes);
      if (n <= 0) break;
      hash.update(chunk.subarray(0, n));
      bytes += n;
    }
    // On disk before a server may offer it (and before a benchmark times the next step).
    fsyncSync(this.fd);
    closeSync(this.fd);
    return { file: this.file, count: this.count, sha256: hash.digest(), bytes };
  }
}
