/**
 * Shared shapes for the PII recognizers. A recognizer proposes candidates with a base
 * score; the composer (pii-recognizers.ts) applies context words, resolves overlaps and
 * turns the survivors into findings. Offsets are UTF-16 indices into the scanned text.
 */
import type { CompiledContext } from './context-words.js';
import type { PiiEntityType } from './entities.js';

/** One possible entity, before context enhancement and overlap resolution. */
export interface PiiCandidate {
  entityType: PiiEntityType;
  /** The entity type, or a finer recognizer-specific id (e.g. "CRYPTO_BTC_BECH32"). */
  ruleId: string;
  start: number;
  end: number;
  /** Confidence with no supporting context (Presidio's pattern score, after validation). */
  score: number;
  /** Confidence when one of `context`'s words is near the match. */
  contextScore: number;
  /** Words that raise the score; null = context does not matter for this candidate. */
  context: CompiledContext | null;
}

/** Options every recognizer factory receives. */
export interface RecognizerOptions {
  /** The entity types the policy asks for; a recognizer may skip work for the others. */
  wanted: ReadonlySet<PiiEntityType>;
  /** ISO 3166 regions for national phone numbers (already validated, upper case). */
  phoneRegions: readonly string[];
}

/**
 * A family of patterns for one or a few entity types; compiled once, used for every scan.
 *
 * The composer tests every recognizer's `patterns` in one RE2.Set pass and calls
 * `recognize` only when at least one of them occurs in the text; `matched(i)` tells the
 * recognizer which of its own patterns occur, so it can skip the rest. (An RE2 exec costs
 * a few microseconds per call even without a match; the set pass costs about that for
 * all patterns together.)
 */
export interface PiiRecognizer {
  readonly entities: readonly PiiEntityType[];
  /** RE2 sources (no flags; use inline "(?i)"); each must match wherever the recognizer could find something. */
  readonly patterns: readonly string[];
  /** Appends the candidates found in `text` to `out`. Pure; never throws on any input. */
  recognize(text: string, out: PiiCandidate[], matched: (patternIndex: number) => boolean): void;
}

export type PiiRecognizerFactory = (options: RecognizerOptions) => PiiRecognizer;
