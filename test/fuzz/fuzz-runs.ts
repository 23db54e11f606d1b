/**
 * Case counts for the property-based tests. CI runs the base counts (the whole folder stays
 * well under a minute on a loaded 2-core machine); `FUZZ_RUNS=20 npx vitest run test/fuzz`
 * multiplies every count by 20 for a longer local hunt. fast-check prints the seed and the
 * shrunk counterexample of a failure; `FUZZ_SEED=<seed>` replays it.
 */
import type fc from 'fast-check';

const multiplier = Math.max(1, Number(process.env.FUZZ_RUNS ?? '1') || 1);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** fast-check parameters for a property that runs `base` cases in CI. */
export function fuzzParams<T>(base: number): fc.Parameters<T> {
  return { numRuns: Math.round(base * multiplier), ...(seed === undefined ? {} : { seed }) };
}

/** A per-test timeout that grows with the multiplier (generous: CI machines are loaded). */
export function fuzzTimeout(baseMs: number): number {
  return baseMs * multiplier;
}
