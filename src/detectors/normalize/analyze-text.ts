/**
 * Computes the views every detector shares, once per scan:
 *  - views[0]: the original text (identity offsets);
 *  - views[1]: the normalised text: invisible characters removed, NFKC, lower case,
 *    Latin diacritics stripped, look-alikes and leetspeak folded, spaced-out letters
 *    joined, whitespace collapsed. Offsets map back exactly, unit by unit;
 *  - then one view per hidden payload, itself normalised: the ASCII spelled by Unicode
 *    tag characters, and decoded base64 / hex / percent-encoded runs (nested up to the
 *    depth limit). Every span in such a view maps to the whole hidden run in the original.
 *
 * Work is linear in the input length and the decoding is bounded (see encoded-runs.ts).
 */
import type { AnalyzedText, TextView } from '../types.js';
import { DEFAULT_DECODE_LIMITS, findDecodedRuns, type DecodeLimits } from './encoded-runs.js';
import { normalizeText } from './normalize-text.js';
import { bufferMap, constantMap, identityMap } from './offset-map.js';

/** Options for {@link analyzeText}; the defaults suit every scan. */
export interface AnalyzeOptions {
  /** Limits for decoding encoded runs; `false` turns decoding off. */
  decode?: Partial<DecodeLimits> | false;
}

/** Tag-character payloads shorter than this are emoji tag sequences (flags), not text. */
const MIN_TAG_PAYLOAD = 6;

/** Builds the original, normalised and decoded views of `original`. */
export function analyzeText(original: string, options: AnalyzeOptions = {}): AnalyzedText {
  const views: TextView[] = [{ kind: 'original', text: original, toOriginal: identityMap(original.length) }];

  const normalized = normalizeText(original);
  views.push({
    kind: 'normalized',
    text: normalized.buffer.toText(),
    toOriginal: bufferMap(normalized.buffer, original.length),
  });

  for (const run of normalized.tagRuns) {
    if (run.text.trim().length < MIN_TAG_PAYLOAD) continue;
    views.push({
      kind: 'decoded',
      text: normalizeText(run.text).buffer.toText(),
      rawText: run.text,
      encoding: 'unicode-tags',
      depth: 1,
      toOriginal: constantMap(run),
    });
  }

  if (options.decode !== false) {
    const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...options.decode };
    for (const run of findDecodedRuns(original, limits)) {
      views.push({
        kind: 'decoded',
        text: normalizeText(run.text).buffer.toText(),
        rawText: run.text,
        encoding: run.encoding,
        depth: run.depth,
        toOriginal: constantMap(run.span),
      });
    }
  }
  return { original, views };
}
