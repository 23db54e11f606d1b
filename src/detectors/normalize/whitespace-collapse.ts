/**
 * The last normalisation passes, both in-place compactions of a {@link MappedBuffer}:
 *  - spaced-out letters ("i g n o r e", "i.g.n.o.r.e", "i-g-n-o-r-e") are joined back
 *    into a word when at least three single letters are separated by the same single
 *    separator; words stay apart where the gap between them is wider;
 *  - every run of whitespace becomes one space, or one newline if the run had a line
 *    break (so rules can still anchor on line starts).
 * Removed units sit between kept ones (or their range is absorbed by the kept neighbour),
 * so a span over the kept units still covers them in the original: the mapping stays exact.
 */
import { isLetterUnit, isWordUnit, NEWLINE, SPACE } from './char-classes.js';
import type { MappedBuffer } from './offset-map.js';

const MIN_SPACED_LETTERS = 3;

/** The separators of spaced-out letters: space . - _ * (a switch: this runs per code unit). */
function isSpacingSeparator(u: number): boolean {
  return u === SPACE || u === 0x2e || u === 0x2d || u === 0x5f || u === 0x2a;
}

/** The unit at `k`, or a space outside the buffer (edges count as word boundaries). */
function unitAt(units: Uint16Array, n: number, k: number): number {
  return k >= 0 && k < n ? (units[k] as number) : SPACE;
}

/** A letter standing alone at `k`: a letter not followed by another word unit. */
function isSingleLetterAt(units: Uint16Array, n: number, k: number): boolean {
  return k < n && isLetterUnit(units[k] as number) && !isWordUnit(unitAt(units, n, k + 1));
}

/**
 * Where a run of spaced-out letters starting at `r` ends (its last letter), or -1 when no
 * run of at least MIN_SPACED_LETTERS letters starts there.
 */
function spacedRunEnd(units: Uint16Array, n: number, r: number): number {
  const sep = unitAt(units, n, r + 1);
  if (!isSpacingSeparator(sep) || !isLetterUnit(units[r] as number) || isWordUnit(unitAt(units, n, r - 1))) return -1;
  if (!isSingleLetterAt(units, n, r + 2)) return -1;
  // Count the letters of the run: letter (sep letter)*, each letter standing alone.
  let count = 1;
  let k = r;
  while (unitAt(units, n, k + 1) === sep && isSingleLetterAt(units, n, k + 2)) {
    k += 2;
    count++;
  }
  return count >= MIN_SPACED_LETTERS ? k : -1;
}

/** Joins runs of spaced-out single letters, in place. */
export function joinSpacedLetters(buf: MappedBuffer): void {
  const { units, srcStart, srcEnd } = buf;
  const n = buf.length;
  let w = 0;
  let r = 0;
  while (r < n) {
    // A run needs a separator right after its first letter: most units are ruled out by that.
    const k = isSpacingSeparator(unitAt(units, n, r + 1)) ? spacedRunEnd(units, n, r) : -1;
    if (k >= 0) {
      for (let m = r; m <= k; m += 2) {
        units[w] = units[m] as number;
        srcStart[w] = srcStart[m] as number;
        srcEnd[w] = srcEnd[m] as number;
        w++;
      }
      r = k + 1;
      continue;
    }
    // Until the first join nothing moves: w === r, no copy needed.
    if (w !== r) {
      units[w] = units[r] as number;
      srcStart[w] = srcStart[r] as number;
      srcEnd[w] = srcEnd[r] as number;
    }
    w++;
    r++;
  }
  buf.length = w;
}

/** Collapses whitespace runs to a single space or newline, in place. */
export function collapseWhitespace(buf: MappedBuffer): void {
  const { units, srcStart, srcEnd } = buf;
  const n = buf.length;
  let w = 0;
  let prevSpace = false;
  for (let r = 0; r < n; r++) {
    const u = units[r] as number;
    const isSpace = u === SPACE || u === NEWLINE;
    if (isSpace && prevSpace) {
      if (u === NEWLINE) units[w - 1] = NEWLINE;
      srcEnd[w - 1] = srcEnd[r] as number;
      continue;
    }
    units[w] = u;
    srcStart[w] = srcStart[r] as number;
    srcEnd[w] = srcEnd[r] as number;
    w++;
    prevSpace = isSpace;
  }
  buf.length = w;
}
