/**
 * A @grpc/grpc-js ServiceDefinition built from a protobuf-es service descriptor, so grpc-js
 * serves the same generated schemas Connect uses (one source of truth: gen/).
 *
 * Deserializers never throw: bytes that do not decode (invalid UTF-8 in a string) become an
 * empty message marked undecodable (content-limits.ts), so the handler can answer
 * INVALID_ARGUMENT instead of grpc-js's INTERNAL. The placeholder keeps the top-level string
 * fields that can be read leniently (StreamScan needs the stream id to fail only that logical
 * stream); handlers check the mark before using any field.
 */
import { create, fromBinary, ScalarType, toBinary, type DescMessage, type DescService, type MessageShape } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { decodeFailureReason, markUndecodable } from './content-limits.js';

/** Reads the top-level string fields, replacing invalid UTF-8 with U+FFFD. Throws on malformed wire data. */
export function salvageStringFields(schema: DescMessage, bytes: Uint8Array): Record<string, string> {
  const names = new Map<number, string>();
  for (const f of schema.fields) if (f.fieldKind === 'scalar' && f.scalar === ScalarType.STRING) names.set(f.number, f.localName);
  const out: Record<string, string> = {};
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const name = names.get(fieldNo);
    if (name !== undefined && wireType === WireType.LengthDelimited) out[name] = reader.string();
    else reader.skip(wireType, fieldNo);
  }
  return out;
}

function serializer<Desc extends DescMessage>(schema: Desc): (value: MessageShape<Desc>) => Buffer {
  return (value) => {
    const bytes = toBinary(schema, value);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer<Desc extends DescMessage>(schema: Desc): (bytes: Buffer) => MessageShape<Desc> {
  return (bytes) => {
    try {
      return fromBinary(schema, bytes);
    } catch (err) {
      const placeholder = create(schema) as MessageShape<Desc>;
      try {
        Object.assign(placeholder, salvageStringFields(schema, bytes));
      } catch {
        // Malformed wire data: nothing recoverable, the placeholder stays empty.
      }
      markUndecodable(placeholder, decodeFailureReason(err, schema.typeName));
      return placeholder;
    }
  };
}

/** Method keys are the proto names ("Scan"); implementations may use either those or the local names ("scan"). */
export function grpcServiceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const method of service.methods) {
    definition[method.name] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: serializer(method.input),
      requestDeserialize: deserializer(method.input),
      responseSerialize: serializer(method.output),
      responseDeserialize: deserializer(method.output),
      originalName: method.localName,
    };
  }
  return definition as ServiceDefinition;
}
