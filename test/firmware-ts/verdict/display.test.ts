import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displaySafe, maskId, maskName } from '../../../firmware-ts/verdict/display-text.js';
import { orderReasons, verdictOf } from '../../../firmware-ts/core/reasons.js';

describe('display text', () => {
  it('never lets a control, bidi or zero-width character through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(displaySafe(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
        expect(Array.from(displaySafe(s)).length).toBeLessThanOrEqual(64);
      }),
    );
  });

  it.each([
    ['张三', '张*'],
    ['张三丰', '张*丰'],
    ['欧阳娜娜', '欧**娜'],
    ['Z', 'Z'],
  ])('masks the name %s as %s', (name, masked) => expect(maskName(name)).toBe(masked));

  it('masks an ID number to its first 3 and last 4 characters', () => {
    expect(maskId('110105199001011234')).toBe('110***********1234');
    expect(maskId('110105********1234')).toBe('110***********1234');
  });
});

describe('verdicts', () => {
  it('orders reasons by importance and lets a reject win over a warn', () => {
    const reasons = orderReasons(['STATUS_LIST_STALE', 'PAPER_REQUIRED', 'REVOKED', 'PAPER_REQUIRED']);
    expect(reasons).toEqual(['REVOKED', 'PAPER_REQUIRED', 'STATUS_LIST_STALE']);
    expect(verdictOf(reasons)).toBe('reject');
    expect(verdictOf(['CHECK_ID'])).toBe('warn');
    expect(verdictOf([])).toBe('accept');
  });
});
