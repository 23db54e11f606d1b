/**
 * A stable 32-bit hash for feature hashing: FNV-1a over UTF-16 code units, finished with
 * murmur3's avalanche step so that the low bits (used as the bucket) are well mixed.
 * Deterministic across runs, platforms and Node versions — a trained model depends on it.
 */

/** FNV-1a 32-bit offset basis. */
export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** One FNV-1a step: folds a 16-bit code unit into the running hash. */
export function fnvStep(hash: number, codeUnit: number): number {
  return Math.imul(hash ^ codeUnit, FNV_PRIME) >>> 0;
}

/** murmur3's fmix32: spreads every input bit over every output bit. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of `text[start, end)` with a seed (different feature families use different seeds). */
export function hashRange(text: string, start: number, end: number, seed: number): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = start; i < end; i++) h = fnvStep(h, text.charCodeAt(i));
  return mix32(h);
}

/** Combines two hashes order-sensitively (for word bigrams). */
export function combineHashes(a: number, b: number): number {
  return mix32((Math.imul(a, 31) + b) >>> 0);
}
