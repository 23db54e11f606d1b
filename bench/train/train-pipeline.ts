/**
 * The whole training procedure for one windowed linear classifier, shared by the injection
 * and toxicity models: fit on the train split, calibrate (Platt) and choose the threshold on
 * the validation split (benign FPR ≤ target), measure on the test split (never used before),
 * and leave-one-source-out runs. Deterministic: hash splits, full-batch L-BFGS, no seeds.
 */
import { performance } from 'node:perf_hooks';
import type { LinearTextModel } from '../../src/detectors/ml/linear-text-model.js';
import type { FeatureConfig } from '../../src/detectors/ml/text-features.js';
import { featureDimension } from '../../src/detectors/ml/text-features.js';
import type { WindowOptions } from '../../src/detectors/ml/text-windows.js';
import type { Scored, SourceMetrics } from './classifier-metrics.js';
import { expectedCalibrationError, fitPlatt, perSource, rates, rocAuc, thresholdForFpr } from './classifier-metrics.js';
import type { LabelledRow } from './labelled-dataset.js';
import type { FitOptions } from './sparse-logistic-regression.js';
import type { Doc, LinearFit } from './text-classifier-training.js';
import { buildDocs, docLogit, trainWindowedClassifier } from './text-classifier-training.js';

export interface SecondHead {
  name: string;
  /** Which attack rows belong to this head's positive class (trained on attack rows only). */
  labelOf: (row: LabelledRow) => 0 | 1;
}

export interface PipelineSpec {
  modelId: string;
  rows: LabelledRow[];
  features: FeatureConfig;
  windows: WindowOptions;
  fit: FitOptions;
  milRounds: number;
  maxFpr: number;
  /** Rows per (source, label) get weight 1/sqrt(count), so small sources are not drowned out. */
  balanceSources: boolean;
  secondHead?: SecondHead;
  /** Sources to run leave-one-source-out for (empty = none). */
  losoSources: string[];
  /** Cheaper fitting for the leave-one-source-out runs (they only report). */
  losoFit: FitOptions;
  losoMilRounds: number;
  /**
   * Sources added to help training generalise (e.g. benign translations): used for fitting
   * only. Calibration, the threshold and the headline numbers use the labelled data alone, so
   * easy extra rows cannot dilute the FPR; their own FPR is still listed per source.
   */
  augmentationSources: ReadonlySet<string>;
  /** Extra grouping keys for the per-subset table, e.g. CyberSecEval language. */
  subsetKey: (row: LabelledRow) => string;
  log: (line: string) => void;
}

export interface LosoResult {
  source: string;
  label: 0 | 1;
  rows: number;
  /** Recall (attack rows) or FPR (benign rows) of the held-out source at the run's own threshold. */
  rate: number;
  threshold: number;
}

export interface PipelineReport {
  rowsBySplit: Record<string, number>;
  threshold: number;
  calibration: { a: number; b: number; ece: number };
  validation: ReturnType<typeof rates> & { auc: number };
  test: ReturnType<typeof rates> & { auc: number };
  testBySource: SourceMetrics[];
  testBySubset: SourceMetrics[];
  sweep: Array<{ threshold: number; recall: number; fpr: number }>;
  secondHead?: { name: string; accuracy: number; rows: number };
  loso: LosoResult[];
  trainingSeconds: number;
}

