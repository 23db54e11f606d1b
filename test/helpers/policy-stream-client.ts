/**
 * A bare StreamPolicies client (no policy loading): subscribes, collects snapshots, sends
 * ACKs/NACKs on demand and reports how the call ended. Tests use it to check the protocol;
 * the push benchmark uses many of them as lightweight sidecars.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  PolicySyncService,
  StreamPoliciesRequestSchema,
  type PolicySnapshot,
  type StreamPoliciesRequest,
  type StreamPoliciesResponse,
} from '../../gen/bulwark/v1/policy_sync_service_pb.js';
import { grpcServiceDefinition } from '../../src/sidecar/grpc-service-definition.js';

type RequestMessage = MessageInitShape<typeof StreamPoliciesRequestSchema>['message'];

const METHOD = grpcServiceDefinition(PolicySyncService).StreamPolicies as grpc.MethodDefinition<StreamPoliciesRequest, StreamPoliciesResponse>;

export interface PolicyStream {
  readonly snapshots: PolicySnapshot[];
  /** Resolves with the first snapshot (received now or later) matching `predicate`. */
  next(predicate?: (s: PolicySnapshot) => boolean, timeoutMs?: number): Promise<PolicySnapshot>;
  ack(snapshot: PolicySnapshot, error?: string): void;
  /** Sends any request message (protocol tests). */
  send(message: RequestMessage): void;
  /** How the call ended: the status code (OK = 0). */
  readonly ended: Promise<{ code: grpc.status; details: string }>;
  close(): void;
}

export interface PolicyStreamOptions {
  token?: string;
  nodeId?: string;
  tenants?: string[];
  /** Skip the subscribe message (protocol tests send their own first message). */
  noSubscribe?: boolean;
  credentials?: grpc.ChannelCredentials;
  /** Reuse a client (the benchmark shares channels). */
  client?: grpc.Client;
  /** ACK every snapshot as soon as it arrives, calling `onAck` with the receive time. */
  autoAck?: (snapshot: PolicySnapshot) => void;
}

export function openPolicyStream(address: string, options: PolicyStreamOptions = {}): PolicyStream {
  const client = options.client ?? new grpc.Client(address, options.credentials ?? grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  if (options.token) metadata.set('authorization', `Bearer ${options.token}`);
  const call = client.makeBidiStreamRequest(METHOD.path, METHOD.requestSerialize, METHOD.responseDeserialize, metadata, {});
  const snapshots: PolicySnapshot[] = [];
  const waiters = new Set<{ predicate: (s: PolicySnapshot) => boolean; resolve: (s: PolicySnapshot) => void }>();
  const send = (message: RequestMessage) => call.write(create(StreamPoliciesRequestSchema, { message }));
  const ack = (s: PolicySnapshot, error = '') => send({ case: 'ack', value: { tenantId: s.tenantId, version: s.version, error } });
  call.on('data', (r: StreamPoliciesResponse) => {
    if (!r.snapshot) return;
    const snapshot = r.snapshot;
    if (options.autoAck) {
      ack(snapshot);
      options.autoAck(snapshot);
    }
    snapshots.push(snapshot);
    for (const w of [...waiters]) {
      if (w.predicate(snapshot)) {
        waiters.delete(w);
        w.resolve(snapshot);
      }
    }
  });
  const ended = new Promise<{ code: grpc.status; details: string }>((resolve) => {
    call.on('status', (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details }));
    call.on('error', () => undefined); // the status event carries it
  });
  if (!options.noSubscribe) {
    send({ case: 'subscribe', value: { nodeId: options.nodeId ?? 'test-node', tenantIds: options.tenants ?? ['acme'], sidecarVersion: 'test' } });
  }
  return {
    snapshots,
    next(predicate = () => true, timeoutMs = 10_000) {
      const seen = snapshots.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve: (s: PolicySnapshot) => (clearTimeout(timer), resolve(s)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error('no matching snapshot in time'));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    ack,
    send,
    ended,
    close() {
      call.cancel();
      if (!options.client) client.close();
    },
  };
}
