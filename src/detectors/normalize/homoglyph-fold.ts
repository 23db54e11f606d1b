/**
 * The second normalisation pass, per word-like token (letters, digits, @, $), in place:
 *  - Cyrillic / Greek / Armenian letters that look like Latin ones become Latin, but only
 *    in tokens that mix them with Latin letters ("іgnоre") or consist only of such
 *    look-alikes ("рау"). Real Cyrillic or Greek words contain letters with no Latin
 *    twin and are left alone, so rules in those languages still see their own script.
 *  - Leetspeak digits and symbols (0→o 1→i 3→e 4→a 5→s 7→t @→a $→s) become letters,
 *    only in tokens that contain at least as many letters as leet characters, and
 *    digits only inside words (see foldLeet), so numbers, prices, versions and names
 *    such as "gpt4" or "base64" stay as they are.
 * Every replacement is one code unit for one code unit, so offsets are untouched.
 */
import { isAsciiDigit, isAsciiLower, isLetterUnit, isWordUnit } from './char-classes.js';
import type { MappedBuffer } from './offset-map.js';

function codeMap(pairs: Record<string, string>): ReadonlyMap<number, number> {
  return new Map(Object.entries(pairs).map(([from, to]) => [from.charCodeAt(0), to.charCodeAt(0)]));
}

/**
 * Look-alikes of Latin letters that are indistinguishable in lower case (input is
 * already lower-cased). Folded in mixed tokens and in tokens made only of them.
 */
const STRONG_CONFUSABLES = codeMap({
  // Cyrillic
  а: 'a',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ӏ: 'l',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  с: 'c',
  у: 'y',
  ү: 'y',
  х: 'x',
  ԁ: 'd',
  ԝ: 'w',
  // Greek
  α: 'a',
  ι: 'i',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  υ: 'u',
  // Armenian
  օ: 'o',
  ս: 'u',
  հ: 'h',
  ո: 'n',
});

/**
 * Look-alikes only in upper case (В Н Т М К Г, Β Ε Κ Τ Χ ...) or loosely. Folded only in
 * tokens that also contain Latin letters, so ordinary Cyrillic/Greek words stay intact.
 */
const WEAK_CONFUSABLES = codeMap({
  в: 'b',
  г: 'r',
  к: 'k',
  м: 'm',
  н: 'h',
  т: 't',
  ь: 'b',
  β: 'b',
  γ: 'y',
  ε: 'e',
  η: 'n',
  κ: 'k',
  μ: 'u',
  τ: 't',
  χ: 'x',
  ω: 'w',
  ց: 'g',
});

const LEET = codeMap({ '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' });

/** Folds look-alikes and leetspeak in every word-like token of `buf`, in place. */
export function foldHomoglyphsAndLeet(buf: MappedBuffer): void {
  const units = buf.units;
  const n = buf.length;
  let i = 0;
  while (i < n) {
    if (!isWordUnit(units[i] as number)) {
      i++;
      continue;
    }
    let j = i;
    let latin = 0;
    let strong = 0;
    let weak = 0;
    let otherLetter = 0;
    let leet = 0;
    while (j < n) {
      const u = units[j] as number;
      if (!isWordUnit(u)) break;
      if (isAsciiLower(u)) latin++;
      else if (STRONG_CONFUSABLES.has(u)) strong++;
      else if (WEAK_CONFUSABLES.has(u)) weak++;
      else if (LEET.has(u)) leet++;
      else if (u >= 0x80 && isLetterUnit(u)) otherLetter++;
      j++;
    }
    const foldMixed = latin > 0 && strong + weak > 0;
    const foldAllLookalike = latin === 0 && strong > 0 && weak === 0 && otherLetter === 0;
    if (foldMixed || foldAllLookalike) {
      for (let k = i; k < j; k++) {
        const u = units[k] as number;
        const to = STRONG_CONFUSABLES.get(u) ?? (foldMixed ? WEAK_CONFUSABLES.get(u) : undefined);
        if (to !== undefined) units[k] = to;
      }
    }
    const letters = latin + (foldMixed ? strong + weak : foldAllLookalike ? strong : 0);
    if (leet > 0 && letters > 0 && leet <= letters) foldLeet(units, i, j, letters);
    i = j;
  }
}

/**
 * Leet characters inside a word ("h4x0r", "1gn0r3") are folded, and so are @ and $
 * anywhere. A digit run only at the start or end of a word is usually part of a name
 * or number ("gpt4", "base64", "mp3", "4k", "1st"), so it is left alone unless the
 * word also has leet inside, or it is one leading digit before three or more letters
 * ("3vil").
 */
function foldLeet(units: Uint16Array, start: number, end: number, letters: number): void {
  let firstLetter = -1;
  let lastLetter = -1;
  for (let k = start; k < end; k++) {
    if (!isAsciiDigit(units[k] as number) && !LEET.has(units[k] as number)) {
      if (firstLetter < 0) firstLetter = k;
      lastLetter = k;
    }
  }
  if (firstLetter < 0) return;
  let insideLeet = false;
  for (let k = firstLetter + 1; k < lastLetter; k++) if (LEET.has(units[k] as number)) insideLeet = true;
  const leadingRun = firstLetter - start;
  const leadOk = insideLeet || (leadingRun === 1 && letters >= 3);
  for (let k = start; k < end; k++) {
    const u = units[k] as number;
    const to = LEET.get(u);
    if (to === undefined) continue;
    const symbol = !isAsciiDigit(u);
    const inside = k > firstLetter && k < lastLetter;
    const edgeOk = k < firstLetter ? leadOk && edgeRunIsLeet(units, start, firstLetter) : insideLeet && edgeRunIsLeet(units, lastLetter + 1, end);
    if (symbol || inside || edgeOk) units[k] = to;
  }
}

/** True when every digit in [from, to) has a leet meaning (so "64" in "base64" is not folded). */
function edgeRunIsLeet(units: Uint16Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!LEET.has(units[k] as number)) return false;
  return true;
}
