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
const SPACING_SEPARATORS = new Set([SPACE, 0x2e /* . */, 0x2d /* - */, 0x5f /* _ */, 0x2a /* * */]);

/** Joins runs of spaced-out single letters, in place. */
export function joinSpacedLetters(buf: MappedBuffer): void {
  const { units, srcStart, srcEnd } = buf;
  const n = buf.length;
  const at = (k: number): number => (k >= 0 && k < n ? (units[k] as number) : SPACE);
  let w = 0;
  let r = 0;
  while (r < n) {
    const u = units[r] as number;
    const sep = at(r + 1);
    const startsRun =
      isLetterUnit(u) && !isWordUnit(at(r - 1)) && SPACING_SEPARATORS.has(sep) && isSingleLetterAt(r + 2);
    if (startsRun) {
      // Count the letters of the run: letter (sep letter)*, each letter standing alone.
      let count = 1;
      let k = r;
      while (at(k + 1) === sep && isSingleLetterAt(k + 2)) {
        k += 2;
        count++;
      }
      if (count >= MIN_SPACED_LETTERS) {
        for (let m = r; m <= k; m += 2) copy(m, w++);
        r = k + 1;
        continue;
      }
    }
    copy(r, w++);
    r++;
  }
  buf.length = w;

  function isSingleLetterAt(k: number): boolean {
    return k < n && isLetterUnit(units[k] as number) && !isWordUnit(at(k + 1));
  }
  function copy(from: number, to: number): void {
    units[to] = units[from] as number;
    srcStart[to] = srcStart[from] as number;
    srcEnd[to] = srcEnd[from] as number;
  }
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
