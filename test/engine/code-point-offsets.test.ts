import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CodePointIndex } from '../../src/engine/code-point-offsets.js';

/** Reference: code points in text.slice(0, unit), counting a split pair's first half as one. */
function referenceCount(text: string, unit: number): number {
  return Array.from(text.slice(0, unit)).length;
}

describe('CodePointIndex', () => {
  it('is the identity for BMP-only text', () => {
    const index = new CodePointIndex('héllo wörld');
    expect(index.startOf(3)).toBe(3);
    expect(index.endOf(11)).toBe(11);
    expect(index.toUtf16(5)).toBe(5);
    expect(index.length).toBe(11);
  });

  it('counts an emoji as one code point', () => {
    const text = 'a😀b🎉c';
    const index = new CodePointIndex(text);
    expect(index.length).toBe(5);
    // "b" is at unit 3, code point 2; "c" is at unit 6, code point 4.
    expect(index.startOf(3)).toBe(2);
    expect(index.endOf(4)).toBe(3);
    expect(index.startOf(6)).toBe(4);
    expect(index.toUtf16(2)).toBe(3);
    expect(index.toUtf16(4)).toBe(6);
    expect(index.toUtf16(1)).toBe(1);
  });

  it('rounds a span that splits a surrogate pair outward (the whole character is included)', () => {
    const index = new CodePointIndex('a😀b');
    expect(index.startOf(2)).toBe(1); // inside the emoji: start at the emoji
    expect(index.endOf(2)).toBe(2); // inside the emoji: end after the emoji
  });

  it('counts lone surrogates as one code point each', () => {
    const index = new CodePointIndex('a\uD800b\uDC00c');
    expect(index.length).toBe(5);
    expect(index.startOf(4)).toBe(4);
  });

  it('agrees with Array.from for every boundary of random text, and round-trips', () => {
    const alphabet = fc.constantFrom('a', 'é', ' ', '😀', '𝒜', '中', '\n', '👩‍👩‍👧');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join('')), (text) => {
        const index = new CodePointIndex(text);
        const cps = Array.from(text);
        expect(index.length).toBe(cps.length);
        for (let unit = 0; unit <= text.length; unit++) {
          if (index.splitsPair(unit)) continue;
          expect(index.startOf(unit)).toBe(referenceCount(text, unit));
          expect(index.endOf(unit)).toBe(referenceCount(text, unit));
          expect(index.toUtf16(index.startOf(unit))).toBe(unit);
        }
      }),
    );
  });
});
