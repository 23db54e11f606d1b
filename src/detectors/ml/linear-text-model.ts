/**
 * A linear model over sparse hashed text features, evaluated in TypeScript.
 *
 * Why TypeScript and not onnxruntime at scan time: detectors are synchronous and must stay
 * well under a millisecond per KB, while `InferenceSession.run` is asynchronous (a promise per
 * call, plus tensor marshalling). For a linear model the whole inference is a sparse dot
 * product — a few thousand multiply-adds — so computing it here is both synchronous and
 * faster than a round trip into the native runtime. The ONNX file stays the single shipped
 * artifact: the weights are read from it, and a parity test runs the same file through
 * onnxruntime-node and requires equal outputs.
 */
import type { FeatureConfig, SparseFeatures } from './text-features.js';
import { featureDimension } from './text-features.js';
import type { WindowOptions } from './text-windows.js';

export interface LinearTextModel {
  /** Stable model id, used as the findings' ruleId, e.g. "bulwark-injection-lr". */
  id: string;
  /** Version string, e.g. a date plus training config hash. */
  version: string;
  features: FeatureConfig;
  windows: WindowOptions;
  /** Output names, e.g. ["attack", "jailbreak"]; output 0 is the main calibrated score. */
  outputs: string[];
  /** Feature-major weights: weight of feature f for output o is `weights[f * outputs.length + o]`. */
  weights: Float32Array;
  bias: Float32Array;
  /** Decision threshold on output 0 (chosen on the validation split). */
  threshold: number;
  /** Free-form facts written by training (metrics, data origin), kept in the ONNX metadata. */
  info: Record<string, string>;
}

/** Throws when the arrays do not match the declared dimensions. */
export function assertModelShape(model: LinearTextModel): void {
  const outputs = model.outputs.length;
  if (outputs < 1) throw new Error('model has no outputs');
  if (model.bias.length !== outputs) throw new Error('model bias length does not match its outputs');
  if (model.weights.length !== featureDimension(model.features) * outputs) {
    throw new Error('model weight count does not match its feature dimension');
  }
  if (!(model.threshold > 0 && model.threshold < 1)) throw new Error('model threshold must be in (0, 1)');
}

/** Logits of every output for one feature vector (written into `out`). */
export function linearLogits(model: LinearTextModel, x: SparseFeatures, out: Float64Array): Float64Array {
  const k = model.outputs.length;
  const w = model.weights;
  for (let o = 0; o < k; o++) out[o] = model.bias[o]!;
  const { indices, values } = x;
  if (k === 1) {
    let sum = 0;
    for (let i = 0; i < indices.length; i++) sum += w[indices[i]!]! * values[i]!;
    out[0]! += sum;
    return out;
  }
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]! * k;
    const v = values[i]!;
    for (let o = 0; o < k; o++) out[o]! += w[row + o]! * v;
  }
  return out;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
