/**
 * The policy's allow-list: RE2 patterns for text that is known to be harmless (a company's
 * public test key, a documentation host name, ...). The engine drops a finding when EVERY one of
 * its spans lies fully inside a single allow-list match in the original content. A finding about
 * the whole content (no spans) is never dropped: an allow-list exempts text, not verdicts.
 *
 * Matching runs on the original content only, because spans are in original offsets and an
 * allow-list must not be widened by normalisation.
 */
import type { Finding, TextSpan } from './types.js';
import { PolicyValidationError } from '../policy/policy-error.js';
import { UserPatternError, allMatchSpans, compileUserPattern } from './user-pattern.js';
import type RE2 from 're2';

/** Bound on matches collected per pattern and scan, so adversarial input cannot grow memory. */
const MAX_MATCHES_PER_PATTERN = 1000;

/** A compiled allow-list. Built once per policy, used for every scan. */
export interface AllowList {
  /** Number of patterns. */
  readonly size: number;
  /** Every allow-list match in `original` (UTF-16 offsets), sorted by start. */
  matches(original: string): TextSpan[];
  /** True when every span lies inside one of `allowed` (and there is at least one span). */
  covers(spans: readonly TextSpan[], allowed: readonly TextSpan[]): boolean;
  /** `findings` without those the allow-list covers; matches are computed only when needed. */
  filterFindings(original: string, findings: readonly Finding[]): Finding[];
}

function insideOne(span: TextSpan, allowed: readonly TextSpan[]): boolean {
  return allowed.some((a) => a.start <= span.start && span.end <= a.end);
}

function covers(spans: readonly TextSpan[], allowed: readonly TextSpan[]): boolean {
  return spans.length > 0 && spans.every((s) => insideOne(s, allowed));
}

/**
 * Compiles allow-list patterns with RE2.
 * @throws PolicyValidationError naming the pattern's index and the reason when RE2 rejects a
 *   pattern, or when it matches the empty string.
 */
export function compileAllowList(patterns: readonly string[]): AllowList {
  const compiled: RE2[] = patterns.map((pattern, index) => {
    try {
      return compileUserPattern(pattern, 'g');
    } catch (err) {
      if (err instanceof UserPatternError) {
        throw new PolicyValidationError(`allow-list pattern ${index} is invalid: ${err.reason}`, `allowPatterns[${index}]`);
      }
      throw err;
    }
  });

  const matches = (original: string): TextSpan[] =>
    compiled
      .flatMap((re) => allMatchSpans(re, original, MAX_MATCHES_PER_PATTERN))
      .sort((a, b) => a.start - b.start || b.end - a.end);

  return {
    size: compiled.length,
    matches,
    covers,
    filterFindings(original, findings) {
      if (compiled.length === 0 || findings.every((f) => f.spans.length === 0)) return [...findings];
      const allowed = matches(original);
      if (allowed.length === 0) return [...findings];
      return findings.filter((f) => !covers(f.spans, allowed));
    },
  };
}