function docWeightFor(rows: LabelledRow[], balance: boolean): (row: LabelledRow) => number {
  if (!balance) return () => 1;
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.source}\u0000${r.label}`, (counts.get(`${r.source}\u0000${r.label}`) ?? 0) + 1);
  return (r) => 1 / Math.sqrt(counts.get(`${r.source}\u0000${r.label}`)!);
}

function scoreDocs(fit: LinearFit, docs: Doc[], a = 1, b = 0): Scored[] {
  return docs.map((d) => ({ score: 1 / (1 + Math.exp(-(a * docLogit(fit, d).logit + b))), label: d.row.label, source: d.row.source }));
}

/** Fits on `train`, calibrates and thresholds on `validation`. */
function fitCalibrated(spec: PipelineSpec, train: Doc[], validation: Doc[], fit: FitOptions, milRounds: number) {
  const model = trainWindowedClassifier(train, spec.features, {
    fit,
    milRounds,
    labelOf: (r) => r.label,
    docWeight: docWeightFor(train.map((d) => d.row), spec.balanceSources),
  });
  const valLogits = validation.map((d) => docLogit(model, d).logit);
  const platt = fitPlatt(valLogits, validation.map((d) => d.row.label));
  const valScored = scoreDocs(model, validation, platt.a, platt.b);
  const threshold = thresholdForFpr(valScored, spec.maxFpr);
  return { model, platt, valScored, threshold };
}

export function runPipeline(spec: PipelineSpec): { model: LinearTextModel; report: PipelineReport } {
  const started = performance.now();
  const log = spec.log;
  const docs = buildDocs(spec.rows, spec.features, spec.windows);
  const bySplit = (split: string, list = docs) => list.filter((d) => d.row.split === split);
  const train = bySplit('train');
  const validation = bySplit('validation');
  const test = bySplit('test');
  log(`features: ${docs.length} texts, ${docs.reduce((n, d) => n + d.windows.length, 0)} windows/segments, ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const core = (list: Doc[]) => list.filter((d) => !spec.augmentationSources.has(d.row.source));
  const main = fitCalibrated(spec, train, core(validation), spec.fit, spec.milRounds);
  const { a, b } = main.platt;
  log(`main model fitted (${((performance.now() - started) / 1000).toFixed(1)} s); Platt a=${a.toFixed(3)} b=${b.toFixed(3)} threshold=${main.threshold.toFixed(4)}`);

  const allTestScored = scoreDocs(main.model, test, a, b);
  const testScored = allTestScored.filter((s) => !spec.augmentationSources.has(s.source));
  const testRates = rates(testScored, main.threshold);
  log(`test split: recall ${(testRates.recall * 100).toFixed(1)}% at FPR ${(testRates.fpr * 100).toFixed(2)}%`);
  const withSubset = test.map((d, i) => ({ ...allTestScored[i]!, source: `${d.row.source} / ${spec.subsetKey(d.row)}` }));
  const sweep = [0.3, 0.5, 0.7, 0.8, 0.9, 0.95, main.threshold]
    .sort((x, y) => x - y)
    .map((t) => ({ threshold: t, ...pick(rates(testScored, t)) }));

  // Second head (e.g. jailbreak vs other injection), trained on attack rows only.
  const dimension = featureDimension(spec.features);
  const outputs = spec.secondHead === undefined ? 1 : 2;
  const weights = new Float32Array(dimension * outputs);
  const bias = new Float32Array(outputs);
  for (let f = 0; f < dimension; f++) weights[f * outputs] = a * main.model.weights[f]!;
  bias[0] = a * main.model.bias + b;
  let secondHead: PipelineReport['secondHead'];
  if (spec.secondHead !== undefined) {
    const head = spec.secondHead;
    const attacks = (list: Doc[]) => list.filter((d) => d.row.label === 1);
    const headFit = trainWindowedClassifier(attacks(train), spec.features, { fit: spec.fit, milRounds: 0, labelOf: head.labelOf });
    for (let f = 0; f < dimension; f++) weights[f * outputs + 1] = headFit.weights[f]!;
    bias[1] = headFit.bias;
    const testAttacks = attacks(test);
    const correct = testAttacks.filter((d) => (docLogit(headFit, d).logit > 0 ? 1 : 0) === head.labelOf(d.row)).length;
    secondHead = { name: head.name, accuracy: correct / testAttacks.length, rows: testAttacks.length };
    log(`second head '${head.name}': test accuracy ${(secondHead.accuracy * 100).toFixed(1)}% on ${testAttacks.length} attack rows`);
  }

  const loso: LosoResult[] = [];
  for (const source of spec.losoSources) {
    const others = docs.filter((d) => d.row.source !== source);
    const held = docs.filter((d) => d.row.source === source);
    const run = fitCalibrated(spec, bySplit('train', others), core(bySplit('validation', others)), spec.losoFit, spec.losoMilRounds);
    const scored = scoreDocs(run.model, held, run.platt.a, run.platt.b);
    for (const label of [1, 0] as const) {
      const rows = scored.filter((s) => s.label === label);
      if (rows.length === 0) continue;
      const flagged = rows.filter((s) => s.score >= run.threshold).length;
      loso.push({ source, label, rows: rows.length, rate: flagged / rows.length, threshold: run.threshold });
    }
    log(`leave-one-source-out ${source}: ${loso.filter((l) => l.source === source).map((l) => `${l.label === 1 ? 'recall' : 'FPR'} ${(l.rate * 100).toFixed(1)}%`).join(', ')}`);
  }

  const report: PipelineReport = {
    rowsBySplit: { train: train.length, validation: validation.length, test: test.length },
    threshold: main.threshold,
    calibration: { a, b, ece: expectedCalibrationError(testScored) },
    validation: { ...rates(main.valScored, main.threshold), auc: rocAuc(main.valScored) },
    test: { ...rates(testScored, main.threshold), auc: rocAuc(testScored) },
    testBySource: perSource(allTestScored, main.threshold),
    testBySubset: perSource(withSubset, main.threshold),
    sweep,
    ...(secondHead === undefined ? {} : { secondHead }),
    loso,
    trainingSeconds: (performance.now() - started) / 1000,
  };
  const model: LinearTextModel = {
    id: spec.modelId,
    version: '',
    features: spec.features,
    windows: spec.windows,
    outputs: spec.secondHead === undefined ? ['score'] : ['attack', spec.secondHead.name],
    weights,
    bias,
    threshold: main.threshold,
    info: {},
  };
  return { model, report };
}

function pick(r: ReturnType<typeof rates>): { recall: number; fpr: number } {
  return { recall: r.recall, fpr: r.fpr };
}
