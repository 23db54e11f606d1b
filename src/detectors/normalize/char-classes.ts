/**
 * Character classes shared by the normalisation passes, on UTF-16 code units.
 * Unicode property tests are memoised per code unit so a 1 MiB scan costs one table
 * read per unit instead of one regex call.
 */

const LETTER = /^[\p{L}\p{M}]$/u;
/** 0 = not yet known, 1 = not a letter, 2 = letter. A memo of a pure function. */
const letterMemo = new Uint8Array(0x10000);

/** True for letters (and combining marks) of any script, on BMP code units. */
export function isLetterUnit(u: number): boolean {
  if (u < 0x80) return (u >= 0x61 && u <= 0x7a) || (u >= 0x41 && u <= 0x5a);
  if (u >= 0xd800 && u <= 0xdfff) return false;
  let m = letterMemo[u];
  if (m === 0) {
    m = LETTER.test(String.fromCharCode(u)) ? 2 : 1;
    letterMemo[u] = m;
  }
  return m === 2;
}

/** ASCII lower-case letter. */
export function isAsciiLower(u: number): boolean {
  return u >= 0x61 && u <= 0x7a;
}

/** ASCII digit 0-9. */
export function isAsciiDigit(u: number): boolean {
  return u >= 0x30 && u <= 0x39;
}

/** Units that can be part of a word-like token: letters, digits, and the leet symbols @ and $. */
export function isWordUnit(u: number): boolean {
  return isLetterUnit(u) || isAsciiDigit(u) || u === 0x40 /* @ */ || u === 0x24 /* $ */;
}

/** The code units whitespace collapses to. */
export const SPACE = 0x20;
export const NEWLINE = 0x0a;

/**
 * Whitespace code points, as one class: ASCII whitespace plus the Unicode space
 * separators. Returns 2 for line breaks, 1 for other whitespace, 0 otherwise.
 */
export function whitespaceKind(cp: number): 0 | 1 | 2 {
  if (cp <= 0x20) {
    if (cp === 0x20 || cp === 0x09) return 1;
    if (cp >= 0x0a && cp <= 0x0d) return 2;
    return 0;
  }
  if (cp < 0x85) return 0;
  if (cp === 0x85 || cp === 0x2028 || cp === 0x2029) return 2;
  if (
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  ) {
    return 1;
  }
  return 0;
}
