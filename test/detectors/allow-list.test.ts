import { describe, expect, it } from 'vitest';
import { compileAllowList } from '../../src/detectors/allow-list.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import type { Finding, TextSpan } from '../../src/detectors/types.js';

function finding(ruleId: string, spans: TextSpan[]): Finding {
  return {
    type: 'SECRET',
    severity: 'HIGH',
    confidence: 0.9,
    detector: 'secrets',
    ruleId,
    spans,
    owaspId: 'LLM02',
    atlasTechnique: 'AML.T0055',
    description: 'test finding',
  };
}

describe('allow-list', () => {
  const text = 'key sk_test_PUBLICDEMO000 and ghp_realLookingTokenValue here';
  const allow = compileAllowList(['sk_test_PUBLICDEMO\\d+', '(?i)EXAMPLE\\.COM']);
  const demoStart = text.indexOf('sk_test');
  const demo = { start: demoStart, end: demoStart + 'sk_test_PUBLICDEMO000'.length };
  const ghStart = text.indexOf('ghp_');
  const gh = { start: ghStart, end: ghStart + 'ghp_realLookingTokenValue'.length };

  it('finds matches in the original text', () => {
    expect(allow.size).toBe(2);
    expect(allow.matches(text)).toEqual([demo]);
    expect(allow.matches('mail me at user@Example.com')).toEqual([{ start: 16, end: 27 }]);
  });

  it('drops a finding whose spans are fully inside a match, keeps the others', () => {
    const inside = finding('inside', [{ start: demo.start + 8, end: demo.end }]);
    const exact = finding('exact', [demo]);
    const elsewhere = finding('elsewhere', [gh]);
    const kept = allow.filterFindings(text, [inside, exact, elsewhere]);
    expect(kept.map((f) => f.ruleId)).toEqual(['elsewhere']);
  });

  it('keeps a finding that only partly overlaps a match', () => {
    const partial = finding('partial', [{ start: demo.start - 4, end: demo.end }]);
    expect(allow.filterFindings(text, [partial])).toHaveLength(1);
  });

  it('keeps a finding with one span outside, drops one with all spans inside', () => {
    expect(allow.filterFindings(text, [finding('mixed', [demo, gh])])).toHaveLength(1);
    const twice = 'sk_test_PUBLICDEMO1 sk_test_PUBLICDEMO2';
    const both = finding('both', [
      { start: 0, end: 19 },
      { start: 20, end: 39 },
    ]);
    expect(allow.filterFindings(twice, [both])).toEqual([]);
  });

  it('requires containment in a single match, not in the union of two', () => {
    const list = compileAllowList(['abc', 'def']);
    expect(list.covers([{ start: 1, end: 5 }], list.matches('abcdef'))).toBe(false);
    expect(list.covers([{ start: 3, end: 6 }], list.matches('abcdef'))).toBe(true);
  });

  it('never drops a finding about the whole content (no spans)', () => {
    const whole = finding('whole', []);
    expect(allow.filterFindings(text, [whole])).toEqual([whole]);
  });

  it('passes findings through unchanged when the list is empty', () => {
    const empty = compileAllowList([]);
    const f = finding('f', [demo]);
    expect(empty.size).toBe(0);
    expect(empty.filterFindings(text, [f])).toEqual([f]);
  });

  it('rejects invalid patterns with PolicyValidationError naming the index', () => {
    for (const [pattern, reason] of [
      ['(?=x)', /lookahead/],
      ['(a)\\1', /backreference/],
      ['[', /invalid RE2 syntax/],
      ['a*', /empty string/],
    ] as const) {
      let error: unknown;
      try {
        compileAllowList(['fine', pattern]);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(PolicyValidationError);
      expect((error as Error).message).toMatch(/allow-list pattern 1 is invalid/);
      expect((error as Error).message).toMatch(reason);
      expect((error as PolicyValidationError).location).toBe('allowPatterns[1]');
    }
  });

  it('handles a catastrophic pattern in linear time', () => {
    const list = compileAllowList(['(a+)+$']);
    const t0 = performance.now();
    expect(list.matches('a'.repeat(100_000) + 'b')).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
