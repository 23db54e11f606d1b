/**
 * The scanner behind `scan --jsonl`. TEMPORARY: runs the engine on the main thread until
 * the worker pool (src/pool/scan-pool.ts) lands; the command only sees this interface.
 */
import type { PolicySet } from '../policy/types.js';
import type { ScanResult, ScanTask } from '../engine/types.js';
import { ScanEngine } from '../engine/scan-engine.js';

export interface LineScanner {
  scan(task: ScanTask): Promise<ScanResult>;
  close(): Promise<void>;
}

export async function openLineScanner(policySet: PolicySet, _workers: number): Promise<LineScanner> {
  const engine = new ScanEngine(policySet);
  return {
    scan: async (task) => engine.scan(task),
    close: async () => undefined,
  };
}
