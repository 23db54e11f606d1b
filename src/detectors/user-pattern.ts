/**
 * Compiles patterns that come from a policy (custom rules, allow-list) with RE2.
 *
 * Policy authors write these patterns, so they are untrusted: RE2 guarantees linear-time
 * matching (no catastrophic backtracking) and rejects the constructs that would need
 * backtracking. This module turns RE2's terse errors into messages a policy author can act on.
 */
import RE2 from 're2';

/** Longest pattern we accept; RE2 would also refuse huge programs, but later and less clearly. */
export const MAX_USER_PATTERN_LENGTH = 4096;

/** Why RE2 refused a pattern, or why we did. Never contains scanned content. */
export class UserPatternError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UserPatternError';
  }
}

/** Maps RE2's parser messages to a sentence naming the unsupported feature. */
function explainRe2Error(message: string): string {
  if (/invalid perl operator: \(\?<?[=!]/.test(message)) {
    return `lookahead and lookbehind are not supported by RE2 (${message})`;
  }
  if (/invalid escape sequence: \\[1-9]/.test(message)) {
    return `backreferences are not supported by RE2 (${message})`;
  }
  if (/invalid repetition size/.test(message)) {
    return `repetition counts above 1000 are not supported by RE2 (${message})`;
  }
  if (/pattern too large/.test(message)) {
    return `the pattern is too large for RE2 (${message})`;
  }
  return `invalid RE2 syntax (${message})`;
}

/**
 * Compiles a policy-supplied pattern with RE2 using the given flags.
 * Throws {@link UserPatternError} when the pattern is empty, too long, rejected by RE2,
 * or matches the empty string (such a pattern matches everywhere, which is always a mistake).
 */
export function compileUserPattern(pattern: string, flags: string): RE2 {
  if (pattern.length === 0) throw new UserPatternError('the pattern is empty');
  if (pattern.length > MAX_USER_PATTERN_LENGTH) {
    throw new UserPatternError(`the pattern is longer than ${MAX_USER_PATTERN_LENGTH} characters`);
  }
  let re: RE2;
  try {
    re = new RE2(pattern, flags);
  } catch (err) {
    throw new UserPatternError(explainRe2Error(err instanceof Error ? err.message : String(err)));
  }
  // A fresh, flag-identical instance so the probe does not disturb lastIndex of the returned one.
  if (new RE2(pattern, flags.replace('g', '')).test('')) {
    throw new UserPatternError('the pattern matches the empty string, so it would match every text');
  }
  return re;
}

/**
 * All matches of a global RE2 in `text` as [start, end) UTF-16 offsets, at most `limit`.
 * Zero-length matches are skipped (and cannot loop forever).
 */
export function allMatchSpans(re: RE2, text: string, limit: number): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (spans.length < limit && (m = re.exec(text)) !== null) {
    const end = m.index + m[0].length;
    if (end === m.index) {
      re.lastIndex = m.index + 1;
      if (re.lastIndex > text.length) break;
      continue;
    }
    spans.push({ start: m.index, end });
  }
  re.lastIndex = 0;
  return spans;
}
