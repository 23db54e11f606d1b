/**
 * Scans evaluation rows the way production does. By default through the worker pool behind
 * `bulwark scan --jsonl` (src/cli/line-scanner.ts: the same pool, engine and registry as the
 * sidecar) with the policy's per-scan time budget lifted, exactly like `scan --jsonl
 * --no-time-budget`: a busy machine must not turn a slow scan into a fail-mode decision and
 * make the numbers depend on the load. Detection and decisions are unchanged.
 *
 * `--with-classifier` (when the trained classifiers' factories exist but are not yet in the
 * registry) runs the same ScanEngine in this process with the registry plus those factories:
 * the pool's threads always build the registry, so this is the only way to measure a
 * detector before its registry line lands. Results are identical in kind; only throughput
 * differs.
 */
import { availableParallelism } from 'node:os';
import { orderedMap } from '../../src/cli/ordered-map.js';
import { openLineScanner } from '../../src/cli/line-scanner.js';
import { withoutTimeBudget } from '../../src/cli/scan-jsonl-command.js';
import { detectorFactories } from '../../src/detectors/registry.js';
import type { DetectorFactory } from '../../src/detectors/types.js';
import { ScanEngine } from '../../src/engine/scan-engine.js';
import type { ScanResult, ScanTask, ThreatResult } from '../../src/engine/types.js';
import type { ActionName } from '../../src/detectors/types.js';
import type { PolicySet } from '../../src/policy/types.js';

/** What one row's scan produced (or the caller-safe error when the scan failed). */
export interface ScanOutcome {
  action: ActionName;
  threats: ThreatResult[];
  /** Time inside the engine (ScanResult.latencyMs). */
  latencyMs: number;
  error?: string;
}

export interface EvalScanner {
  /** "pool (2 workers)" or "in-process engine + classifiers". */
  readonly description: string;
  /** The names of the detectors this scanner runs, in order. */
  readonly detectorNames: readonly string[];
  scanAll(texts: readonly string[]): Promise<ScanOutcome[]>;
  close(): Promise<void>;
}

/** Enough in flight to keep every thread busy (as scan --jsonl does). */
const IN_FLIGHT_PER_WORKER = 32;

function taskFor(content: string): ScanTask {
  return { tenantId: '', direction: 'INPUT', content, policyId: '', deadline: 0 };
}

function outcomeOf(result: ScanResult): ScanOutcome {
  return { action: result.action, threats: result.threats, latencyMs: result.latencyMs };
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function scanInOrder(texts: readonly string[], limit: number, scan: (task: ScanTask) => Promise<ScanResult>): Promise<ScanOutcome[]> {
  const out: ScanOutcome[] = new Array(texts.length);
  await orderedMap(
    iterate(texts),
    limit,
    async (text) => {
      try {
        return outcomeOf(await scan(taskFor(text)));
      } catch (err) {
        // Engine and pool errors carry caller-safe messages (never content).
        return { action: 'ALLOW', threats: [], latencyMs: 0, error: (err as Error).message } satisfies ScanOutcome;
      }
    },
    (outcome, index) => {
      out[index] = outcome;
    },
  );
  return out;
}

/** The production path: the worker pool of `bulwark scan --jsonl`. */
export async function openPoolScanner(policySet: PolicySet, workers = availableParallelism()): Promise<EvalScanner> {
  const scanner = await openLineScanner(withoutTimeBudget(policySet), workers);
  return {
    description: `worker pool (${workers} threads), as bulwark scan --jsonl --no-time-budget`,
    detectorNames: detectorFactories.map(([name]) => name),
    scanAll: (texts) => scanInOrder(texts, workers * IN_FLIGHT_PER_WORKER, (task) => scanner.scan(task)),
    close: () => scanner.close(),
  };
}

/** The registry plus `extra` factories whose names the registry does not have yet. */
export function registryWith(extra: ReadonlyArray<readonly [string, DetectorFactory]>): Array<readonly [string, DetectorFactory]> {
  const names = new Set(detectorFactories.map(([name]) => name));
  return [...detectorFactories, ...extra.filter(([name]) => !names.has(name))];
}

/** The same engine in this thread, with extra detector factories (see the module comment). */
export function openInProcessScanner(policySet: PolicySet, factories: ReadonlyArray<readonly [string, DetectorFactory]>): EvalScanner {
  const engine = new ScanEngine(withoutTimeBudget(policySet), { detectorFactories: factories });
  engine.warmUp();
  return {
    description: 'in-process ScanEngine (1 thread; the registry plus detectors not yet registered)',
    detectorNames: factories.map(([name]) => name),
    // Synchronous engine: one at a time, yielding between rows keeps the process responsive.
    scanAll: (texts) => scanInOrder(texts, 1, async (task) => engine.scan(task)),
    close: async () => undefined,
  };
}
