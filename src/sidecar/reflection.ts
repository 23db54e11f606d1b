/**
 * gRPC server reflection (v1 and v1alpha, via @grpc/reflection) so `grpcurl -plaintext ADDR list`
 * and `describe` work without proto files.
 *
 * @grpc/reflection expects a proto-loader package definition, but reads only one thing from it:
 * each entry's `fileDescriptorProtos` (serialized FileDescriptorProto). We build those from the
 * protobuf-es descriptors in gen/ (and the health service's own descriptor), so the API is
 * described from the same source that serves it.
 */
import { toBinary } from '@bufbuild/protobuf';
import type { GenFile } from '@bufbuild/protobuf/codegenv2';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { service as healthService } from 'grpc-health-check';
import { file_bulwark_v1_scan_service, SecurityScanService } from '../../gen/bulwark/v1/scan_service_pb.js';

/** proto-loader's PackageDefinition, named through the reflection package (proto-loader is not our dependency). */
type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

/** A file and every file it imports, dependencies first. */
function withDependencies(file: GenFile, seen = new Set<string>()): GenFile[] {
  if (seen.has(file.name)) return [];
  seen.add(file.name);
  return [...file.dependencies.flatMap((d) => withDependencies(d as GenFile, seen)), file];
}

function encodedFiles(file: GenFile): Buffer[] {
  return withDependencies(file).map((f) => Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)));
}

/** The package definition @grpc/reflection needs for the services the sidecar serves. */
export function reflectionPackageDefinition(): PackageDefinition {
  const healthFiles = healthService.Check?.requestType.fileDescriptorProtos ?? [];
  return {
    [SecurityScanService.typeName]: { format: 'Protocol Buffer 3 DescriptorProto', type: {}, fileDescriptorProtos: encodedFiles(file_bulwark_v1_scan_service) },
    'grpc.health.v1.Health': { format: 'Protocol Buffer 3 DescriptorProto', type: {}, fileDescriptorProtos: healthFiles },
  } as unknown as PackageDefinition;
}

/** Adds grpc.reflection v1 and v1alpha to a grpc-js server. */
export function addReflection(server: Server): void {
  new ReflectionService(reflectionPackageDefinition()).addToServer(server);
}
