/**
 * The normalisation pipeline: cleanup + NFKC + lower case → look-alike and leetspeak
 * folding → spaced-letter joining → whitespace collapsing. Linear in the input length;
 * every pass works on one {@link MappedBuffer}, mostly in place.
 */
import { foldHomoglyphsAndLeet } from './homoglyph-fold.js';
import { MappedBuffer } from './offset-map.js';
import { cleanupAndFold, type TagRun } from './unicode-cleanup.js';
import { collapseWhitespace, joinSpacedLetters } from './whitespace-collapse.js';

/** The result of {@link normalizeText}. */
export interface NormalizedBuffer {
  /** The normalised text with, per code unit, its range in the input. */
  buffer: MappedBuffer;
  /** Runs of Unicode tag characters removed from the text, with the ASCII they spell. */
  tagRuns: TagRun[];
}

/** Normalises `input`; offsets in the result's buffer are offsets into `input`. */
export function normalizeText(input: string): NormalizedBuffer {
  const buffer = new MappedBuffer(input.length + 16);
  const tagRuns = cleanupAndFold(input, buffer);
  foldHomoglyphsAndLeet(buffer);
  joinSpacedLetters(buffer);
  collapseWhitespace(buffer);
  return { buffer, tagRuns };
}
