/**
 * A small typed grpc-js client for bulwark.v1.SecurityScanService (protobuf-es messages), for
 * tests that talk to a real sidecar.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  ScanRequestSchema,
  SecurityScanService,
  StreamScanRequestSchema,
  type ScanResponse,
  type StreamScanRequest,
  type StreamScanResponse,
} from '../../gen/bulwark/v1/scan_service_pb.js';
import { grpcServiceDefinition } from '../../src/sidecar/grpc-service-definition.js';

const ScanServiceClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(SecurityScanService), 'SecurityScanService');

interface RawScanServiceClient extends grpc.Client {
  Scan(
    request: unknown,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, value?: ScanResponse) => void,
  ): grpc.ClientUnaryCall;
  StreamScan(metadata: grpc.Metadata, options: grpc.CallOptions): grpc.ClientDuplexStream<StreamScanRequest, StreamScanResponse>;
}

export type ScanInit = MessageInitShape<typeof ScanRequestSchema>;
export type StreamChunkInit = MessageInitShape<typeof StreamScanRequestSchema>;

export interface ScanClient {
  readonly raw: grpc.Client;
  scan(request: ScanInit, options?: { deadlineMs?: number }): Promise<ScanResponse>;
  /** Sends raw, already-encoded ScanRequest bytes (to test what the server does with bad ones). */
  scanBytes(bytes: Uint8Array): Promise<ScanResponse>;
  streamScan(options?: { deadlineMs?: number }): grpc.ClientDuplexStream<StreamScanRequest, StreamScanResponse>;
  close(): void;
}

export function scanClient(address: string, channelOptions: grpc.ChannelOptions = {}): ScanClient {
  const client = new ScanServiceClient(address, grpc.credentials.createInsecure(), channelOptions) as unknown as RawScanServiceClient;
  const callOptions = (deadlineMs: number | undefined): grpc.CallOptions =>
    deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
  return {
    raw: client,
    scan: (request, options = {}) =>
      new Promise((resolve, reject) => {
        client.Scan(create(ScanRequestSchema, request), new grpc.Metadata(), callOptions(options.deadlineMs), (err, value) =>
          err ? reject(err) : resolve(value as ScanResponse),
        );
      }),
    scanBytes: (bytes) =>
      new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          '/bulwark.v1.SecurityScanService/Scan',
          (b: Buffer) => b,
          (b: Buffer) => grpcServiceDefinition(SecurityScanService).Scan!.responseDeserialize(b) as ScanResponse,
          Buffer.from(bytes),
          (err, value) => (err ? reject(err) : resolve(value as ScanResponse)),
        );
      }),
    streamScan: (options = {}) => client.StreamScan(new grpc.Metadata(), callOptions(options.deadlineMs)),
    close: () => client.close(),
  };
}

/** A StreamScanRequest message. */
export function chunk(init: StreamChunkInit): StreamScanRequest {
  return create(StreamScanRequestSchema, init);
}

/** The gRPC status code of a rejected call (fails the test if it resolved). */
export async function statusOf(promise: Promise<unknown>): Promise<{ code: grpc.status; details: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, details: e.details };
  }
  throw new Error('expected the call to fail');
}

/**
 * Writes chunks on a StreamScan call, half-closes, and collects every response until the
 * server ends the call.
 */
export function runStream(
  call: grpc.ClientDuplexStream<StreamScanRequest, StreamScanResponse>,
  chunks: StreamChunkInit[],
): Promise<StreamScanResponse[]> {
  const responses: StreamScanResponse[] = [];
  return new Promise((resolve, reject) => {
    call.on('data', (r: StreamScanResponse) => responses.push(r));
    call.on('error', reject);
    call.on('end', () => resolve(responses));
    for (const c of chunks) call.write(chunk(c));
    call.end();
  });
}
