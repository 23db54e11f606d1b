import { describe, expect, it } from 'vitest';
import RE2 from 're2';
import { compileCustomRules, createCustomRuleDetector, runCustomRules } from '../../src/detectors/custom-rules.js';
import { analyzeText } from '../../src/detectors/normalize/analyze-text.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import type { CustomRuleSpec } from '../../src/policy/types.js';
import type { AnalyzedText, DirectionName, Finding, TextView } from '../../src/detectors/types.js';
import { compiledPolicy, customRule, decodedView, originalOnly, withViews } from './compiled-policy-fixture.js';

function scan(rules: CustomRuleSpec[], text: AnalyzedText | string, direction: DirectionName = 'INPUT'): Finding[] {
  const detector = createCustomRuleDetector(compiledPolicy({ customRules: rules }));
  if (detector === null) throw new Error('expected a detector');
  return detector.detect({ text: typeof text === 'string' ? originalOnly(text) : text, direction });
}

const elephant = customRule({ id: 'no-purple-elephants', pattern: 'purple\\s+elephant', action: 'BLOCK' });

describe('custom rules: patterns', () => {
  it('matches case-insensitively by default, spanning exactly the match', () => {
    const text = 'a Purple  elephant walked in';
    const [finding, ...rest] = scan([elephant], text);
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      type: 'CUSTOM_RULE',
      detector: 'custom-rules',
      ruleId: 'no-purple-elephants',
      action: 'BLOCK',
      severity: 'HIGH',
      confidence: 1,
      owaspId: 'LLM01',
      atlasTechnique: '',
    });
    expect(finding?.spans).toEqual([{ start: 2, end: 18 }]);
    expect(text.slice(2, 18)).toBe('Purple  elephant');
  });

  it('does not put the matched text in the description', () => {
    const [finding] = scan([elephant], 'a purple elephant');
    expect(finding?.description).not.toMatch(/purple elephant/i);
  });

  it('respects caseSensitive: true', () => {
    const rule = { ...elephant, caseSensitive: true };
    expect(scan([rule], 'a Purple elephant')).toEqual([]);
    expect(scan([rule], 'a purple elephant')).toHaveLength(1);
  });

  it('folds case beyond ASCII', () => {
    const rule = customRule({ id: 'cafe-pattern', pattern: 'café\\s+noir' });
    expect(scan([rule], 'UN CAFÉ NOIR')[0]?.spans).toEqual([{ start: 3, end: 12 }]);
  });

  it('passes benign text, including text with only one of the words', () => {
    expect(scan([elephant], 'a purple hat and a grey elephant')).toEqual([]);
  });

  it('reports every occurrence as a span of one finding', () => {
    const [finding] = scan([elephant], 'purple elephant, PURPLE ELEPHANT');
    expect(finding?.spans).toEqual([
      { start: 0, end: 15 },
      { start: 17, end: 32 },
    ]);
  });

  it('uses the rule severity and action (WARN / MEDIUM)', () => {
    const [finding] = scan([{ ...elephant, action: 'WARN', severity: 'MEDIUM', description: 'no elephants' }], 'purple elephant');
    expect(finding).toMatchObject({ action: 'WARN', severity: 'MEDIUM', description: 'no elephants' });
  });

  it('honours directions', () => {
    const outputOnly = { ...elephant, directions: ['OUTPUT'] as DirectionName[] };
    expect(scan([outputOnly], 'purple elephant', 'INPUT')).toEqual([]);
    expect(scan([outputOnly], 'purple elephant', 'OUTPUT')).toHaveLength(1);
    const inputOnly = { ...elephant, directions: ['INPUT'] as DirectionName[] };
    expect(scan([inputOnly], 'purple elephant', 'OUTPUT')).toEqual([]);
  });

  it('matches inside decoded runs, spanning the whole encoded run', () => {
    const original = 'look: cHVycGxlIGVsZXBoYW50 ok';
    const text = withViews(original, [decodedView('purple elephant', 6, 26)]);
    const [finding] = scan([elephant], text);
    expect(finding?.spans).toEqual([{ start: 6, end: 26 }]);
    // Decoded runs are normalised (lower-cased) text: case-sensitive rules stay on the original.
    expect(scan([{ ...elephant, caseSensitive: true }], text)).toEqual([]);
  });

  it('runs case-insensitive rules on the normalised view, case-sensitive ones not', () => {
    // Full-width letters that a normaliser folds to ASCII; the mapping is 1:1 here.
    const original = 'ｐｕｒｐｌｅ ｅｌｅｐｈａｎｔ';
    const normalized: TextView = { kind: 'normalized', text: 'purple elephant', toOriginal: (s, e) => ({ start: s, end: e }) };
    expect(scan([elephant], withViews(original, [normalized]))[0]?.spans).toEqual([{ start: 0, end: 15 }]);
    expect(scan([{ ...elephant, caseSensitive: true }], withViews(original, [normalized]))).toEqual([]);
  });

  it('catches homoglyph and zero-width evasion through the real normaliser', () => {
    const original = 'a purple \u0435le\u200Bphant'; // Cyrillic "е", zero-width space
    const [finding] = scan([elephant], analyzeText(original));
    expect(finding?.spans).toEqual([{ start: 2, end: original.length }]);
  });

  it('runs a catastrophic-backtracking pattern in linear time (RE2)', () => {
    const rule = customRule({ id: 'redos', pattern: '(a+)+$' });
    const compiled = compileCustomRules([rule]);
    expect(compiled.rules[0]?.regex).toBeInstanceOf(RE2);
    const noMatch = 'a'.repeat(100_000) + 'b';
    const t0 = performance.now();
    const findings = runCustomRules(compiled, { text: originalOnly(noMatch), direction: 'INPUT' });
    const elapsed = performance.now() - t0;
    expect(findings).toEqual([]);
    expect(elapsed).toBeLessThan(200);
    const match = runCustomRules(compiled, { text: originalOnly('a'.repeat(100_000)), direction: 'INPUT' });
    expect(match[0]?.spans).toEqual([{ start: 0, end: 100_000 }]);
  });
});

