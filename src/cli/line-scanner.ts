/**
 * The scanner behind `scan --jsonl`: the worker pool, so every core scans. The command only
 * sees this interface, which keeps its line handling testable apart from threads.
 */
import type { PolicySet } from '../policy/types.js';
import type { ScanResult, ScanTask } from '../engine/types.js';
import { createScanPool } from '../pool/scan-pool.js';

export interface LineScanner {
  scan(task: ScanTask): Promise<ScanResult>;
  close(): Promise<void>;
}

/** Starts `workers` threads; resolves once each has compiled the policy set. */
export async function openLineScanner(policySet: PolicySet, workers: number): Promise<LineScanner> {
  const pool = await createScanPool({ policySet, workers });
  return {
    scan: (task) => pool.scan(task),
    close: () => pool.close(),
  };
}
