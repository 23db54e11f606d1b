/**
 * UTF-16 code unit offsets (JavaScript string indices, what detectors report) ↔ Unicode code
 * point offsets (what the API returns; Python's `text[start:end]`). They differ after every
 * character outside the Basic Multilingual Plane (emoji, many CJK extensions), which JavaScript
 * stores as two units (a surrogate pair).
 */

const SURROGATE = /[\uD800-\uDFFF]/;

function isHigh(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Converts offsets of one text. Text without surrogates (the common case) needs no table;
 * otherwise a prefix table of code point counts is built once (4 bytes per unit).
 * A lone surrogate counts as one code point, as in Python's surrogateescape.
 */
export class CodePointIndex {
  /** counts[i] = code points that start before unit i (a pair counts once, at its first unit). */
  private readonly counts: Uint32Array | null;

  constructor(private readonly text: string) {
    if (!SURROGATE.test(text)) {
      this.counts = null;
      return;
    }
    const counts = new Uint32Array(text.length + 1);
    for (let i = 0; i < text.length; i++) {
      const secondHalf = i > 0 && isLow(text.charCodeAt(i)) && isHigh(text.charCodeAt(i - 1));
      counts[i + 1] = (counts[i] as number) + (secondHalf ? 0 : 1);
    }
    this.counts = counts;
  }

  /** True when `unit` falls between the two halves of a surrogate pair. */
  splitsPair(unit: number): boolean {
    return unit > 0 && unit < this.text.length && isLow(this.text.charCodeAt(unit)) && isHigh(this.text.charCodeAt(unit - 1));
  }

  /** Code point offset of a span START: a unit inside a pair rounds down (the character is included). */
  startOf(unit: number): number {
    if (this.counts === null) return unit;
    const u = Math.max(0, Math.min(unit, this.text.length));
    return (this.counts[u] as number) - (this.splitsPair(u) ? 1 : 0);
  }

  /** Code point offset of a span END: a unit inside a pair rounds up (the character is included). */
  endOf(unit: number): number {
    if (this.counts === null) return unit;
    return this.counts[Math.max(0, Math.min(unit, this.text.length))] as number;
  }

  /** Number of code points in the text. */
  get length(): number {
    return this.counts === null ? this.text.length : (this.counts[this.text.length] as number);
  }

  /** The UTF-16 offset where code point `cp` starts (the text's length when cp is past the end). */
  toUtf16(cp: number): number {
    if (this.counts === null) return Math.max(0, Math.min(cp, this.text.length));
    const counts = this.counts;
    if (cp <= 0) return 0;
    if (cp >= this.length) return this.text.length;
    // Smallest unit u with counts[u] === cp that is not the second half of a pair (a pair is
    // counted at its first unit, so counts[] is already cp inside it).
    let lo = 0;
    let hi = this.text.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((counts[mid] as number) < cp) lo = mid + 1;
      else hi = mid;
    }
    return this.splitsPair(lo) ? lo + 1 : lo;
  }
}
