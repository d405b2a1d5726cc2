import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameSplitter, decodeFrame, type SplitEvent, type Terminator } from '../../../hal/scanner/frame-parser.js';

const enc = (s: string) => Buffer.from(s, 'utf8');
const frames = (events: SplitEvent[]) =>
  events.filter((e): e is Extract<SplitEvent, { kind: 'frame' }> => e.kind === 'frame').map((e) => Buffer.from(e.bytes).toString('utf8'));

function split(input: string | Buffer, terminator: Terminator = 'auto', maxFrameLength = 64): SplitEvent[] {
  const s = new FrameSplitter({ maxFrameLength, terminator, idleResetMs: 0 });
  return s.push(typeof input === 'string' ? enc(input) : input);
}

describe('FrameSplitter', () => {
  it('accepts CR, LF and CRLF endings in auto mode and ignores empty frames', () => {
    expect(frames(split('one\rtwo\nthree\r\n\r\n\nfour\r'))).toEqual(['one', 'two', 'three', 'four']);
  });

  it('keeps a frame without terminator pending until it ends', () => {
    const s = new FrameSplitter({ maxFrameLength: 64, terminator: 'auto', idleResetMs: 0 });
    expect(s.push(enc('RS1:AB'))).toEqual([]);
    expect(frames(s.push(enc('CD\r\n')))).toEqual(['RS1:ABCD']);
  });

  it('in crlf mode a lone CR or LF is part of the frame', () => {
    expect(frames(split('a\rb\nc\r\nd\r\n', 'crlf'))).toEqual(['a\rb\nc', 'd']);
  });

  it('in crlf mode a CRLF split across chunks still ends the frame', () => {
    const s = new FrameSplitter({ maxFrameLength: 64, terminator: 'crlf', idleResetMs: 0 });
    expect(s.push(enc('abc\r'))).toEqual([]);
    expect(frames(s.push(enc('\nxyz\r\n')))).toEqual(['abc', 'xyz']);
  });

  it('cr and lf modes only split on their byte', () => {
    expect(frames(split('a\nb\rc\n', 'cr'))).toEqual(['a\nb']);
    expect(frames(split('a\nb\rc\n', 'lf'))).toEqual(['a', 'b\rc']);
  });

  it('drops an over-long run at once, with its reason, and resynchronises on the next terminator', () => {
    const events = split(`${'x'.repeat(20)}yyyy\r\nok\r\n`, 'auto', 10);
    expect(events[0]).toEqual({ kind: 'dropped', reason: 'too-long', bytes: 11 });
    expect(frames(events)).toEqual(['ok']);
  });

  it('a frame of exactly maxFrameLength bytes is kept', () => {
    expect(frames(split(`${'z'.repeat(10)}\n`, 'auto', 10))).toEqual(['z'.repeat(10)]);
  });

  it('never holds more than maxFrameLength bytes, however long the garbage', () => {
    const s = new FrameSplitter({ maxFrameLength: 32, terminator: 'auto', idleResetMs: 0 });
    let drops = 0;
    for (let i = 0; i < 1000; i++) drops += s.push(Buffer.alloc(1024, 0x41)).length;
    expect(drops).toBe(1);
    expect(frames(s.push(enc('\nfine\n')))).toEqual(['fine']);
  });

  it('drops a partial frame left idle longer than idleResetMs', () => {
    const s = new FrameSplitter({ maxFrameLength: 64, terminator: 'auto', idleResetMs: 500 });
    expect(s.push(enc('half'), 1000)).toEqual([]);
    const events = s.push(enc('RS1:NEW\r'), 2000);
    expect(events[0]).toEqual({ kind: 'dropped', reason: 'idle-timeout', bytes: 4 });
    expect(frames(events)).toEqual(['RS1:NEW']);
  });

  it('keeps a partial frame whose bytes keep coming', () => {
    const s = new FrameSplitter({ maxFrameLength: 64, terminator: 'auto', idleResetMs: 500 });
    s.push(enc('ab'), 1000);
    s.push(enc('cd'), 1400);
    expect(frames(s.push(enc('ef\n'), 1800))).toEqual(['abcdef']);
  });

  it('reset() forgets and reports the partial frame', () => {
    const s = new FrameSplitter({ maxFrameLength: 64, terminator: 'auto', idleResetMs: 0 });
    s.push(enc('abc'));
    expect(s.reset()).toEqual([{ kind: 'dropped', reason: 'idle-timeout', bytes: 3 }]);
    expect(frames(s.push(enc('def\n')))).toEqual(['def']);
  });

  it('gives the same frames however the bytes are chunked', () => {
    const line = fc.stringMatching(/^[A-Z0-9 $%*+./:-]{0,40}$/);
    const ending = fc.constantFrom('\r', '\n', '\r\n');
    fc.assert(
      fc.property(fc.array(fc.tuple(line, ending), { maxLength: 8 }), fc.array(fc.nat(60), { maxLength: 10 }), (parts, cuts) => {
        const bytes = enc(parts.map(([l, e]) => l + e).join(''));
        const whole = frames(split(bytes, 'auto', 64));
        const s = new FrameSplitter({ maxFrameLength: 64, terminator: 'auto', idleResetMs: 0 });
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const got: SplitEvent[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          got.push(...s.push(bytes.subarray(from, p)));
          from = p;
        }
        expect(frames(got)).toEqual(whole);
        expect(whole).toEqual(parts.map(([l]) => l).filter((l) => l !== ''));
      }),
    );
  });
});

describe('decodeFrame', () => {
  it('strips an AIM symbology identifier and reports it', () => {
    expect(decodeFrame(enc(']Q1RS1:ABC'))).toEqual({ ok: true, text: 'RS1:ABC', symbology: ']Q1' });
    expect(decodeFrame(enc(']Q2RS1:ABC'))).toEqual({ ok: true, text: 'RS1:ABC', symbology: ']Q2' });
  });

  it('leaves text without an AIM identifier alone', () => {
    expect(decodeFrame(enc('RS1:ABC'))).toEqual({ ok: true, text: 'RS1:ABC', symbology: null });
    expect(decodeFrame(enc(']'))).toEqual({ ok: true, text: ']', symbology: null });
  });

  it('trims blanks around the code', () => {
    expect(decodeFrame(enc('  RS1:ABC \t'))).toMatchObject({ ok: true, text: 'RS1:ABC' });
  });

  it('refuses bytes that are not UTF-8 (line noise, wrong baud rate)', () => {
    expect(decodeFrame(Buffer.from([0xff, 0xfe, 0x80, 0x41]))).toEqual({ ok: false, reason: 'not-utf8' });
  });

  it('refuses control characters and escape sequences', () => {
    expect(decodeFrame(enc('RS1:\x1b[2JABC'))).toEqual({ ok: false, reason: 'control-characters' });
    expect(decodeFrame(enc('A\x00B'))).toEqual({ ok: false, reason: 'control-characters' });
    expect(decodeFrame(enc('A\u009bB'))).toEqual({ ok: false, reason: 'control-characters' });
    expect(decodeFrame(enc('A\tB'))).toEqual({ ok: false, reason: 'control-characters' });
  });

  it('keeps non-ASCII text intact', () => {
    expect(decodeFrame(enc('京A12345'))).toMatchObject({ ok: true, text: '京A12345' });
  });
});