describe('custom rules: phrases', () => {
  const phrases = customRule({ id: 'project-names', phrases: ['secret project', 'Nightingale', 'c++'], action: 'REDACT' });

  it('matches whole words, case-insensitively, across whitespace runs', () => {
    const text = 'The Secret  Project NIGHTINGALE ships';
    const [finding] = scan([phrases], text);
    expect(finding?.spans.map((s) => text.slice(s.start, s.end))).toEqual(['Secret  Project', 'NIGHTINGALE']);
    expect(finding?.action).toBe('REDACT');
  });

  it('does not match inside longer words', () => {
    expect(scan([phrases], 'topsecret projects and nightingales')).toEqual([]);
    expect(scan([phrases], 'secret projectile')).toEqual([]);
  });

  it('treats non-ASCII letters as word characters', () => {
    const rule = customRule({ id: 'cafe', phrases: ['café'] });
    expect(scan([rule], 'les cafés')).toEqual([]);
    expect(scan([rule], 'un café noir')[0]?.spans).toEqual([{ start: 3, end: 7 }]);
  });

  it('matches adjacent phrases sharing one boundary character', () => {
    const rule = customRule({ id: 'spam', phrases: ['spam'] });
    expect(scan([rule], 'spam spam')[0]?.spans).toEqual([
      { start: 0, end: 4 },
      { start: 5, end: 9 },
    ]);
  });

  it('escapes metacharacters in phrases and needs no word boundary next to them', () => {
    expect(scan([phrases], 'I write C++ daily')[0]?.spans).toEqual([{ start: 8, end: 11 }]);
    expect(scan([phrases], 'I write cxx daily')).toEqual([]);
  });

  it('matches on the normalised view and maps spans to the original', () => {
    // Original has a zero-width space inside the word; the normaliser removed it.
    const original = 'the Night\u200Bingale plan';
    const normalized: TextView = {
      kind: 'normalized',
      text: 'the nightingale plan',
      toOriginal: (s, e) => ({ start: s <= 9 ? s : s + 1, end: e <= 9 ? e : e + 1 }),
    };
    const [finding] = scan([phrases], withViews(original, [normalized]));
    expect(finding?.spans).toEqual([{ start: 4, end: 16 }]);
  });
});

describe('custom rules: validation', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['lookahead', '(?=x)abc', /lookahead/],
    ['backreference', '(a)\\1', /backreference/],
    ['unclosed class', '[', /invalid RE2 syntax/],
    ['lookbehind', '(?<!a)b', /lookbehind/],
  ];
  for (const [name, pattern, reason] of cases) {
    it(`rejects a ${name} with PolicyValidationError naming the rule id`, () => {
      const rule = customRule({ id: `bad-${name.replace(' ', '-')}`, pattern });
      let error: unknown;
      try {
        compileCustomRules([customRule({ id: 'fine', pattern: 'ok' }), rule]);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(PolicyValidationError);
      const message = (error as Error).message;
      expect(message).toContain(`"${rule.id}"`);
      expect(message).toMatch(reason);
      expect((error as PolicyValidationError).location).toBe('customRules[1].pattern');
    });
  }

  it('rejects a pattern that matches the empty string', () => {
    expect(() => compileCustomRules([customRule({ id: 'empty-match', pattern: 'x*' })])).toThrow(/empty-match.*empty string/);
  });

  it('rejects a rule with both or neither of pattern and phrases', () => {
    expect(() => compileCustomRules([customRule({ id: 'both', pattern: 'x', phrases: ['y'] })])).toThrow(PolicyValidationError);
    expect(() => compileCustomRules([customRule({ id: 'neither' })])).toThrow(/"neither".*exactly one/);
  });

  it('rejects empty phrase lists and empty phrases', () => {
    expect(() => compileCustomRules([customRule({ id: 'no-phrases', phrases: [] })])).toThrow(/"no-phrases"/);
    expect(() => compileCustomRules([customRule({ id: 'blank', phrases: ['ok', '  '] })])).toThrow(/"blank".*phrase 1 is empty/);
  });

  it('rejects duplicate rule ids and empty directions', () => {
    expect(() => compileCustomRules([customRule({ id: 'dup', pattern: 'a' }), customRule({ id: 'dup', pattern: 'b' })])).toThrow(
      /"dup".*duplicate/,
    );
    expect(() => compileCustomRules([customRule({ id: 'nowhere', pattern: 'a', directions: [] })])).toThrow(/"nowhere".*directions/);
  });

  it('the factory also throws for an invalid rule, and returns null without rules', () => {
    expect(() => createCustomRuleDetector(compiledPolicy({ customRules: [customRule({ id: 'x', pattern: '(' })] }))).toThrow(
      PolicyValidationError,
    );
    expect(createCustomRuleDetector(compiledPolicy())).toBeNull();
  });
});
