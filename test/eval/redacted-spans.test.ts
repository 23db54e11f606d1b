import { describe, expect, it } from 'vitest';
import { spansFromRedaction } from '../../bench/eval/peers/redacted-spans.js';

const syntax = { pattern: /\[REDACTED-([A-Z-]+)\]/g, type: (name: string) => name };

describe('spans recovered from redacted text', () => {
  it('locates each replaced substring between the literal parts', () => {
    const original = 'Mail bob@example.com or call 555-0100 today';
    const redacted = 'Mail [REDACTED-EMAIL] or call [REDACTED-PHONE] today';
    expect(spansFromRedaction(original, redacted, syntax)).toEqual([
      { type: 'EMAIL', start: 5, end: 20 },
      { type: 'PHONE', start: 29, end: 37 },
    ]);
  });

  it('handles placeholders at both ends', () => {
    expect(spansFromRedaction('bob@example.com says hi to 555-0100', '[REDACTED-EMAIL] says hi to [REDACTED-PHONE]', syntax)).toEqual([
      { type: 'EMAIL', start: 0, end: 15 },
      { type: 'PHONE', start: 27, end: 35 },
    ]);
  });

  it('merges touching placeholders (their boundary is unknowable)', () => {
    expect(spansFromRedaction('x AAAABBBB y', 'x [REDACTED-A][REDACTED-B] y', syntax)).toEqual([{ type: 'A', start: 2, end: 10 }]);
  });

  it('returns nothing when the texts do not align or nothing was replaced', () => {
    expect(spansFromRedaction('same text', 'same text', syntax)).toEqual([]);
    expect(spansFromRedaction('one thing', 'other [REDACTED-A] thing', syntax)).toEqual([]);
  });
});
