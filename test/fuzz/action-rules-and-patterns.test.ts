/**
 * Properties of what action rules and custom rules compile from policy text and read from
 * agents: URL parsing (never throws; canonical hosts are stable; disguises are flagged), host
 * patterns, globs (a glob made from a string by wildcarding matches it), and RE2 user patterns
 * (compiled or refused with a UserPatternError / a PolicyValidationError naming the rule).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findActionUrl, parseActionUrl } from '../../src/actions/action-url.js';
import { compileGlob } from '../../src/actions/glob.js';
import { canonicalHost, canonicalHostPattern, HostMatcher } from '../../src/actions/host-names.js';
import { compileCustomRules } from '../../src/detectors/custom-rules.js';
import { allMatchSpans, compileUserPattern, UserPatternError } from '../../src/detectors/user-pattern.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import type { CustomRuleSpec } from '../../src/policy/types.js';
import { hostileText } from './arbitraries.js';
import { fuzzParams, fuzzTimeout } from './fuzz-runs.js';

const urlPiece = fc.constantFrom('http://', 'https://', '//', 'ftp://', 'javascript:', 'file:///', 'http:\\\\', 'user:pw@', '@', '%2e', '%00', '[::ffff:127.0.0.1]', '0x7f.1', '2130706433', '169.254.169.254', 'xn--e1afmkfd', 'пример', '.', ':80', ':99999', '/', '?', '#', '\\', ' ', '\t', 'evil.example', 'a.b.c');
const trickyUrl = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.array(urlPiece, { maxLength: 8 }).map((p) => p.join('')),
  hostileText,
);

const regexToken = fc.constantFrom('a', 'b', '.', '*', '+', '?', '|', '(', ')', '(?:', '[', ']', '[^a]', '{2}', '{1001}', '^', '$', '\\1', '(?=', '(?!', '(?<=', '(?<!', '\\b', '\\p{L}', '\\pN', '\\Q', '\\E', '\\', '\\d', '(?i)', '(?P<n>', '\ud800', 'é', '😀');
const regexLike = fc.oneof(fc.array(regexToken, { maxLength: 12 }).map((t) => t.join('')), hostileText);

describe('fuzzing action-rule parsing', () => {
  it('parseActionUrl never throws; a parsed host is canonical and stable; credentials and backslashes are flagged', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(trickyUrl, (raw) => {
        const url = parseActionUrl(raw);
        if (!url) return;
        expect(canonicalHost(url.host)).toBe(url.host);
        expect(url.host).toBe(url.host.toLowerCase());
        expect(url.host.endsWith('.')).toBe(false);
        if (raw.includes('\\')) expect(url.suspicious.join(' ')).toMatch(/backslash/);
        if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(raw)) expect(url.suspicious.join(' ')).toMatch(/credentials/);
      }),
      fuzzParams(2000),
    );
  });

  it('findActionUrl picks the target or a URL-named parameter, never throws', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(trickyUrl, fc.dictionary(fc.constantFrom('url', 'uri', 'endpoint', 'x'), fc.oneof(trickyUrl, fc.integer(), fc.constant(null))), (target, parameters) => {
        const found = findActionUrl(target, parameters);
        if (found !== undefined) expect(found === target || Object.values(parameters).includes(found)).toBe(true);
      }),
      fuzzParams(2000),
    );
  });

  it('host patterns: never throw; canonical patterns are fixed points; an exact pattern matches its own host', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.domain().map((d) => `*.${d}`), fc.array(urlPiece, { maxLength: 4 }).map((p) => p.join('')), hostileText), (pattern) => {
        const canonical = canonicalHostPattern(pattern);
        if (canonical === undefined) return;
        expect(canonicalHostPattern(canonical)).toBe(canonical);
        const matcher = new HostMatcher([pattern]);
        if (!canonical.startsWith('*.')) expect(matcher.matches(canonical)).toBe(true);
        else expect(matcher.matches(`sub${canonical.slice(1)}`)).toBe(true);
      }),
      fuzzParams(1500),
    );
  });

  it('globs: never throw; a glob made by wildcarding a string matches that string', { timeout: fuzzTimeout(30_000) }, () => {
    const wildcarded = fc.tuple(fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '*', '?', '(', '[', '\\', '$', '^', 'é', '😀'), maxLength: 20 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom('*', '?')), { maxLength: 3 }));
    fc.assert(
      fc.property(wildcarded, fc.constantFrom<'target' | 'path'>('target', 'path'), hostileText, ([value, stars], mode, other) => {
        const chars = [...value];
        // "?" replaces one character of the value (never "/" in path mode, where wildcards stay
        // inside a segment); "*" is inserted anywhere (it may match nothing).
        for (const [at, wild] of stars) {
          const i = at % (chars.length + 1);
          if (wild === '?' && chars[i] !== undefined && chars[i] !== '*' && !(mode === 'path' && chars[i] === '/')) chars[i] = '?';
        }
        for (const [at, wild] of stars) if (wild === '*') chars.splice(at % (chars.length + 1), 0, '*');
        const matcher = compileGlob(chars.join(''), mode);
        expect(matcher(value)).toBe(true);
        matcher(other);
      }),
      fuzzParams(1500),
    );
  });
});

describe('fuzzing user patterns (RE2)', () => {
  it('compileUserPattern: an RE2 program or a UserPatternError; matches are non-empty, ordered spans inside the text', { timeout: fuzzTimeout(30_000) }, () => {
    fc.assert(
      fc.property(regexLike, fc.constantFrom('g', 'gi', 'gu', 'giu'), hostileText, (source, flags, text) => {
        let re;
        try {
          re = compileUserPattern(source, flags);
        } catch (err) {
          expect(err).toBeInstanceOf(UserPatternError);
          return;
        }
        let last = 0;
        for (const span of allMatchSpans(re, text, 50)) {
          expect(span.start).toBeGreaterThanOrEqual(last);
          expect(span.end).toBeGreaterThan(span.start);
          expect(span.end).toBeLessThanOrEqual(text.length);
          last = span.end;
        }
      }),
      fuzzParams(1000),
    );
  });

  it('compileCustomRules: compiled, or a PolicyValidationError that names the failing rule', { timeout: fuzzTimeout(30_000) }, () => {
    const rule = fc.record({
      id: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
      kind: fc.constantFrom('pattern', 'phrases'),
      pattern: regexLike,
      phrases: fc.array(hostileText, { minLength: 0, maxLength: 3 }),
      caseSensitive: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 3 }), (rules) => {
        const specs: CustomRuleSpec[] = rules.map((r) => ({
          id: r.id,
          ...(r.kind === 'pattern' ? { pattern: r.pattern } : { phrases: r.phrases }),
          action: 'BLOCK',
          severity: 'HIGH',
          directions: ['INPUT', 'OUTPUT'],
          caseSensitive: r.caseSensitive,
        }));
        try {
          compileCustomRules(specs);
        } catch (err) {
          expect(err).toBeInstanceOf(PolicyValidationError);
          expect((err as PolicyValidationError).location).toMatch(/^customRules(\[\d+\])?/);
        }
      }),
      fuzzParams(300),
    );
  });
});
