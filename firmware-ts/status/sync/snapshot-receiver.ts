/**
 * Takes a snapshot as it streams in and writes it to its file while checking everything the
 * manifest and docs/STATUS-LIST.md promise: the header (magic, seq, count), keys strictly ascending
 * (sorted, no duplicates), the exact length and the SHA-256. It also collects the sparse index
 * on the way. Memory stays at one network chunk plus the index, whatever the list's size.
 *
 * Disk writes run in the background (libuv's thread pool) while the next chunks are checked and
 * hashed, with at most a few megabytes in flight; `write()` returns a promise when the caller
 * must wait for the disk (backpressure to the socket). The file is fsynced before `finish()`
 * resolves, so a state row that names it, committed afterwards, never names a file that a power
 * cut could still take back.
 *
 * A download cut off part-way continues: `resume()` opens the partial file, keeps the prefix a
 * checkpoint made durable, and replays it through the same checks and the same hash (the hash is
 * over the whole file, and re-reading the kept prefix costs one sequential read: measured in the
 * bench), so the rest of the body is checked exactly as if it had come in one piece.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { close, fdatasync, fsync, ftruncateSync, openSync, writev } from 'node:fs';
import { open as openAsync } from 'node:fs/promises';
import { promisify } from 'node:util';
import { KEY_BYTES, MAX_KNOWN_STATUS, RECORD_BYTES, SNAPSHOT_HEADER_BYTES, SNAPSHOT_MAGIC, compareKeys, readSnapshotHeader, snapshotBytes } from '../list/index.js';
import { BLOCK_RECORDS, BlockChecksumBuilder, SparseIndexBuilder } from '../list/index.js';
import { SyncError } from './sync-error.js';

export interface SnapshotExpect {
  seq: number;
  count: number;
  sha256: Buffer;
  /** For messages. */
  label: string;
}

export interface ReceivedSnapshot {
  /** Records whose status is not 0. */
  listed: number;
  /** Records with a status byte docs/STATUS-LIST.md does not define (they count as revoked). */
  unknownStatus: number;
}

/** Bytes gathered before one write: fewer system calls than one per network chunk. */
const WRITE_BATCH = 1 << 20;
/** Bytes queued for the disk before `write()` makes the network wait. */
const MAX_IN_FLIGHT = 4 << 20;
/**
 * Written bytes after which a background fdatasync starts: the disk writes back while the rest
 * downloads, so the final fsync has little left to wait for.
 */
const SYNC_EVERY = 32 << 20;

const writevAsync = promisify(writev);
const fsyncAsync = promisify(fsync);
const fdatasyncAsync = promisify(fdatasync);
const closeAsync = promisify(close);

export class SnapshotReceiver {
  private readonly hash: Hash = createHash('sha256');
  private readonly index: SparseIndexBuilder;
  private readonly sums: BlockChecksumBuilder;
  private readonly header = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
  private headerLen = 0;
  private readonly carry = Buffer.alloc(RECORD_BYTES);
  private carryLen = 0;
  /** The previous key lives in a network chunk or here when it came through `carry`. */
  private prevBuf: Uint8Array | null = null;
  private prevOff = 0;
  private readonly prevStore = Buffer.alloc(KEY_BYTES);
  private records = 0;
  private listed = 0;
  private unknown = 0;
  private received = 0;
  /** Where the next background write goes (bytes queued for the disk so far). */
  private writePos = 0;
  private fd: number | null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The chain of background writes, and the bytes it still has to write. */
  private writing: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private writeError: unknown = null;
  private unsynced = 0;
  private syncing: Promise<void> = Promise.resolve();
  private syncRunning = false;

  /** A receiver for a new file (`wx`), or with `fd` for a partial file kept from before. */
  constructor(
    private readonly file: string,
    private readonly expect: SnapshotExpect,
    fd?: number,
  ) {
    this.index = new SparseIndexBuilder(expect.count);
    this.sums = new BlockChecksumBuilder(expect.count);
    this.fd = fd ?? openSync(file, 'wx');
  }

