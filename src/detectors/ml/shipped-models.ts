/**
 * Loads the models shipped in the repository's `models/` folder. Each worker thread has its own
 * module instance, so the cache below means "once per worker thread": the first detector built
 * for a policy reads and parses the file (≈ tens of ms), later policies reuse it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LinearTextModel } from './linear-text-model.js';
import { readLinearTextModelOnnx } from './onnx-model-reader.js';

export type ShippedModelName = 'injection-classifier' | 'toxicity-classifier';

const here = dirname(fileURLToPath(import.meta.url));
const cache = new Map<string, LinearTextModel>();

/**
 * Path of a shipped model. From src/detectors/ml the repository root is three levels up; from
 * the compiled dist/src/detectors/ml it is four.
 */
export function shippedModelPath(name: ShippedModelName): string {
  const candidates = [resolve(here, '../../../models', name, 'model.onnx'), resolve(here, '../../../../models', name, 'model.onnx')];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`shipped model ${name} not found (looked for models/${name}/model.onnx)`);
  return found;
}

/** Reads (once per thread) a linear text model from an ONNX file written by Bulwark's trainer. */
export function loadLinearTextModel(path: string): LinearTextModel {
  let model = cache.get(path);
  if (model === undefined) {
    try {
      model = readLinearTextModelOnnx(readFileSync(path));
    } catch (err) {
      throw new Error(`cannot load model ${path}: ${(err as Error).message}`, { cause: err });
    }
    cache.set(path, model);
  }
  return model;
}

export function loadShippedModel(name: ShippedModelName): LinearTextModel {
  return loadLinearTextModel(shippedModelPath(name));
}
