/**
 * Reads a linear text model back from its ONNX file (as written by onnx-model-builder.ts):
 * the weights come from the graph's initializers and the feature/window configuration from
 * `metadata_props`. Synchronous on purpose — detector factories are synchronous and a worker
 * thread loads the model once.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataType } from '../../../gen/onnx/onnx_pb.js';
import type { TensorProto } from '../../../gen/onnx/onnx_pb.js';
import type { LinearTextModel } from './linear-text-model.js';
import { assertModelShape } from './linear-text-model.js';
import { LINEAR_TEXT_MODEL_FORMAT, META } from './onnx-model-builder.js';
import type { FeatureConfig } from './text-features.js';
import { assertFeatureConfig } from './text-features.js';
import type { WindowOptions } from './text-windows.js';
import { assertWindowOptions } from './text-windows.js';

function floatData(t: TensorProto): Float32Array {
  if (t.dataType !== TensorProto_DataType.FLOAT) throw new Error(`tensor ${t.name} is not float32`);
  if (t.floatData.length > 0) return Float32Array.from(t.floatData);
  const raw = t.rawData;
  if (raw.length % 4 !== 0) throw new Error(`tensor ${t.name} has a truncated raw_data`);
  const out = new Float32Array(raw.length / 4);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function parseJson<T>(text: string | undefined, what: string): T {
  if (text === undefined) throw new Error(`model metadata is missing ${what}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`model metadata ${what} is not valid JSON`);
  }
}

/** Parses an ONNX file written by {@link buildLinearTextModelOnnx}. Throws with a clear message otherwise. */
export function readLinearTextModelOnnx(bytes: Uint8Array): LinearTextModel {
  const model = fromBinary(ModelProtoSchema, bytes);
  const meta = new Map(model.metadataProps.map((p) => [p.key, p.value]));
  if (meta.get(META.format) !== LINEAR_TEXT_MODEL_FORMAT) {
    throw new Error(`not a Bulwark linear text model (metadata ${META.format} is not ${LINEAR_TEXT_MODEL_FORMAT})`);
  }
  const initializers = new Map((model.graph?.initializer ?? []).map((t) => [t.name, t]));
  const weights = initializers.get('weights');
  const bias = initializers.get('bias');
  if (weights === undefined || bias === undefined) throw new Error('model graph lacks the weights or bias initializer');

  const features = parseJson<FeatureConfig>(meta.get(META.features), META.features);
  assertFeatureConfig(features);
  const windows = parseJson<WindowOptions>(meta.get(META.windows), META.windows);
  assertWindowOptions(windows);
  const info: Record<string, string> = {};
  for (const [key, value] of meta) if (key.startsWith(META.infoPrefix)) info[key.slice(META.infoPrefix.length)] = value;

  const linear: LinearTextModel = {
    id: meta.get(META.modelId) ?? '',
    version: meta.get(META.modelVersion) ?? '',
    features,
    windows,
    outputs: parseJson<string[]>(meta.get(META.outputs), META.outputs),
    weights: floatData(weights),
    bias: floatData(bias),
    threshold: Number(meta.get(META.threshold)),
    info,
  };
  if (linear.id === '') throw new Error('model metadata is missing its id');
  assertModelShape(linear);
  return linear;
}
