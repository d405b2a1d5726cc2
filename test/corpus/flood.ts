/**
 * The flood: thousands of mutations of good lines (characters, bytes of the body, bytes of the
 * COSE under the zlib layer, prefix tweaks, truncation, duplication, splicing) and random lines
 * (ASCII, Base45, arbitrary UTF-8 with control characters, invalid UTF-8, very long). A mutation
 * counts only if it changes the signed content as read by the corpus's own decoder; one that just
 * re-spells the same credential is dropped. No line holds NUL, LF or CR (those end a line).
 * @module
 */
import { inflateSync } from 'node:zlib';
import { BASE45_ALPHABET, base45Decode, base45Encode } from './base45.js';
import { cbor, concatBytes, qrOfBody, zlib } from './cose-writer.js';
import { Prng } from './prng.js';
import { readQr } from './qr-reader.js';

export interface Flood {
  lines: Buffer[];
  /** Lines per generator, for the report. */
  kinds: Map<string, number>;
  /** Mutations dropped because they decode to the same signed content. */
  equivalent: number;
}

/** Characters a mutation may insert: Base45, near misses, Unicode look-alikes, controls (never NUL, LF, CR). */
const ODD_CHARS = [
  ...BASE45_ALPHABET,
  ...'abcxyz#_=!?@&~^`"\'<>[]{}|\\;,',
  '\t',
  '\u0001',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u00a0',
  '\u200b',
  '\u202e',
  '\u2028',
  '\ufeff',
  'Ｒ',
  'Ｓ',
  '１',
  '：',
  'é',
  '中',
  '😀',
  '\u0301',
];
const PREFIXES = ['RS0:', 'rs1:', 'Rs1:', 'RS1::', 'RS1', 'RS11:', 'R S1:', 'RS1:RS1:', ' RS1:', '\tRS1:', 'ＲＳ1:', 'RS1\u200b:', 'HC1:', ':', ''];

type Mutator = (text: string, rng: Prng) => string;

const body = (t: string): string => t.slice(4);
const pos = (t: string, rng: Prng): number => 4 + rng.int(Math.max(1, t.length - 4));

const TEXT_MUTATORS: Record<string, Mutator> = {
  'replace char (Base45)': (t, r) => {
    const i = pos(t, r);
    return t.slice(0, i) + r.pick([...BASE45_ALPHABET]) + t.slice(i + 1);
  },
  'replace char (odd)': (t, r) => {
    const i = pos(t, r);
    return t.slice(0, i) + r.pick(ODD_CHARS) + t.slice(i + 1);
  },
  'insert char': (t, r) => {
    const i = pos(t, r);
    return t.slice(0, i) + r.pick(r.next() < 0.7 ? [...BASE45_ALPHABET] : ODD_CHARS) + t.slice(i);
  },
  'delete char': (t, r) => {
    const i = pos(t, r);
    return t.slice(0, i) + t.slice(i + 1);
  },
  'swap neighbours': (t, r) => {
    const i = pos(t, r);
    return t.slice(0, i) + t.charAt(i + 1) + t.charAt(i) + t.slice(i + 2);
  },
  'replace run': (t, r) => {
    const i = pos(t, r);
    const n = r.between(2, 12);
    let run = '';
    for (let k = 0; k < n; k++) run += r.pick([...BASE45_ALPHABET]);
    return t.slice(0, i) + run + t.slice(i + n);
  },
  truncate: (t, r) => t.slice(0, r.int(t.length)),
  'cut three chars (one byte pair)': (t, r) => {
    const i = 4 + 3 * r.int(Math.floor(body(t).length / 3));
    return t.slice(0, i) + t.slice(i + 3);
  },
  'duplicate slice': (t, r) => {
    const i = pos(t, r);
    const j = Math.min(t.length, i + r.between(1, 60));
    return t.slice(0, j) + t.slice(i, j) + t.slice(j);
  },
  'append Base45': (t, r) => {
    let s = t;
    const n = r.between(1, 9);
    for (let k = 0; k < n; k++) s += r.pick([...BASE45_ALPHABET]);
    return s;
  },
  'prefix tweak': (t, r) => r.pick(PREFIXES) + body(t),
};

