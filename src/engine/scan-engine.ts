// STUB: replaced by the real engine.
import type { PolicySet } from '../policy/types.js';
import type { ScanResult, ScanTask, StreamWindowResult, StreamWindowTask } from './types.js';
import { EngineError } from './engine-error.js';

/** Runs a policy set's detectors over content and decides. Pure and synchronous; one per worker. */
export class ScanEngine {
  constructor(readonly policySet: PolicySet) {}

  scan(_task: ScanTask): ScanResult {
    throw new EngineError('INTERNAL', 'engine not built yet');
  }

  scanWindow(_task: StreamWindowTask): StreamWindowResult {
    throw new EngineError('INTERNAL', 'engine not built yet');
  }
}
