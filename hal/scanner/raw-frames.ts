/**
 * What a scanner module really sends, for `roadscan scanner monitor`: raw frames split at CR, LF
 * or CRLF with the terminator kept, the AIM identifier named, and every byte a person can be shown
 * safely: control and invisible characters and bytes that are not UTF-8 appear as escapes, never
 * raw, so a module (or a stranger's code) cannot drive the technician's terminal. Bounded: a frame
 * with no terminator is cut at `maxBytes`.
 * @module
 */

export type RawTerminator = 'CR' | 'LF' | 'CRLF' | 'none';

export interface RawFrame {
  bytes: Uint8Array;
  terminator: RawTerminator;
}

const CR = 0x0d;
const LF = 0x0a;

export class RawFrameSplitter {
  private buf: number[] = [];
  private pendingCr = false;

  constructor(private readonly maxBytes = 8192) {}

  push(chunk: Uint8Array): RawFrame[] {
    const out: RawFrame[] = [];
    for (const b of chunk) {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (b === LF) {
          out.push(this.take('CRLF'));
          continue;
        }
        out.push(this.take('CR'));
      }
      if (b === CR) this.pendingCr = true;
      else if (b === LF) out.push(this.take('LF'));
      else {
        this.buf.push(b);
        if (this.buf.length >= this.maxBytes) out.push(this.take('none'));
      }
    }
    return out;
  }

  /** A CR still waiting to learn whether an LF follows (call when the line goes quiet). */
  flush(): RawFrame[] {
    if (!this.pendingCr) return [];
    this.pendingCr = false;
    return [this.take('CR')];
  }

  private take(terminator: RawTerminator): RawFrame {
    const bytes = Uint8Array.from(this.buf);
    this.buf = [];
    return { bytes, terminator };
  }
}

const AIM = /^\][A-Za-z][0-9A-Za-z]/;
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\uFFFD]/gu;

/** The bytes as text with every unsafe character escaped (`\x07`, `\u202e`, `\xff` for a bad byte). */
export function visibleText(bytes: Uint8Array, maxChars = 300): string {
  let out = '';
  let i = 0;
  const dec = new TextDecoder('utf-8', { fatal: true });
  while (i < bytes.length && out.length < maxChars) {
    // The longest valid UTF-8 sequence at i (1 to 4 bytes), else one bad byte.
    let taken = 0;
    for (let n = 1; n <= 4 && i + n <= bytes.length; n++) {
      try {
        const ch = dec.decode(bytes.subarray(i, i + n));
        if ([...ch].length === 1) {
          out += ch.replace(UNSAFE, (c) => {
            const cp = c.codePointAt(0)!;
            return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
          });
          taken = n;
          break;
        }
      } catch {
        // Not a whole character yet: try one byte more.
      }
    }
    if (taken === 0) {
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      taken = 1;
    }
    i += taken;
  }
  return i < bytes.length ? `${out}… (${bytes.length - i} more bytes)` : out;
}

/** One line for the monitor: terminator, AIM identifier, length, the text shown safely. */
export function describeRawFrame(frame: RawFrame): string {
  const text = visibleText(frame.bytes);
  const aim = AIM.exec(text)?.[0] ?? null;
  const body = aim ? text.slice(aim.length) : text;
  return `${frame.terminator.padEnd(4)} aim=${aim ?? '-'} ${String(frame.bytes.length).padStart(5)} B  ${body}`;
}
