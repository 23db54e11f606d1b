/**
 * Long inputs are scored in overlapping windows and the text's score is the maximum over
 * windows, so an instruction hidden in the middle of a long document is scored on its own
 * neighbourhood instead of being diluted by pages of benign text.
 *
 * Cost is bounded: at most `maxWindows` windows. Up to `maxWindows` the windows tile the text
 * with the configured overlap (full coverage); beyond that they are spread evenly over the
 * whole text, so coverage thins out but stays spread from the first to the last character.
 */

/** Half-open range [start, end) of UTF-16 code units. */
export interface TextWindow {
  start: number;
  end: number;
}

export interface WindowOptions {
  /** Window length in UTF-16 code units. */
  size: number;
  /** Overlap between consecutive windows (so an instruction cut by one boundary is whole in a neighbour). */
  overlap: number;
  /** Hard cap on windows per text. */
  maxWindows: number;
  /** Also score sentence-sized segments of each window (see text-segments.ts). */
  segments: boolean;
}

/**
 * 1,200-character windows (so a 1 KB input, the latency budget's reference size, is one window),
 * 200 overlap; 64 windows cover 64,200 characters completely.
 */
export const DEFAULT_WINDOW_OPTIONS: WindowOptions = { size: 1200, overlap: 200, maxWindows: 64, segments: true };

/** Throws on options that would loop or produce no windows. */
export function assertWindowOptions(o: WindowOptions): void {
  if (!(Number.isInteger(o.size) && o.size >= 50)) throw new Error('window size must be an integer >= 50');
  if (!(Number.isInteger(o.overlap) && o.overlap >= 0 && o.overlap < o.size)) {
    throw new Error('window overlap must be an integer in [0, size)');
  }
  if (!(Number.isInteger(o.maxWindows) && o.maxWindows >= 1)) throw new Error('maxWindows must be an integer >= 1');
}

/** Moves an offset off the low half of a surrogate pair so a window never splits a code point. */
function alignToCodePoint(text: string, offset: number): number {
  if (offset <= 0 || offset >= text.length) return offset;
  const c = text.charCodeAt(offset);
  return c >= 0xdc00 && c <= 0xdfff ? offset - 1 : offset;
}

/** The windows to score for `text`. Always at least one window (possibly empty). */
export function planWindows(text: string, options: WindowOptions = DEFAULT_WINDOW_OPTIONS): TextWindow[] {
  const { size, overlap, maxWindows } = options;
  const length = text.length;
  if (length <= size) return [{ start: 0, end: length }];
  const stride = size - overlap;
  const needed = Math.ceil((length - overlap) / stride);
  const count = Math.min(needed, maxWindows);
  const lastStart = length - size;
  const windows: TextWindow[] = [];
  for (let i = 0; i < count; i++) {
    // Evenly spaced starts from 0 to lastStart; with count === needed this is the overlapping tiling.
    const start = alignToCodePoint(text, count === 1 ? 0 : Math.round((i * lastStart) / (count - 1)));
    const end = alignToCodePoint(text, Math.min(length, start + size));
    windows.push({ start, end });
  }
  return windows;
}
