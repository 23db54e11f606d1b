/**
 * A grpc-js service definition from a protobuf-es service descriptor: method paths and
 * binary (de)serialisers come from the generated schema, so no .proto loading at runtime.
 * Generic over every method kind; the control plane and any other grpc-js server can share it.
 */
import type * as grpc from '@grpc/grpc-js';
import { fromBinary, toBinary, type DescMessage, type DescService, type MessageShape } from '@bufbuild/protobuf';

/** `/package.Service/Method`, the gRPC path of a method. */
export function grpcPath(service: DescService, methodName: string): string {
  return `/${service.typeName}/${methodName}`;
}

function serializer<D extends DescMessage>(schema: D): (msg: MessageShape<D>) => Buffer {
  return (msg) => Buffer.from(toBinary(schema, msg));
}

function deserializer<D extends DescMessage>(schema: D): (buf: Buffer) => MessageShape<D> {
  return (buf) => fromBinary(schema, buf);
}

/** Keys are the methods' local (lowerCamelCase) names, as grpc-js clients call them. */
export function grpcServiceDefinition(service: DescService): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    const kind = method.methodKind;
    definition[method.localName] = {
      path: grpcPath(service, method.name),
      originalName: method.name,
      requestStream: kind === 'client_streaming' || kind === 'bidi_streaming',
      responseStream: kind === 'server_streaming' || kind === 'bidi_streaming',
      requestSerialize: serializer(method.input) as (msg: unknown) => Buffer,
      requestDeserialize: deserializer(method.input),
      responseSerialize: serializer(method.output) as (msg: unknown) => Buffer,
      responseDeserialize: deserializer(method.output),
    };
  }
  return definition as grpc.ServiceDefinition;
}
