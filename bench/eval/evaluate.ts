/**
 * The evaluation as a function: data directory + options in, {@link EvalReport} out. The CLI
 * (run-eval.ts) only parses flags and prints; tests call this directly on small fixtures.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInjectionClassifierDetector } from '../../src/detectors/injection-classifier-detector.js';
import { loadShippedModel } from '../../src/detectors/ml/shipped-models.js';
import { detectorFactories } from '../../src/detectors/registry.js';
import { createToxicityClassifierDetector } from '../../src/detectors/toxicity-classifier-detector.js';
import type { DetectorFactory } from '../../src/detectors/types.js';
import { resolvePolicy } from '../../src/engine/resolve-policy.js';
import type { PolicySet } from '../../src/policy/types.js';
import { machineInfo } from '../machine-info.js';
import { evaluateBulwark } from './bulwark-eval.js';
import { openInProcessScanner, openPoolScanner, registryWith, type EvalScanner } from './bulwark-scan.js';
import { DATA_FILES, loadEvalData, type DatasetName, type EvalData } from './datasets.js';
import { evenSample, measureDetectorLatency } from './detector-latency.js';
import { bulwarkRows, comparePeers } from './peer-comparison.js';
import type { EvalReport } from './report-json.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The trained classifiers' factories, for `withClassifier` while they are not in the registry. */
export const CLASSIFIER_FACTORIES: ReadonlyArray<readonly [string, DetectorFactory]> = [
  ['injection-classifier', createInjectionClassifierDetector],
  ['toxicity-classifier', createToxicityClassifierDetector],
];

export interface EvaluationOptions {
  dataDir: string;
  policySet: PolicySet;
  /** Where the policy came from, for the report ("built-in default policy" or a path). */
  policySource: string;
  workers?: number;
  withClassifier?: boolean;
  /** Run the peer guards: true = all, or a list of names. */
  peers?: boolean | readonly string[];
  /** Texts for the per-detector timing (default 2000). */
  latencySamples?: number;
  /** Evaluate only these data sets (default: every file present), e.g. a quick secrets-only run. */
  only?: readonly DatasetName[];
  /** The command line, for the report. */
  argv?: readonly string[];
  log?: (line: string) => void;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** "0.1.0 (abc1234)": the package version and the commit the numbers were taken at. */
export function bulwarkVersion(): string {
  const { version } = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return `${version} (${gitCommit()})`;
}

export function rowCounts(data: EvalData): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of Object.keys(DATA_FILES) as Array<keyof typeof DATA_FILES>) {
    const rows = data[name];
    if (rows) counts[name] = rows.length;
  }
  return counts;
}

/** "id@version" of the shipped models the detectors will load (the classifiers), for the report. */
function trainedModels(factories: ReadonlyArray<readonly [string, DetectorFactory]>): string[] {
  const names = new Set(factories.map(([name]) => name));
  return (['injection-classifier', 'toxicity-classifier'] as const)
    .filter((name) => names.has(name))
    .map((name) => {
      const model = loadShippedModel(name);
      return `${model.id}@${model.version}`;
    });
}

/** The pool (production path), or the in-process engine when classifiers must be added. */
async function openScanner(options: EvaluationOptions): Promise<{ scanner: EvalScanner; factories: ReadonlyArray<readonly [string, DetectorFactory]> }> {
  if (!options.withClassifier) return { scanner: await openPoolScanner(options.policySet, options.workers ?? availableParallelism()), factories: detectorFactories };
  const factories = registryWith(CLASSIFIER_FACTORIES);
  // Already registered: the pool runs them, no need to leave the production path.
  if (factories.length === detectorFactories.length) {
    return { scanner: await openPoolScanner(options.policySet, options.workers ?? availableParallelism()), factories };
  }
  return { scanner: openInProcessScanner(options.policySet, factories), factories };
}

export async function runEvaluation(options: EvaluationOptions): Promise<EvalReport> {
  const startedAt = performance.now();
  const log = options.log ?? (() => undefined);
  const policy = resolvePolicy(options.policySet, '', '');
  const data = loadEvalData(options.dataDir, options.only);
  log(`data ${options.dataDir}: ${Object.entries(rowCounts(data)).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  const { scanner, factories } = await openScanner(options);
  log(`scanning with ${scanner.description}`);
  let results;
  try {
    results = await evaluateBulwark(data, scanner, options.policySet);
  } finally {
    await scanner.close();
  }

  const allTexts = [...(data.injection ?? []), ...(data.pii ?? []), ...(data.secrets ?? []), ...(data.toxicity ?? [])].map((r) => r.text);
  const sample = evenSample(allTexts, options.latencySamples ?? 2000);
  log(`timing each detector on ${sample.length} texts`);
  const detectorLatency = measureDetectorLatency(sample, policy, factories);

  const { judged: _judged, ...bulwark } = results;
  const argv = options.argv ?? [];
  const report: EvalReport = {
    machine: { ...machineInfo([...argv]), command: ['npm run eval --', ...argv].join(' ') },
    data: { dir: options.dataDir, rows: rowCounts(data) },
    policy: { source: options.policySource, version: policy.version },
    scanner: { description: scanner.description, detectors: scanner.detectorNames, models: trainedModels(factories) },
    bulwark,
    detectorLatency: { samples: sample.length, detectors: detectorLatency },
    wallSeconds: 0,
  };
  if (options.peers) {
    const peers = Array.isArray(options.peers) ? options.peers : undefined;
    const comparison = await comparePeers(data, { dataDir: options.dataDir, peers, log });
    report.comparison = { rows: [...bulwarkRows(bulwarkVersion(), data, results), ...comparison.rows], peers: comparison.peers };
  }
  report.wallSeconds = (performance.now() - startedAt) / 1000;
  return report;
}
