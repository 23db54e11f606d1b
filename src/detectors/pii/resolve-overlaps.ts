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
  // Accepted spans never overlap, so sorted by start they are sorted by end too; a binary
  // search finds the only two neighbours a new span could collide with (O(n log n), which
  // matters for long documents with thousands of candidates).
  const kept: T[] = [];
  for (const c of ranked) {
    const i = firstStartingAtOrAfter(kept, c.start);
    const next = kept[i];
    const prev = kept[i - 1];
    if ((next && next.start < c.end) || (prev && prev.end > c.start)) continue;
    kept.splice(i, 0, c);
  }
  return kept;
}

function firstStartingAtOrAfter(spans: readonly ScoredSpan[], start: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid] as ScoredSpan).start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
