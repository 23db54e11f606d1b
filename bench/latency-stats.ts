/** Latency samples → the percentiles and rate the bench reports. */

export interface LatencySummary {
  count: number;
  errors: number;
  /** Milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** Completed requests per second of wall time. */
  perSecond: number;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

export function summarize(samplesMs: number[], errors: number, wallMs: number): LatencySummary {
  const sorted = Float64Array.from(samplesMs).sort();
  const sum = samplesMs.reduce((a, b) => a + b, 0);
  return {
    count: samplesMs.length,
    errors,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
    mean: samplesMs.length ? sum / samplesMs.length : Number.NaN,
    perSecond: wallMs > 0 ? (samplesMs.length * 1000) / wallMs : 0,
  };
}
