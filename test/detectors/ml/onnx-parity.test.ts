import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { analyzeText } from '../../../src/detectors/normalize/analyze-text.js';
import type { LinearTextModel } from '../../../src/detectors/ml/linear-text-model.js';
import { linearLogits, sigmoid } from '../../../src/detectors/ml/linear-text-model.js';
import { buildLinearTextModelOnnx } from '../../../src/detectors/ml/onnx-model-builder.js';
import { readLinearTextModelOnnx } from '../../../src/detectors/ml/onnx-model-reader.js';
import { shippedModelPath } from '../../../src/detectors/ml/shipped-models.js';
import { featureWindows } from '../../../src/detectors/ml/windowed-scoring.js';
import { hasInjectionData, INJECTION_DATA, randomLinearModel, SAMPLE_TEXTS } from './ml-test-helpers.js';

/** Scores every window of every text with onnxruntime and with the TypeScript scorer. */
async function compare(model: LinearTextModel, onnx: Uint8Array, texts: string[]): Promise<number> {
  const session = await ort.InferenceSession.create(onnx);
  let compared = 0;
  const logits = new Float64Array(model.outputs.length);
  try {
    for (const text of texts) {
      for (const w of featureWindows(analyzeText(text), model.features, model.windows)) {
        const n = w.features.indices.length;
        const out = await session.run({
          feature_indices: new ort.Tensor('int64', BigInt64Array.from(w.features.indices, (i) => BigInt(i)), [n]),
          feature_values: new ort.Tensor('float32', Float32Array.from(w.features.values), [n]),
        });
        const scores = out.scores!.data as Float32Array;
        linearLogits(model, w.features, logits);
        for (let o = 0; o < model.outputs.length; o++) {
          expect(Math.abs(scores[o]! - sigmoid(logits[o]!))).toBeLessThan(1e-5);
          expect(Math.abs((out.logits!.data as Float32Array)[o]! - logits[o]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(logits[o]!)));
        }
        compared++;
      }
    }
  } finally {
    await session.release();
  }
  return compared;
}

describe('ONNX model file', () => {
  it('round-trips a linear model exactly (weights, bias, config, metadata)', () => {
    const model = randomLinearModel(11);
    const back = readLinearTextModelOnnx(buildLinearTextModelOnnx(model));
    expect(back.id).toBe(model.id);
    expect(back.outputs).toEqual(model.outputs);
    expect(back.features).toEqual(model.features);
    expect(back.windows).toEqual(model.windows);
    expect(back.threshold).toBe(model.threshold);
    expect(back.info).toEqual(model.info);
    expect(Array.from(back.weights)).toEqual(Array.from(model.weights));
    expect(Array.from(back.bias)).toEqual(Array.from(model.bias));
  });

  it('rejects files that are not Bulwark linear models, with a clear message', () => {
    const model = randomLinearModel(3);
    expect(() => readLinearTextModelOnnx(new Uint8Array([1, 2, 3, 4]))).toThrow();
    const wrongVersion = { ...model, features: { ...model.features, featureVersion: 999 } };
    expect(() => readLinearTextModelOnnx(buildLinearTextModelOnnx(wrongVersion))).toThrow(/feature version 999/);
  });

  it('onnxruntime-node and the TypeScript scorer agree on a generated model (1e-5)', async () => {
    const model = randomLinearModel(5);
    expect(await compare(model, buildLinearTextModelOnnx(model), SAMPLE_TEXTS)).toBeGreaterThan(SAMPLE_TEXTS.length);
  });

  it('onnxruntime-node and the TypeScript scorer agree on the shipped injection model (1e-5)', async () => {
    const bytes = readFileSync(shippedModelPath('injection-classifier'));
    const model = readLinearTextModelOnnx(bytes);
    const texts = [...SAMPLE_TEXTS];
    if (hasInjectionData) {
      // Every 40th row of the data as well: real prompts of every source and length.
      const rows = readFileSync(INJECTION_DATA, 'utf8').split('\n').filter((l) => l !== '');
      for (let i = 0; i < rows.length; i += 40) texts.push((JSON.parse(rows[i]!) as { text: string }).text);
    }
    expect(await compare(model, bytes, texts)).toBeGreaterThan(texts.length);
  });

  it.skipIf(!existsSync(shippedModelPathSafe('toxicity-classifier')))('agrees on the shipped toxicity model (1e-5)', async () => {
    const bytes = readFileSync(shippedModelPath('toxicity-classifier'));
    expect(await compare(readLinearTextModelOnnx(bytes), bytes, SAMPLE_TEXTS)).toBeGreaterThan(0);
  });
});

function shippedModelPathSafe(name: 'toxicity-classifier'): string {
  try {
    return shippedModelPath(name);
  } catch {
    return '';
  }
}
