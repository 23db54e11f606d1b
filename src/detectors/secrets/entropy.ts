/**
 * Character statistics used to tell machine-generated secrets from words and placeholders.
 */

/**
 * Shannon entropy of `value` in bits per character, over its UTF-16 code units.
 * Random base64 of 40 characters scores about 5; an English word about 2.5-3; "aaaa" 0.
 */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Which of the four classes (lower, upper, digit, other) occur in `value`. */
export interface CharClasses {
  lower: boolean;
  upper: boolean;
  digit: boolean;
  other: boolean;
  /** How many of the four occur. */
  count: number;
}

/** Counts the character classes of `value`; letters outside ASCII count as lower/upper by case. */
export function charClasses(value: string): CharClasses {
  let lower = false;
  let upper = false;
  let digit = false;
  let other = false;
  for (const ch of value) {
    if (ch >= '0' && ch <= '9') digit = true;
    else if (ch !== ch.toUpperCase()) lower = true;
    else if (ch !== ch.toLowerCase()) upper = true;
    else other = true;
  }
  return { lower, upper, digit, other, count: Number(lower) + Number(upper) + Number(digit) + Number(other) };
}

/** Number of distinct characters in `value`. */
export function distinctChars(value: string): number {
  return new Set(value).size;
}
