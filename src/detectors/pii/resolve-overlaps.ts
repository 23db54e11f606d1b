/**
 * Chooses among candidates that claim the same characters. Each span of text gets at
 * most one entity: the highest-scoring candidate wins, then the longer one, then the
 * earlier one. This is where "nine digits near 'driver license'" beats the same nine
 * digits as a weak SSN, and where a Luhn-valid card beats a phone-shaped reading.
 */

export interface ScoredSpan {
  start: number;
  end: number;
  score: number;
}

/** The non-overlapping winners, in text order. Does not modify the input array. */
export function resolveOverlaps<T extends ScoredSpan>(candidates: readonly T[]): T[] {
  if (candidates.length < 2) return [...candidates];
  const ranked = [...candidates].sort(
    (a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: T[] = [];
  for (const c of ranked) {
    if (!kept.some((k) => k.start < c.end && c.start < k.end)) kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}
