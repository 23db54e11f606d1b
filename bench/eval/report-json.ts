/**
 * The machine-readable report (`npm run eval -- --json`): everything the table shows, as one
 * JSON document. Undefined ratios (NaN) become null. Per-row predictions are left out; worst
 * cases carry line numbers, ids and lengths only, never text.
 */
import type { MachineInfo } from '../machine-info.js';
import type { BulwarkResults } from './bulwark-eval.js';
import type { DetectorLatency } from './detector-latency.js';
import type { Comparison } from './peer-comparison.js';

export interface EvalReport {
  machine: MachineInfo;
  data: { dir: string; rows: Record<string, number> };
  policy: { source: string; version: string };
  /** How Bulwark was run (pool or in-process engine), and its detectors. */
  scanner: { description: string; detectors: readonly string[]; /** Trained models in use ("id@version"). */ models: string[] };
  bulwark: Omit<BulwarkResults, 'judged'>;
  detectorLatency: { samples: number; detectors: DetectorLatency[] };
  comparison?: Comparison;
  wallSeconds: number;
}

/** NaN and ±Infinity are not JSON: null says "undefined here" (no positives, no predictions). */
function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

export function reportJson(report: EvalReport): string {
  return JSON.stringify(report, finiteOrNull, 2) + '\n';
}
