/**
 * Time per item of each detector on its own, on the same inputs: the normaliser once
 * (analyzeText, shared by all detectors in a scan), then every detector of the registry built
 * for the policy, each timed around its `detect` call on the already-analysed text. Runs in
 * this thread, one item at a time, after a warm-up (the first calls compile lazily).
 */
import { analyzeText } from '../../src/detectors/normalize/analyze-text.js';
import type { AnalyzedText, Detector, DetectorFactory } from '../../src/detectors/types.js';
import type { CompiledPolicy } from '../../src/policy/types.js';
import { summarize } from '../latency-stats.js';

export interface DetectorLatency {
  /** Registry name, or "normalise (analyzeText)". */
  name: string;
  /** Null when the policy switches the detector off (its factory returned null). */
  samples: number | null;
  p50: number;
  p99: number;
  mean: number;
}

export const NORMALISER = 'normalise (analyzeText)';
const WARM_UP_ITEMS = 50;

/** At most `max` items, spread evenly over `texts` (deterministic). */
export function evenSample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]!);
}

export function measureDetectorLatency(
  texts: readonly string[],
  policy: CompiledPolicy,
  factories: ReadonlyArray<readonly [string, DetectorFactory]>,
): DetectorLatency[] {
  const built = factories.map(([name, factory]) => ({ name, detector: factory(policy) }));
  const active = built.filter((b): b is { name: string; detector: Detector } => b.detector !== null);
  const analysed: AnalyzedText[] = [];
  const normaliseMs: number[] = [];
  const detectMs = new Map<string, number[]>(active.map((b) => [b.name, []]));

  for (const text of texts.slice(0, WARM_UP_ITEMS)) {
    const a = analyzeText(text);
    for (const b of active) b.detector.detect({ text: a, direction: 'INPUT' });
  }
  for (const text of texts) {
    const t0 = performance.now();
    analysed.push(analyzeText(text));
    normaliseMs.push(performance.now() - t0);
  }
  // Detector by detector over all items, so each one runs with its own caches warm.
  for (const b of active) {
    const samples = detectMs.get(b.name)!;
    for (const a of analysed) {
      const t0 = performance.now();
      b.detector.detect({ text: a, direction: 'INPUT' });
      samples.push(performance.now() - t0);
    }
  }
  const row = (name: string, samples: number[]): DetectorLatency => {
    const s = summarize(samples, 0, 0);
    return { name, samples: samples.length, p50: s.p50, p99: s.p99, mean: s.mean };
  };
  return [
    row(NORMALISER, normaliseMs),
    ...built.map((b) =>
      b.detector === null ? { name: b.name, samples: null, p50: Number.NaN, p99: Number.NaN, mean: Number.NaN } : row(b.name, detectMs.get(b.name)!),
    ),
  ];
}