/** Mutations below the Base45 layer: bytes of the body, or of the COSE inside the zlib stream. */
function byteMutation(text: string, rng: Prng): string {
  const bodyBytes = base45Decode(body(text));
  const compressed = bodyBytes[0] === 0x78;
  const target = compressed && rng.next() < 0.7 ? new Uint8Array(inflateSync(bodyBytes)) : bodyBytes;
  const mutated = mutateBytes(target, rng);
  return qrOfBody(compressed && target !== bodyBytes ? zlib(mutated) : mutated);
}

function mutateBytes(bytes: Uint8Array, rng: Prng): Uint8Array {
  const i = rng.int(bytes.length);
  switch (rng.int(5)) {
    case 0: {
      const out = Uint8Array.from(bytes);
      out[i] = out[i]! ^ (1 << rng.int(8));
      return out;
    }
    case 1: {
      const out = Uint8Array.from(bytes);
      out[i] = rng.int(256);
      return out;
    }
    case 2:
      return concatBytes(bytes.subarray(0, i), Uint8Array.of(rng.int(256)), bytes.subarray(i));
    case 3:
      return concatBytes(bytes.subarray(0, i), bytes.subarray(i + 1));
    default:
      return bytes.subarray(0, i);
  }
}

/** Builds the flood from good lines, deterministically for a seed (the keys behind the lines are fresh). */
export function buildFlood(goodLines: readonly string[], seed: number, mutations: number, randoms: number): Flood {
  const rng = new Prng(seed);
  const lines: Buffer[] = [];
  const kinds = new Map<string, number>();
  const add = (kind: string, line: string | Buffer): void => {
    lines.push(typeof line === 'string' ? Buffer.from(line, 'utf8') : line);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  };
  const signedOf = new Map(goodLines.map((l) => [l, readQr(l).signed]));
  const names = [...Object.keys(TEXT_MUTATORS), 'byte of the body or the COSE', 'two mutations', 'splice of two lines'];
  let equivalent = 0;
  for (let made = 0, attempts = 0; made < mutations && attempts < mutations * 3; attempts++) {
    const original = rng.pick(goodLines);
    const kind = rng.pick(names);
    let text: string;
    if (kind === 'byte of the body or the COSE') text = byteMutation(original, rng);
    else if (kind === 'two mutations')
      text = TEXT_MUTATORS[rng.pick(Object.keys(TEXT_MUTATORS))]!(TEXT_MUTATORS[rng.pick(Object.keys(TEXT_MUTATORS))]!(original, rng), rng);
    else if (kind === 'splice of two lines') {
      const other = rng.pick(goodLines);
      text = original.slice(0, pos(original, rng)) + other.slice(pos(other, rng));
    } else text = TEXT_MUTATORS[kind]!(original, rng);
    if (text === original || /[\0\n\r]/.test(text)) continue;
    if (sameSignedContent(text, signedOf.get(original)!)) {
      equivalent++;
      continue;
    }
    add(`mutation: ${kind}`, text);
    made++;
  }
  addRandomLines(add, rng, randoms);
  return { lines, kinds, equivalent };
}

function sameSignedContent(text: string, signed: string | null): boolean {
  try {
    const read = readQr(text);
    return read.signed !== null && read.signed === signed;
  } catch {
    return false;
  }
}

function randomString(rng: Prng, length: number, pool: () => string): string {
  let s = '';
  while (s.length < length) s += pool();
  return s;
}

/** A code point from anywhere in Unicode except NUL, LF, CR and surrogates, biased to controls and odd ranges. */
function anyCodePoint(rng: Prng): string {
  const ranges: [number, number][] = [
    [0x01, 0x1f],
    [0x20, 0x7e],
    [0x7f, 0x9f],
    [0xa0, 0x2fff],
    [0x3000, 0x9fff],
    [0xe000, 0xffff],
    [0x10000, 0x10ffff],
  ];
  const [lo, hi] = rng.pick(ranges);
  const cp = rng.between(lo, hi);
  return cp === 0x0a || cp === 0x0d ? '\u0085' : String.fromCodePoint(cp);
}

