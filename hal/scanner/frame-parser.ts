/**
 * Turning the byte stream of a barcode-scanner module into frames, as pure code.
 *
 * A scanner module sends one code per frame, ended by CR, LF or CRLF depending on how it was
 * configured, sometimes prefixed with an AIM symbology identifier (`]Q1` for a QR code). The
 * line itself is hostile input: line noise at the wrong baud rate, a half frame from before an
 * unplug, a code that never ends. So the splitter here is bounded (it never holds more than
 * `maxFrameLength` bytes), gives the same frames however the bytes were chunked, forgets a half
 * frame left idle too long, and reports every byte it throws away with a reason.
 *
 * (`@serialport/parser-readline` is not used for the splitting itself: it buffers without bound
 * until a delimiter arrives and knows a single delimiter only.)
 * @module
 */
import { hasUnsafeText } from '../../firmware-ts/core/text-safety.js';

/** Which bytes end a frame. `auto` takes any of CR, LF and CRLF, the safe default. */
export type Terminator = 'auto' | 'cr' | 'lf' | 'crlf';

/** Why bytes were thrown away instead of becoming a frame. */
export type DropReason = 'too-long' | 'idle-timeout' | 'not-utf8' | 'control-characters';

export interface SplitterOptions {
  /** Largest frame kept, in bytes, AIM prefix included; a longer run is dropped whole. */
  maxFrameLength: number;
  terminator: Terminator;
  /**
   * A partial frame older than this (no byte for this long) is dropped before new bytes are
   * added to it: a frame cut by an unplug must not glue itself to the next scan. 0 disables.
   */
  idleResetMs: number;
}

export type SplitEvent = { kind: 'frame'; bytes: Uint8Array } | { kind: 'dropped'; reason: DropReason; bytes: number };

const CR = 0x0d;
const LF = 0x0a;

/**
 * Streaming splitter. `push` returns the frames completed by a chunk, in order; empty frames
 * (the LF of a CRLF in `auto` mode, blank lines) are ignored.
 */
export class FrameSplitter {
  private readonly opts: SplitterOptions;
  private readonly buf: Uint8Array;
  private len = 0;
  /** Bytes thrown away in the current over-long run (0 when not discarding). */
  private discarding = 0;
  /** In `crlf` mode: the previous byte was a CR not yet known to end a frame. */
  private pendingCr = false;
  private lastByteAt = -Infinity;

  constructor(opts: SplitterOptions) {
    if (!Number.isInteger(opts.maxFrameLength) || opts.maxFrameLength < 1) {
      throw new RangeError('maxFrameLength must be a positive integer');
    }
    this.opts = opts;
    this.buf = new Uint8Array(opts.maxFrameLength);
  }

  /** Feeds bytes received at `nowMs` (any monotonic clock in milliseconds). */
  push(chunk: Uint8Array, nowMs = 0): SplitEvent[] {
    const out: SplitEvent[] = [];
    if (chunk.length === 0) return out;
    const idle = this.opts.idleResetMs;
    if (idle > 0 && nowMs - this.lastByteAt > idle) {
      const held = this.len + (this.pendingCr ? 1 : 0);
      if (held > 0) out.push({ kind: 'dropped', reason: 'idle-timeout', bytes: held });
      this.len = 0;
      this.pendingCr = false;
      // An over-long run already reported ends with the silence too.
      this.discarding = 0;
    }
    this.lastByteAt = nowMs;
    for (const byte of chunk) this.take(byte, out);
    return out;
  }

  /** Forgets any partial frame (after a reconnect); returns what was thrown away. */
  reset(): SplitEvent[] {
    const out: SplitEvent[] = [];
    const held = this.len + (this.pendingCr ? 1 : 0);
    if (held > 0) out.push({ kind: 'dropped', reason: 'idle-timeout', bytes: held });
    this.len = 0;
    this.pendingCr = false;
    this.discarding = 0;
    return out;
  }

  private take(byte: number, out: SplitEvent[]): void {
    const mode = this.opts.terminator;
    if (mode === 'crlf') {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte === LF) {
          this.endFrame(out);
          return;
        }
        this.append(CR, out);
      }
      if (byte === CR) {
        this.pendingCr = true;
        return;
      }
      this.append(byte, out);
      return;
    }
    const ends = mode === 'auto' ? byte === CR || byte === LF : byte === (mode === 'cr' ? CR : LF);
    if (ends) this.endFrame(out);
    else this.append(byte, out);
  }

  private append(byte: number, out: SplitEvent[]): void {
    if (this.discarding > 0) {
      this.discarding++;
      return;
    }
    if (this.len === this.buf.length) {
      // Over-long: report at once (the terminator may never come), then swallow until it does.
      this.discarding = this.len + 1;
      out.push({ kind: 'dropped', reason: 'too-long', bytes: this.discarding });
      this.len = 0;
      return;
    }
    this.buf[this.len++] = byte;
  }

  private endFrame(out: SplitEvent[]): void {
    if (this.discarding > 0) {
      this.discarding = 0;
      return;
    }
    if (this.len > 0) out.push({ kind: 'frame', bytes: this.buf.slice(0, this.len) });
    this.len = 0;
  }
}

/** A frame turned into the text of a code. */
export type DecodedFrame =
  | { ok: true; text: string /** AIM identifier that was stripped, e.g. "]Q1", or null. */; symbology: string | null }
  | { ok: false; reason: DropReason };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
/** `]` + symbology character + modifier character (ISO/IEC 15424). */
const AIM_PREFIX = /^\][A-Za-z][0-9A-Za-z]/;
const EDGE_SPACE = /^[ \t]+|[ \t]+$/g;

/**
 * Decodes a frame's bytes as strict UTF-8, strips an AIM identifier and surrounding blanks.
 * Returns `ok: false` for bytes that are not text (line noise, wrong baud rate).
 * An empty result is reported as `{ ok: true, text: '' }`; callers ignore it.
 */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'not-utf8' };
  }
  let symbology: string | null = null;
  const aim = AIM_PREFIX.exec(text);
  if (aim) {
    symbology = aim[0];
    text = text.slice(aim[0].length);
  }
  text = text.replace(EDGE_SPACE, '');
  // Controls (a tab inside a code included), bidi and zero-width characters: never part of a
  // code we accept, and never to reach a screen (the project's one text-safety rule).
  if (hasUnsafeText(text)) return { ok: false, reason: 'control-characters' };
  return { ok: true, text, symbology };
}
