/**
 * grpc-js clients for the sidecar's Envoy services, as Envoy calls them: Check (unary) and
 * Process (a bidi stream with one answer per message, read in order).
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  Authorization,
  CheckRequestSchema,
  type CheckResponse,
} from '../../gen/envoy/service/auth/v3/external_auth_pb.js';
import {
  ExternalProcessor,
  ProcessingRequestSchema,
  type ProcessingRequest,
  type ProcessingResponse,
} from '../../gen/envoy/service/ext_proc/v3/external_processor_pb.js';
import { grpcServiceDefinition } from '../../src/sidecar/grpc-service-definition.js';

const AuthorizationClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(Authorization), 'Authorization');
const ExternalProcessorClient = grpc.makeGenericClientConstructor(grpcServiceDefinition(ExternalProcessor), 'ExternalProcessor');

export type CheckInit = MessageInitShape<typeof CheckRequestSchema>;
export type ProcessingInit = MessageInitShape<typeof ProcessingRequestSchema>;

interface RawAuthz extends grpc.Client {
  Check(request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, value?: CheckResponse) => void): void;
}
interface RawExtProc extends grpc.Client {
  Process(metadata: grpc.Metadata, options: grpc.CallOptions): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>;
}

export interface EnvoyClients {
  check(request: CheckInit): Promise<CheckResponse>;
  process(): ProcessStream;
  close(): void;
}

/** One ext_proc stream: `send` a message, `next` reads the next answer in order. */
export interface ProcessStream {
  send(message: ProcessingInit): void;
  next(): Promise<ProcessingResponse>;
  /** Half-closes and resolves with the final status once the server ends the stream. */
  end(): Promise<grpc.StatusObject>;
  /** Resolves with the final status (the server may end the stream by itself, e.g. on error). */
  readonly closed: Promise<grpc.StatusObject>;
}

export function envoyClients(address: string): EnvoyClients {
  const authz = new AuthorizationClient(address, grpc.credentials.createInsecure()) as unknown as RawAuthz;
  const extProc = new ExternalProcessorClient(address, grpc.credentials.createInsecure()) as unknown as RawExtProc;
  return {
    check: (request) =>
      new Promise((resolve, reject) => {
        authz.Check(create(CheckRequestSchema, request), new grpc.Metadata(), {}, (err, value) => (err ? reject(err) : resolve(value!)));
      }),
    process: () => processStream(extProc.Process(new grpc.Metadata(), {})),
    close: () => {
      authz.close();
      extProc.close();
    },
  };
}

function processStream(call: grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse>): ProcessStream {
  const received: ProcessingResponse[] = [];
  const waiters: Array<{ resolve: (r: ProcessingResponse) => void; reject: (e: Error) => void }> = [];
  let failure: Error | undefined;
  call.on('data', (r: ProcessingResponse) => {
    const w = waiters.shift();
    if (w) w.resolve(r);
    else received.push(r);
  });
  const closed = new Promise<grpc.StatusObject>((resolve) => {
    call.on('status', (s: grpc.StatusObject) => {
      failure = new Error(`stream ended: ${s.code} ${s.details}`);
      for (const w of waiters.splice(0)) w.reject(failure);
      resolve(s);
    });
  });
  call.on('error', () => {
    // Reported through 'status'.
  });
  return {
    send: (message) => call.write(create(ProcessingRequestSchema, message)),
    next: () => {
      const r = received.shift();
      if (r) return Promise.resolve(r);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    end: () => {
      call.end();
      return closed;
    },
    closed,
  };
}
