/** Trains the toxicity classifier (toxicity.jsonl, label 1 = hate or offensive); called by train-injection.ts. */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildLinearTextModelOnnx } from '../../src/detectors/ml/onnx-model-builder.js';
import { DEFAULT_FEATURE_CONFIG } from '../../src/detectors/ml/text-features.js';
import { DEFAULT_WINDOW_OPTIONS } from '../../src/detectors/ml/text-windows.js';
import { dataDirectory, readLabelledJsonl } from './labelled-dataset.js';
import { runPipeline } from './train-pipeline.js';
import { toxicityModelCard } from './toxicity-model-card.js';

/** Benign FPR target for the toxicity threshold (offensive language is far more common than injection). */
export const TOXICITY_MAX_FPR = 0.05;

export function trainToxicity(repoRoot: string, args: Set<string>, log: (line: string) => void): void {
  const dataPath = resolve(dataDirectory(), 'toxicity.jsonl');
  const dataSha = createHash('sha256').update(readFileSync(dataPath)).digest('hex');
  const rows = readLabelledJsonl(dataPath);
  const features = { ...DEFAULT_FEATURE_CONFIG, structural: false };
  const fit = { l2: 3e-5, maxIterations: 150, tolerance: 1e-6, history: 8 };
  const { model, report } = runPipeline({
    modelId: 'bulwark-toxicity-linear',
    rows,
    features,
    windows: DEFAULT_WINDOW_OPTIONS,
    fit,
    milRounds: 1,
    maxFpr: TOXICITY_MAX_FPR,
    balanceSources: false,
    losoSources: args.has('--no-loso') ? [] : [],
    losoFit: fit,
    losoMilRounds: 0,
    augmentationSources: new Set<string>(),
    subsetKey: (r) => r.subset,
    log,
  });
  const configHash = createHash('sha256').update(JSON.stringify([dataSha, features, DEFAULT_WINDOW_OPTIONS, fit])).digest('hex');
  model.version = `1.0.0+${configHash.slice(0, 12)}`;
  model.info = { data_sha256: dataSha, test_recall: report.test.recall.toFixed(4), test_fpr: report.test.fpr.toFixed(4) };
  const dir = resolve(repoRoot, 'models/toxicity-classifier');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'model.onnx'), buildLinearTextModelOnnx(model));
  writeFileSync(resolve(dir, 'metrics.json'), `${JSON.stringify({ model: { id: model.id, version: model.version }, dataSha256: dataSha, ...report }, null, 2)}\n`);
  writeFileSync(resolve(dir, 'MODEL_CARD.md'), toxicityModelCard(model, report, dataSha));
  log(`wrote ${dir}/model.onnx; test recall ${(report.test.recall * 100).toFixed(1)}% at FPR ${(report.test.fpr * 100).toFixed(2)}%`);
}