  /**
   * Continues a partial file: truncates it to the `keep` bytes a checkpoint made durable and
   * replays them through the checks and the hash. Throws SyncError when the kept prefix itself
   * is bad (the caller starts over).
   */
  static async resume(file: string, expect: SnapshotExpect, keep: number): Promise<SnapshotReceiver> {
    const fd = openSync(file, 'r+');
    const rx = new SnapshotReceiver(file, expect, fd);
    try {
      ftruncateSync(fd, keep);
      const fh = await openAsync(file, 'r');
      try {
        for (let pos = 0; pos < keep; ) {
          // A fresh buffer per read: the order check keeps a reference to the previous key.
          const buf = Buffer.allocUnsafe(WRITE_BATCH);
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, keep - pos), pos);
          if (bytesRead <= 0) throw new SyncError(`${expect.label}: partial file shorter than its checkpoint`);
          rx.consume(buf.subarray(0, bytesRead));
          pos += bytesRead;
        }
      } finally {
        await fh.close();
      }
      rx.writePos = keep;
      return rx;
    } catch (err) {
      await rx.abort();
      throw err;
    }
  }

  /** Bytes of the file taken so far (kept prefix plus what arrived since). */
  get bytes(): number {
    return this.received;
  }

  /** Makes every byte taken so far durable; resolves to their number (the resume point). */
  async checkpoint(): Promise<number> {
    this.flush();
    await this.writing;
    await this.syncing;
    if (this.writeError) throw this.writeError;
    if (this.fd !== null) await fdatasyncAsync(this.fd);
    return this.writePos;
  }

  private bad(what: string): never {
    throw new SyncError(`${this.expect.label}: ${what}`);
  }

  /**
   * Consumes the next chunk of the body; throws SyncError at the first broken promise. Returns a
   * promise when the disk is behind: wait for it before feeding more.
   */
  write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.writeError) throw this.writeError;
    this.consume(chunk);
    this.queue(chunk);
    return this.inFlight > MAX_IN_FLIGHT ? this.writing : undefined;
  }

  /** The checks and the hash over the next bytes of the file (no disk write). */
  private consume(chunk: Uint8Array): void {
    this.received += chunk.length;
    if (this.received > snapshotBytes(this.expect.count)) this.bad('longer than its count says');
    this.hash.update(chunk);
    let off = 0;
    if (this.headerLen < SNAPSHOT_HEADER_BYTES) {
      off = Math.min(SNAPSHOT_HEADER_BYTES - this.headerLen, chunk.length);
      this.header.set(chunk.subarray(0, off), this.headerLen);
      this.headerLen += off;
      if (this.headerLen === SNAPSHOT_HEADER_BYTES) this.checkHeader();
    }
    this.sums.update(chunk, off, chunk.length);
    if (this.carryLen > 0 && off < chunk.length) {
      const take = Math.min(RECORD_BYTES - this.carryLen, chunk.length - off);
      this.carry.set(chunk.subarray(off, off + take), this.carryLen);
      this.carryLen += take;
      off += take;
      if (this.carryLen === RECORD_BYTES) {
        this.record(this.carry, 0);
        this.carryLen = 0;
      }
    }
    const end = off + Math.floor((chunk.length - off) / RECORD_BYTES) * RECORD_BYTES;
    this.scan(chunk, off, end);
    if (end < chunk.length) {
      if (this.prevBuf === this.carry) this.keepPrev();
      this.carry.set(chunk.subarray(end), 0);
      this.carryLen = chunk.length - end;
    }
  }

  private checkHeader(): void {
    const h = readSnapshotHeader(this.header);
    if (h.magic !== SNAPSHOT_MAGIC) this.bad('not a snapshot (no RSS1 header)');
    if (h.seq !== this.expect.seq) this.bad(`header seq ${h.seq ?? 'too large'} differs from the manifest's ${this.expect.seq}`);
    if (h.count !== this.expect.count) this.bad(`header count ${h.count} differs from the manifest's ${this.expect.count}`);
  }

  /**
   * The hot loop over the whole records of one chunk (ten million per snapshot): the keys' first
   * 32 bits settle their order almost always, one read instead of a byte loop.
   */
  private scan(buf: Uint8Array, from: number, end: number): void {
    if (from >= end) return;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let prevBuf = this.prevBuf;
    let prevOff = this.prevOff;
    let prevHi = prevBuf === null ? -1 : new DataView(prevBuf.buffer, prevBuf.byteOffset).getUint32(prevOff);
    let n = this.records;
    let listed = 0;
    let unknown = 0;
    for (let o = from; o < end; o += RECORD_BYTES) {
      const hi = view.getUint32(o);
      if (hi <= prevHi && (hi < prevHi || compareKeys(prevBuf!, prevOff, buf, o) >= 0)) {
        this.records = n;
        this.bad(`record ${n} is not above the one before it (unsorted or duplicate key)`);
      }
      if (n % BLOCK_RECORDS === 0) this.index.offer(n, buf, o);
      const status = buf[o + KEY_BYTES]!;
      if (status !== 0) {
        listed++;
        if (status > MAX_KNOWN_STATUS) unknown++;
      }
      prevHi = hi;
      prevBuf = buf;
      prevOff = o;
      n++;
    }
    this.records = n;
    this.listed += listed;
    this.unknown += unknown;
    this.prevBuf = prevBuf;
    this.prevOff = prevOff;
  }

  private record(buf: Uint8Array, o: number): void {
    if (this.prevBuf !== null && compareKeys(this.prevBuf, this.prevOff, buf, o) >= 0) {
      this.bad(`record ${this.records} is not above the one before it (unsorted or duplicate key)`);
    }
    this.index.offer(this.records, buf, o);
    const status = buf[o + KEY_BYTES]!;
    if (status !== 0) this.listed++;
    if (status > MAX_KNOWN_STATUS) this.unknown++;
    this.prevBuf = buf;
    this.prevOff = o;
    this.records++;
  }

  private keepPrev(): void {
    this.prevStore.set(this.carry.subarray(0, KEY_BYTES), 0);
    this.prevBuf = this.prevStore;
    this.prevOff = 0;
  }

  private queue(chunk: Uint8Array): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= WRITE_BATCH) this.flush();
  }

  /** Queues the gathered chunks as one background write. */
  private flush(): void {
    if (this.fd === null || this.pendingBytes === 0) return;
    const fd = this.fd;
    const chunks = this.pending;
    const bytes = this.pendingBytes;
    const at = this.writePos;
    this.writePos += bytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlight += bytes;
    this.writing = this.writing.then(async () => {
      try {
        const written = (await writevAsync(fd, chunks, at)).bytesWritten;
        // A short write (rare) continues with the rest, copied once.
        if (written < bytes) {
          const rest = Buffer.concat(chunks).subarray(written);
          for (let o = 0; o < rest.length; ) {
            const n = (await writevAsync(fd, [rest.subarray(o)], at + written + o)).bytesWritten;
            if (n <= 0) throw new Error('write made no progress');
            o += n;
          }
        }
      } catch (err) {
        this.writeError ??= new SyncError(`${this.expect.label}: cannot write ${this.file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      } finally {
        this.inFlight -= bytes;
      }
      this.unsynced += bytes;
      if (this.unsynced >= SYNC_EVERY && !this.syncRunning) {
        this.unsynced = 0;
        this.syncRunning = true;
        this.syncing = fdatasyncAsync(fd)
          .catch(() => undefined) // the final fsync reports any error
          .finally(() => {
            this.syncRunning = false;
          });
      }
    });
  }

  /**
   * Checks the end (length, hash), makes the file durable and returns the sparse index and
   * counts. Throws SyncError when the body was short or its hash differs.
   */
  async finish(): Promise<{ index: Buffer; sums: Buffer; info: ReceivedSnapshot }> {
    if (this.headerLen < SNAPSHOT_HEADER_BYTES || this.records !== this.expect.count || this.carryLen !== 0) {
      this.bad(`truncated (${this.received} of ${snapshotBytes(this.expect.count)} bytes)`);
    }
    const digest = this.hash.digest();
    if (!digest.equals(this.expect.sha256)) this.bad('SHA-256 differs from the manifest');
    this.flush();
    await this.writing;
    await this.syncing;
    if (this.writeError) throw this.writeError;
    await fsyncAsync(this.fd!);
    await this.closeFd();
    return { index: this.index.finish(), sums: this.sums.finish(), info: { listed: this.listed, unknownStatus: this.unknown } };
  }

  /** Waits for background writes and closes the file (after a failure: the caller deletes it). */
  async abort(): Promise<void> {
    await this.writing;
    await this.syncing;
    await this.closeFd();
  }

  private async closeFd(): Promise<void> {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    await closeAsync(fd);
  }
}
