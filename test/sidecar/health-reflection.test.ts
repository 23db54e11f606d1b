import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import { startTestSidecar } from './sidecar-fixture.js';

const HealthClient = grpc.makeClientConstructor(healthService, 'Health');

interface HealthStub extends grpc.Client {
  check(request: { service: string }, callback: (err: grpc.ServiceError | null, value?: { status: string }) => void): void;
  watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>;
}

function check(client: HealthStub, service: string): Promise<string> {
  return new Promise((resolve, reject) => client.check({ service }, (err, value) => (err ? reject(err) : resolve(value!.status))));
}

/** grpc.reflection ServerReflectionRequest with one oneof field set (7 = list_services, 4 = file_containing_symbol). */
function reflectionRequest(field: 4 | 7, value: string): Buffer {
  return Buffer.from(new BinaryWriter().tag(field, WireType.LengthDelimited).string(value).finish());
}

/** Every length-delimited field `fieldNo` of a message, as bytes. */
function fieldsOf(bytes: Uint8Array, fieldNo: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === fieldNo && wireType === WireType.LengthDelimited) out.push(reader.bytes());
    else reader.skip(wireType, no);
  }
  return out;
}

/** One request on a ServerReflectionInfo stream, one response. */
function reflect(address: string, version: 'v1' | 'v1alpha', request: Buffer): Promise<Buffer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const call = client.makeBidiStreamRequest(
    `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
    (b: Buffer) => b,
    (b: Buffer) => b,
  );
  return new Promise((resolve, reject) => {
    call.once('data', (response: Buffer) => {
      call.end();
      client.close();
      resolve(response);
    });
    call.once('error', reject);
    call.write(request);
  });
}

describe('health and reflection', () => {
  let sidecar: RunningSidecar;
  let health: HealthStub;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ workers: 1 });
    health = new HealthClient(sidecar.address, grpc.credentials.createInsecure()) as unknown as HealthStub;
  });
  afterAll(async () => {
    health?.close();
    await sidecar?.close(1000);
  });

  it('reports SERVING for the server and the scan service, NOT_FOUND for others', async () => {
    expect(await check(health, '')).toBe('SERVING');
    expect(await check(health, 'bulwark.v1.SecurityScanService')).toBe('SERVING');
    await expect(check(health, 'no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  for (const version of ['v1', 'v1alpha'] as const) {
    it(`lists the services through reflection ${version}`, async () => {
      const response = await reflect(sidecar.address, version, reflectionRequest(7, '*'));
      const [list] = fieldsOf(response, 6); // list_services_response
      expect(list).toBeDefined();
      const names = fieldsOf(list!, 1).map((service) => new TextDecoder().decode(fieldsOf(service, 1)[0]));
      expect(names).toContain('bulwark.v1.SecurityScanService');
      expect(names).toContain('grpc.health.v1.Health');
    });
  }

  it('describes the scan service with its file and the files it imports', async () => {
    const response = await reflect(sidecar.address, 'v1', reflectionRequest(4, 'bulwark.v1.SecurityScanService'));
    const [fileResponse] = fieldsOf(response, 4); // file_descriptor_response
    expect(fileResponse).toBeDefined();
    const files = fieldsOf(fileResponse!, 1).map((b) => fromBinary(FileDescriptorProtoSchema, b));
    const names = files.map((f) => f.name);
    expect(names).toContain('bulwark/v1/scan_service.proto');
    expect(names).toContain('bulwark/v1/threat.proto');
    const scanFile = files.find((f) => f.name === 'bulwark/v1/scan_service.proto')!;
    const methods = scanFile.service.find((svc) => svc.name === 'SecurityScanService')?.method.map((m) => m.name);
    expect(methods).toEqual(expect.arrayContaining(['Scan', 'StreamScan']));
  });

  it('answers an unknown symbol with an error response, not a dropped stream', async () => {
    const response = await reflect(sidecar.address, 'v1', reflectionRequest(4, 'no.such.Symbol'));
    expect(fieldsOf(response, 7)).toHaveLength(1); // error_response
  });
});

describe('health during shutdown', () => {
  it('Watch sees SERVING, then NOT_SERVING when the sidecar starts closing', async () => {
    const sidecar = await startTestSidecar({ workers: 1 });
    const health = new HealthClient(sidecar.address, grpc.credentials.createInsecure()) as unknown as HealthStub;
    const watch = health.watch({ service: '' });
    const seen: string[] = [];
    const notServing = new Promise<void>((resolve) => {
      watch.on('data', (message: { status: string }) => {
        seen.push(message.status);
        if (message.status === 'NOT_SERVING') resolve();
      });
      watch.on('error', () => undefined); // cancelled when the server finally closes
    });
    await expect.poll(() => seen).toEqual(['SERVING']);
    const closed = sidecar.close(2000);
    await notServing;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    await closed;
    health.close();
  });
});
