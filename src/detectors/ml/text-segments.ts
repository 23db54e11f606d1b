/**
 * Sentence-sized segments of a window. A window is scored as a whole AND segment by segment:
 * an instruction planted in a table, an email or a code answer is one line among many, and
 * in the window's bag of n-grams the document's own words drown it; as its own segment it
 * is as visible as a bare attack string.
 */
import type { TextWindow } from './text-windows.js';

export interface SegmentOptions {
  /** Pieces shorter than this are merged with the following piece. */
  minLength: number;
  /** Longer pieces are cut (at a space when there is one). */
  maxLength: number;
}

export const DEFAULT_SEGMENT_OPTIONS: SegmentOptions = { minLength: 40, maxLength: 400 };

function isSentenceEnd(c: number): boolean {
  // . ! ? and their CJK / Devanagari forms
  return c === 46 || c === 33 || c === 63 || c === 0x3002 || c === 0xff01 || c === 0xff1f || c === 0x0964;
}

/**
 * Segments of `text[window.start, window.end)`: split at line breaks and sentence ends, short
 * pieces merged forward, long pieces cut. Returns [] when the window would be one segment
 * anyway (scoring it twice adds nothing).
 */
export function planSegments(
  text: string,
  window: TextWindow,
  options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS,
  /**
   * For a normalised view whose whitespace was collapsed: tells whether the space at `i`
   * stands for a line break of the original.
   */
  spaceIsLineBreak?: (i: number) => boolean,
): TextWindow[] {
  const out: TextWindow[] = [];
  let start = window.start;
  const push = (end: number): void => {
    // Skip leading whitespace so a segment starts at its first visible character.
    while (start < end && text.charCodeAt(start) <= 32) start++;
    if (end > start) out.push({ start, end });
    start = end;
  };
  for (let i = window.start; i < window.end; i++) {
    const c = text.charCodeAt(i);
    const boundary =
      c === 10 ||
      (isSentenceEnd(c) && (i + 1 === window.end || text.charCodeAt(i + 1) <= 32)) ||
      (c === 32 && spaceIsLineBreak !== undefined && i + 1 - start >= options.minLength && spaceIsLineBreak(i));
    if (boundary && i + 1 - start >= options.minLength) push(i + 1);
    else if (i + 1 - start >= options.maxLength) {
      let cut = i + 1;
      for (let j = i; j > start + options.minLength; j--) {
        if (text.charCodeAt(j) === 32) {
          cut = j + 1;
          break;
        }
      }
      // Never cut between the halves of a surrogate pair.
      const unit = text.charCodeAt(cut);
      if (unit >= 0xdc00 && unit <= 0xdfff) cut--;
      push(cut);
      i = cut - 1;
    }
  }
  if (start < window.end) {
    // A short tail joins the previous segment.
    const last = out[out.length - 1];
    if (last !== undefined && window.end - start < options.minLength) last.end = window.end;
    else push(window.end);
  }
  return out.length <= 1 ? [] : out;
}
