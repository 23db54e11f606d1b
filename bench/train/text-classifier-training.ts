/**
 * Training of a windowed linear text classifier, shared by the injection and toxicity models.
 *
 * Inference scores a text as the MAXIMUM over its windows, so training treats a text as a bag
 * of windows (multiple-instance learning): first every window of a text carries the text's
 * label; then, for a few rounds, an attack text contributes only its highest-scoring window
 * (the one that carries the attack), while every window of a benign text stays negative.
 */
import { analyzeText } from '../../src/detectors/normalize/analyze-text.js';
import type { SparseFeatures } from '../../src/detectors/ml/text-features.js';
import { featureDimension } from '../../src/detectors/ml/text-features.js';
import type { FeatureConfig } from '../../src/detectors/ml/text-features.js';
import type { WindowOptions } from '../../src/detectors/ml/text-windows.js';
import { featureWindows } from '../../src/detectors/ml/windowed-scoring.js';
import type { LabelledRow } from './labelled-dataset.js';
import type { FitOptions, SparseRows } from './sparse-logistic-regression.js';
import { DEFAULT_FIT_OPTIONS, fitLogisticRegression } from './sparse-logistic-regression.js';

export interface Doc {
  row: LabelledRow;
  windows: SparseFeatures[];
}

export interface LinearFit {
  weights: Float64Array;
  bias: number;
}

export function buildDocs(rows: LabelledRow[], features: FeatureConfig, windows: WindowOptions): Doc[] {
  return rows.map((row) => ({
    row,
    windows: featureWindows(analyzeText(row.text), features, windows).map((w) => w.features),
  }));
}

interface Instance {
  x: SparseFeatures;
  label: number;
  weight: number;
}

function toSparseRows(instances: Instance[], dimension: number): { rows: SparseRows; labels: Float64Array; weights: Float64Array } {
  let nnz = 0;
  for (const inst of instances) nnz += inst.x.indices.length;
  const rowStart = new Int32Array(instances.length + 1);
  const cols = new Int32Array(nnz);
  const vals = new Float32Array(nnz);
  const labels = new Float64Array(instances.length);
  const weights = new Float64Array(instances.length);
  let p = 0;
  instances.forEach((inst, i) => {
    rowStart[i] = p;
    cols.set(inst.x.indices, p);
    vals.set(inst.x.values, p);
    p += inst.x.indices.length;
    labels[i] = inst.label;
    weights[i] = inst.weight;
  });
  rowStart[instances.length] = p;
  return { rows: { rowStart, cols, vals, dimension }, labels, weights };
}

export function windowLogit(fit: LinearFit, x: SparseFeatures): number {
  let z = fit.bias;
  for (let i = 0; i < x.indices.length; i++) z += fit.weights[x.indices[i]!]! * x.values[i]!;
  return z;
}

/** Max-over-windows logit and the index of that window. */
export function docLogit(fit: LinearFit, doc: Doc): { logit: number; window: number } {
  let best = -Infinity;
  let window = 0;
  doc.windows.forEach((x, i) => {
    const z = windowLogit(fit, x);
    if (z > best) {
      best = z;
      window = i;
    }
  });
  return { logit: best, window };
}

export interface MilOptions {
  fit: FitOptions;
  milRounds: number;
  /** Label of a document for this model (the injection model's jailbreak head relabels rows). */
  labelOf: (row: LabelledRow) => 0 | 1;
  /**
   * Relative weight of a document; classes are then rebalanced to equal total weight. Default 1.
   */
  docWeight?: (row: LabelledRow) => number;
}

/** Fits the model on `docs` (all of them: pass only training rows). */
export function trainWindowedClassifier(docs: Doc[], features: FeatureConfig, options: MilOptions): LinearFit {
  const dimension = featureDimension(features);
  const labelOf = options.labelOf;
  const docWeight = options.docWeight ?? (() => 1);
  let positive = 0;
  let negative = 0;
  for (const d of docs) {
    if (labelOf(d.row) === 1) positive += docWeight(d.row);
    else negative += docWeight(d.row);
  }
  const classWeight = (label: number): number => (label === 1 ? 0.5 / positive : 0.5 / negative) * docs.length;

  let fit: LinearFit | undefined;
  for (let round = 0; round <= options.milRounds; round++) {
    const instances: Instance[] = [];
    for (const d of docs) {
      const label = labelOf(d.row);
      const w = docWeight(d.row) * classWeight(label);
      if (label === 1 && fit !== undefined && d.windows.length > 1) {
        instances.push({ x: d.windows[docLogit(fit, d).window]!, label, weight: w });
      } else {
        // Every window of a benign text must stay low; share the text's weight across its windows.
        for (const x of d.windows) instances.push({ x, label, weight: w / d.windows.length });
      }
    }
    const { rows, labels, weights } = toSparseRows(instances, dimension);
    const fitted = fitLogisticRegression(rows, labels, weights, options.fit ?? DEFAULT_FIT_OPTIONS, fit);
    fit = { weights: fitted.weights, bias: fitted.bias };
  }
  return fit!;
}
