/**
 * gRPC server reflection (v1 and v1alpha, via @grpc/reflection) fed from protobuf-es
 * descriptors: the generated files already embed their FileDescriptorProtos, so tools such
 * as grpcurl can list and call services without the .proto files.
 */
import type * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { toBinary, type DescFile } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';

/** Every file of `files` plus their imports, each once. */
function withDependencies(files: readonly DescFile[]): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile): void => {
    if (seen.has(file.name)) return;
    seen.set(file.name, file);
    file.dependencies.forEach(visit);
  };
  files.forEach(visit);
  return [...seen.values()];
}

/** Adds reflection for `services` (fully-qualified names) defined in `files`. */
export function addReflection(server: grpc.Server, files: readonly DescFile[], services: readonly string[]): void {
  const fileDescriptorProtos = withDependencies(files).map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)));
  // @grpc/reflection reads `fileDescriptorProtos` from any entry of a proto-loader package
  // definition; one synthetic entry carrying all files is enough.
  const packageDefinition = { 'bulwark.reflection': { fileDescriptorProtos } };
  new ReflectionService(packageDefinition as never, { services: [...services] }).addToServer(server);
}
