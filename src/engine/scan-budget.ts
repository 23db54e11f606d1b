/**
 * The time a scan may take. The policy's `timeBudgetMs` is the fixed part; each KiB of content
 * adds PER_KIB_ALLOWANCE_MS (twice the ~1 ms/KB target), so a large document is not failed
 * merely for being large. A caller's deadline (absolute, Date.now() based) caps the result.
 */
import { performance } from 'node:perf_hooks';

export const PER_KIB_ALLOWANCE_MS = 2;

/** The performance.now() value after which no further detector starts. */
export function budgetEnd(startedAt: number, timeBudgetMs: number, contentLength: number, deadline: number): number {
  const byPolicy = startedAt + timeBudgetMs + (contentLength / 1024) * PER_KIB_ALLOWANCE_MS;
  if (deadline <= 0) return byPolicy;
  // Translate the wall-clock deadline into the monotonic clock once, at the start.
  const byCaller = startedAt + (deadline - Date.now());
  return Math.min(byPolicy, byCaller);
}

export function now(): number {
  return performance.now();
}
