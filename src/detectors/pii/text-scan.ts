/**
 * Small helpers shared by the recognizers: iterating RE2 matches and checking that a
 * match is not glued to surrounding letters or digits.
 *
 * RE2's `\b` only knows ASCII word characters, so "é123456789" would pass `\b\d{9}`;
 * recognizers call {@link isolated} to apply a Unicode-aware boundary as well.
 */
import type RE2 from 're2';

/**
 * Calls `visit` for each match of a global RE2 in `text`. `visit` may return the index at
 * which scanning continues (to skip or to back up after a greedy candidate was trimmed).
 */
export function forEachMatch(re: RE2, text: string, visit: (match: RegExpExecArray) => number | void): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const next = visit(m);
    const after = m.index + m[0].length;
    if (typeof next === 'number' && next > m.index) re.lastIndex = next;
    else if (after === m.index) re.lastIndex = after + 1; // never loop on an empty match
    else re.lastIndex = after;
    if (re.lastIndex > text.length) break;
  }
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** True for letters and digits in any script (ASCII fast path). */
export function isAlnumAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const c = text.charCodeAt(index);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  const cp = text.codePointAt(index);
  // A low surrogate: look at the whole code point it belongs to.
  if (c >= 0xdc00 && c <= 0xdfff && index > 0) return LETTER_OR_DIGIT.test(text.slice(index - 1, index + 1));
  return LETTER_OR_DIGIT.test(String.fromCodePoint(cp as number));
}

/** True when the characters just outside [start, end) are not letters, digits or '_'. */
export function isolated(text: string, start: number, end: number): boolean {
  return !isAlnumAt(text, start - 1) && !isAlnumAt(text, end);
}

/**
 * True when [start, end) is joined to more digits by a dash or dot ("1-123-45-6789",
 * "10.20.30.40.50"): then the match is a piece of a longer number, not a value of its own.
 */
export function partOfLongerNumber(text: string, start: number, end: number): boolean {
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  return (
    ((before === 45 || before === 46) && isAsciiDigit(text.charCodeAt(start - 2))) ||
    ((after === 45 || after === 46) && isAsciiDigit(text.charCodeAt(end + 1)))
  );
}

/**
 * True when [start, end) sits inside a date or time written around it ("20/03/|2023 17|:18"):
 * a slash and digits before, or a colon and digits after.
 */
export function partOfDateOrTime(text: string, start: number, end: number): boolean {
  return (
    (text.charCodeAt(start - 1) === 47 && isAsciiDigit(text.charCodeAt(start - 2))) ||
    (text.charCodeAt(end) === 58 && isAsciiDigit(text.charCodeAt(end + 1)))
  );
}

function isAsciiDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** ASCII digits of `s`, in order. */
export function digitsOf(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out;
}

/** True when every character of `s` is the same (e.g. "000000000"), a placeholder, not data. */
export function allSameChar(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s[i] !== s[0]) return false;
  return true;
}
