/**
 * One text-safety rule for every place a stranger's text reaches a person: the drivers, the
 * logs, the errors and the screen all refuse or remove the same characters.
 */
import { describe, expect, it } from 'vitest';
import { displaySafe, hasUnsafeText, oneLine, safeLogText, stripUnsafe } from '../../../firmware-ts/core/text-safety.js';
import { safeLogValue as logFilter } from '../../../firmware-ts/log/log-safety.js';
import { displaySafe as screenFilter } from '../../../firmware-ts/verdict/display-text.js';
import { decodeFrame } from '../../../hal/scanner/frame-parser.js';
import { runCli } from '../../helpers/cli.js';

const UNSAFE: Record<string, string> = {
  NUL: '\u0000',
  ESC: '\u001b',
  DEL: '\u007f',
  'C1 NEL': '\u0085',
  'C1 CSI': '\u009b',
  'bidi override': '\u202e',
  'bidi isolate': '\u2066',
  'zero-width space': '\u200b',
  'word joiner': '\u2060',
  BOM: '\ufeff',
  'line separator': '\u2028',
  'paragraph separator': '\u2029',
};

describe('core/text-safety', () => {
  for (const [name, ch] of Object.entries(UNSAFE)) {
    it(`every filter agrees on ${name}`, () => {
      const text = `ab${ch}cd`;
      expect(hasUnsafeText(text)).toBe(true);
      expect(stripUnsafe(text)).toBe('abcd');
      expect(oneLine(text)).toBe('ab cd');
      expect(displaySafe(text)).toBe('abcd');
      expect(screenFilter(text)).toBe('abcd');
      expect(safeLogText(text)).toBe('ab\ufffdcd');
      expect(logFilter(text)).toBe('ab\ufffdcd');
      expect(decodeFrame(new TextEncoder().encode(`RS1:A${ch}B`))).toEqual({ ok: false, reason: 'control-characters' });
    });
  }

  it('keeps the text people write: Chinese, accents, emoji', () => {
    for (const t of ['张三', 'Zoë', '京A·12345', '🚌']) {
      expect(hasUnsafeText(t)).toBe(false);
      expect(oneLine(t)).toBe(t);
    }
  });

  it('caps by code points, never splitting a character', () => {
    expect(displaySafe('张'.repeat(100), 10)).toBe(`${'张'.repeat(9)}…`);
    expect(oneLine('🚌'.repeat(10), 4)).toBe('🚌🚌🚌…');
  });

  it('reaches the command line: no C1 control on standard error', async () => {
    const r = await runCli(['verify', '--config', 'no\u009b31mwhere\u202e.json', 'RS1:X']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^roadscan: /);
    expect(hasUnsafeText(r.stderr.trimEnd())).toBe(false);
  });
});