function addRandomLines(add: (kind: string, line: string | Buffer) => void, rng: Prng, count: number): void {
  const base45 = (n: number): string => randomString(rng, n, () => rng.pick([...BASE45_ALPHABET]));
  const generators: [string, () => string | Buffer][] = [
    ['random printable ASCII', () => randomString(rng, rng.between(1, 300), () => String.fromCharCode(rng.between(0x20, 0x7e)))],
    ['RS1: + random Base45 text', () => 'RS1:' + base45(rng.between(0, 900))],
    ['RS1: + Base45 of random bytes', () => qrOfBody(rng.bytes(rng.between(0, 700)))],
    ['RS1: + 0x78 + random bytes', () => qrOfBody(concatBytes(Uint8Array.of(0x78, rng.pick([0x01, 0x5e, 0x9c, 0xda])), rng.bytes(rng.between(0, 500))))],
    ['RS1: + zlib of random bytes', () => qrOfBody(zlib(rng.bytes(rng.between(0, 900))))],
    [
      'RS1: + random COSE-shaped CBOR',
      () => qrOfBody(concatBytes(Uint8Array.of(0xd2), cbor([rng.bytes(rng.int(20)), new Map(), rng.bytes(rng.int(300)), rng.bytes(64)]))),
    ],
    [
      'RS1: + random CBOR claims under tag 18',
      () =>
        qrOfBody(
          zlib(
            concatBytes(
              Uint8Array.of(0xd2),
              cbor([
                cbor(
                  new Map<number, unknown>([
                    [1, -8],
                    [4, rng.bytes(8)],
                  ]),
                ),
                new Map(),
                cbor(randomCbor(rng, 3)),
                rng.bytes(64),
              ]),
            ),
          ),
        ),
    ],
    ['arbitrary UTF-8 with controls', () => randomString(rng, rng.between(1, 400), () => anyCodePoint(rng))],
    ['RS1: + arbitrary UTF-8', () => 'RS1:' + randomString(rng, rng.between(1, 200), () => anyCodePoint(rng))],
    ['raw bytes, often invalid UTF-8', () => Buffer.from(rng.bytes(rng.between(1, 400)).map((b) => (b === 0 || b === 0x0a || b === 0x0d ? 0x80 : b)))],
    ['whitespace only', () => randomString(rng, rng.between(1, 20), () => rng.pick([' ', '\t', '\u000b', '\u000c', '\u00a0', '\u3000']))],
  ];
  for (let i = 0; i < count; i++) {
    const [kind, make] = rng.pick(generators);
    add(kind, make());
  }
  add('empty line', '');
  add('very long: 1 MiB of Base45 after RS1:', 'RS1:' + base45(1 << 20));
  add(
    'very long: 200 000 arbitrary code points',
    randomString(rng, 200_000, () => anyCodePoint(rng)),
  );
  add('very long: 512 KiB of raw bytes', Buffer.from(rng.bytes(1 << 19).map((b) => (b === 0 || b === 0x0a || b === 0x0d ? 0x41 : b))));
  add('long: zlib bomb of 64 MiB zeros', qrOfBody(zlib(new Uint8Array(1 << 26))));
}

function randomCbor(rng: Prng, depth: number): unknown {
  const leaf = (): unknown =>
    rng.pick<() => unknown>([
      () => rng.int(1 << 30),
      () => -rng.int(1000),
      () => rng.bytes(rng.int(20)),
      () => 'x'.repeat(rng.int(10)),
      () => rng.next() < 0.5,
      () => null,
      () => rng.next() * 1e6,
    ])();
  if (depth === 0 || rng.next() < 0.3) return leaf();
  if (rng.next() < 0.5) return Array.from({ length: rng.int(5) }, () => randomCbor(rng, depth - 1));
  const keys: unknown[] = [1, 4, 5, 6, 7, 8, 'v', 'typ', 'dat', 'vp', 'n', rng.int(100)];
  return new Map(Array.from({ length: rng.int(8) }, () => [rng.pick(keys), randomCbor(rng, depth - 1)] as [unknown, unknown]));
}
