import { describe, expect, it } from 'vitest';
import { chooseReleaseCut, MAX_TOKEN_HOLD } from '../../src/engine/stream-window.js';

const cut = (content: string, opts: Partial<{ prefixLength: number; final: boolean; holdBack: number; holdSpans: { start: number; end: number }[] }> = {}): number =>
  chooseReleaseCut({ content, prefixLength: 0, final: false, holdBack: 0, holdSpans: [], ...opts });

describe('chooseReleaseCut', () => {
  it('releases up to the last whitespace when the text ends mid-word (more may follow)', () => {
    expect(cut('mail alice@exa')).toBe('mail '.length);
    expect(cut('hello world ')).toBe('hello world '.length);
  });

  it('releases everything when final', () => {
    expect(cut('mail alice@exa', { final: true })).toBe(14);
  });

  it('holds back holdBack units, then backs up to a word boundary', () => {
    const text = 'one two three four';
    expect(cut(text, { holdBack: 3 })).toBe('one two three '.length);
    expect(cut(text, { holdBack: 100 })).toBe(0);
  });

  it('never cuts inside a finding, even one containing whitespace', () => {
    const text = 'call 555 123 4567 now please';
    const phone = { start: 5, end: 17 };
    // holdBack leaves the cut at 22 ("call 555 123 4567 now |please"): fine, after the phone.
    expect(cut(text, { holdBack: 6, holdSpans: [phone] })).toBe(22);
    // A cut that lands inside the phone number moves before it.
    expect(cut(text, { holdBack: 15, holdSpans: [phone] })).toBe(5);
  });

  it('chains: moving before one finding can land inside another word or finding', () => {
    const text = 'aaa bbb-ccc ddd';
    expect(cut(text, { holdBack: 2, holdSpans: [{ start: 8, end: 14 }] })).toBe(4);
  });

  it('never goes before the prefix, and holds a token that started in the prefix', () => {
    const text = 'released tok' + 'en-still-coming';
    expect(cut(text, { prefixLength: 12 })).toBe(12);
  });

  it('cuts inside a run of non-whitespace longer than MAX_TOKEN_HOLD (a stream never stalls)', () => {
    const blob = 'x'.repeat(MAX_TOKEN_HOLD * 10);
    const text = `start ${blob}`;
    expect(cut(text, { holdBack: 16 })).toBe(text.length - 16);
    // A run shorter than the bound is held whole.
    const short = `start ${'x'.repeat(MAX_TOKEN_HOLD - 10)}`;
    expect(cut(short, { holdBack: 16 })).toBe(6);
  });

  it('never splits a surrogate pair', () => {
    const text = 'x'.repeat(MAX_TOKEN_HOLD + 5) + '😀😀😀';
    const at = cut(text, { holdBack: 3 });
    const code = text.charCodeAt(at);
    expect(code >= 0xdc00 && code <= 0xdfff).toBe(false);
  });
});
