/**
 * Writes ONNX models with the generated `onnx` protobuf schema (gen/onnx), without an ONNX
 * library. Exposes small graph-building helpers (also used by tests to build tiny models) and
 * {@link buildLinearTextModelOnnx}, which writes a {@link LinearTextModel} as a sparse graph:
 *
 *   feature_indices:int64[N], feature_values:float[N]
 *     → Gather(weights[F, K], feature_indices)        [N, K]   (never a dense F-vector)
 *     → Mul(·, Unsqueeze(feature_values, 1))         [N, K]
 *     → ReduceSum(axis 0, keepdims 0)                [K]
 *     → Add(bias[K]) = logits → Sigmoid = scores     [K]
 *
 * Everything needed to recompute the features (feature config, windowing, threshold, output
 * names) goes into `metadata_props`, so the .onnx file is the whole artifact.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataType,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from '../../../gen/onnx/onnx_pb.js';
import type { AttributeProto, NodeProto, TensorProto, ValueInfoProto } from '../../../gen/onnx/onnx_pb.js';
import type { LinearTextModel } from './linear-text-model.js';
import { assertModelShape } from './linear-text-model.js';
import { featureDimension } from './text-features.js';

/** ONNX IR version 7 with opset 13: supported by every onnxruntime release since 1.7. */
export const ONNX_IR_VERSION = 7n;
export const ONNX_OPSET = 13n;

/** Metadata keys written into (and read back from) linear text models. */
export const META = {
  format: 'bulwark.format',
  modelId: 'bulwark.model_id',
  modelVersion: 'bulwark.model_version',
  features: 'bulwark.features',
  windows: 'bulwark.windows',
  outputs: 'bulwark.outputs',
  threshold: 'bulwark.threshold',
  infoPrefix: 'bulwark.info.',
} as const;
export const LINEAR_TEXT_MODEL_FORMAT = 'bulwark-linear-text-model/1';

/** A float32 tensor stored little-endian in raw_data. */
export function floatTensor(name: string, dims: number[], data: Float32Array): TensorProto {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: TensorProto_DataType.FLOAT,
    rawData: bytes,
  });
}

/** An int64 tensor (small constants such as axes). */
export function int64Tensor(name: string, dims: number[], data: number[]): TensorProto {
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: TensorProto_DataType.INT64,
    int64Data: data.map(BigInt),
  });
}

/** An integer attribute. */
export function intAttribute(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) });
}

/** A list-of-integers attribute. */
export function intsAttribute(name: string, values: number[]): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: values.map(BigInt) });
}

export function node(opType: string, inputs: string[], outputs: string[], attributes: AttributeProto[] = []): NodeProto {
  return create(NodeProtoSchema, { opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute: attributes });
}

/** A graph input/output of a tensor type; a string dimension is symbolic (e.g. "N"). */
export function tensorValueInfo(name: string, elemType: TensorProto_DataType, dims: Array<number | string>): ValueInfoProto {
  const shape = create(TensorShapeProtoSchema, {
    dim: dims.map((d) =>
      create(TensorShapeProto_DimensionSchema, {
        value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
      }),
    ),
  });
  const type = create(TypeProtoSchema, {
    value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType, shape }) },
  });
  return create(ValueInfoProtoSchema, { name, type });
}

export interface GraphSpec {
  name: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  metadata?: Record<string, string>;
  docString?: string;
}

/** Serialises a complete model (default ONNX domain, opset 13). */
export function encodeOnnxModel(spec: GraphSpec): Uint8Array {
  const graph = create(GraphProtoSchema, {
    name: spec.name,
    node: spec.nodes,
    initializer: spec.initializers,
    input: spec.inputs,
    output: spec.outputs,
  });
  const model = create(ModelProtoSchema, {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: ONNX_OPSET })],
    producerName: 'bulwark',
    producerVersion: '1',
    docString: spec.docString ?? '',
    graph,
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) =>
      create(StringStringEntryProtoSchema, { key, value }),
    ),
  });
  return toBinary(ModelProtoSchema, model);
}

/** The ONNX file of a linear text model (see the module comment for the graph). */
export function buildLinearTextModelOnnx(model: LinearTextModel): Uint8Array {
  assertModelShape(model);
  const k = model.outputs.length;
  const metadata: Record<string, string> = {
    [META.format]: LINEAR_TEXT_MODEL_FORMAT,
    [META.modelId]: model.id,
    [META.modelVersion]: model.version,
    [META.features]: JSON.stringify(model.features),
    [META.windows]: JSON.stringify(model.windows),
    [META.outputs]: JSON.stringify(model.outputs),
    [META.threshold]: String(model.threshold),
  };
  for (const [key, value] of Object.entries(model.info)) metadata[META.infoPrefix + key] = value;
  return encodeOnnxModel({
    name: model.id,
    docString: `Linear model over hashed text features (${model.outputs.join(', ')}).`,
    metadata,
    initializers: [
      floatTensor('weights', [featureDimension(model.features), k], model.weights),
      floatTensor('bias', [k], model.bias),
      int64Tensor('axis_0', [1], [0]),
      int64Tensor('axis_1', [1], [1]),
    ],
    inputs: [
      tensorValueInfo('feature_indices', TensorProto_DataType.INT64, ['N']),
      tensorValueInfo('feature_values', TensorProto_DataType.FLOAT, ['N']),
    ],
    outputs: [
      tensorValueInfo('scores', TensorProto_DataType.FLOAT, [k]),
      tensorValueInfo('logits', TensorProto_DataType.FLOAT, [k]),
    ],
    nodes: [
      node('Gather', ['weights', 'feature_indices'], ['rows'], [intAttribute('axis', 0)]),
      node('Unsqueeze', ['feature_values', 'axis_1'], ['column']),
      node('Mul', ['rows', 'column'], ['weighted']),
      node('ReduceSum', ['weighted', 'axis_0'], ['summed'], [intAttribute('keepdims', 0)]),
      node('Add', ['summed', 'bias'], ['logits']),
      node('Sigmoid', ['logits'], ['scores']),
    ],
  });
}
