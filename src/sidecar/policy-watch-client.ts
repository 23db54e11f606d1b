/**
 * The sidecar's end of PolicySyncService.StreamPolicies: subscribe with the node id and
 * tenants, hand every snapshot to `onSnapshot` (one at a time, in arrival order), answer
 * ACK or NACK with its outcome, and when the stream fails or ends, open a new one after a
 * full-jitter exponential backoff (reset once a stream has delivered a snapshot).
 */
import { create, type MessageShape } from '@bufbuild/protobuf';
import type * as grpc from '@grpc/grpc-js';
import {
  PolicySyncService,
  StreamPoliciesRequestSchema,
  type StreamPoliciesRequest,
  type StreamPoliciesResponse,
} from '../../gen/bulwark/v1/policy_sync_service_pb.js';
import { snapshotData } from '../control/policy-sync/snapshot-message.js';
import { snapshotDigest, type TenantSnapshotData } from '../policy/policy-snapshot.js';
import type { Logger } from '../telemetry/logger.js';
import { backoffDelay, type ControlPlaneChannel } from './control-plane-channel.js';
import { grpcServiceDefinition } from './grpc-service-definition.js';

const METHOD = grpcServiceDefinition(PolicySyncService).StreamPolicies as grpc.MethodDefinition<StreamPoliciesRequest, StreamPoliciesResponse>;

export interface PolicyWatchOptions {
  channel: ControlPlaneChannel;
  nodeId: string;
  tenants: readonly string[];
  sidecarVersion: string;
  /** Applies a snapshot; resolves to undefined (ACK) or the reason it was rejected (NACK). */
  onSnapshot(snapshot: TenantSnapshotData): Promise<string | undefined>;
  /** A stream is open and has delivered its first snapshot / has failed. */
  onConnectionChange?(connected: boolean): void;
  logger: Logger;
  /** Backoff: first delay bound and cap (defaults 250 ms and 15 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export class PolicyWatchClient {
  private call: grpc.ClientDuplexStream<StreamPoliciesRequest, StreamPoliciesResponse> | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private connected = false;

  constructor(private readonly options: PolicyWatchOptions) {}

  start(): void {
    this.open();
  }

  /** Stops watching (the last applied snapshots stay in force). */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.call = undefined;
  }

  private open(): void {
    if (this.closed) return;
    const { channel, logger } = this.options;
    const call = channel.client.makeBidiStreamRequest(METHOD.path, METHOD.requestSerialize, METHOD.responseDeserialize, channel.metadata(), {});
    this.call = call;
    let chain: Promise<void> = Promise.resolve();
    let ended = false;
    const end = (err: grpc.ServiceError | undefined): void => {
      if (ended) return;
      ended = true;
      if (this.call === call) this.call = undefined;
      this.setConnected(false);
      if (this.closed) return;
      const delay = backoffDelay(this.attempt++, this.options.backoffBaseMs ?? 250, this.options.backoffMaxMs ?? 15_000);
      logger.warn({ code: err?.code, error: err?.details, retryInMs: Math.round(delay) }, 'policy stream to the control plane ended; reconnecting');
      this.retryTimer = setTimeout(() => this.open(), delay);
      this.retryTimer.unref();
    };
    call.on('data', (response: StreamPoliciesResponse) => {
      const message = response.snapshot;
      if (!message) return;
      this.attempt = 0;
      this.setConnected(true);
      chain = chain.then(() => this.handle(call, snapshotData(message)));
    });
    call.on('error', (err: grpc.ServiceError) => end(err));
    call.on('end', () => end(undefined));
    call.write(
      create(StreamPoliciesRequestSchema, {
        message: {
          case: 'subscribe',
          value: { nodeId: this.options.nodeId, tenantIds: [...this.options.tenants], sidecarVersion: this.options.sidecarVersion },
        },
      }),
    );
  }

  private async handle(call: grpc.ClientDuplexStream<StreamPoliciesRequest, StreamPoliciesResponse>, snapshot: TenantSnapshotData): Promise<void> {
    let error: string | undefined;
    if (snapshotDigest(snapshot.tenantId, snapshot.policies) !== snapshot.contentDigest) {
      error = 'content digest mismatch: the snapshot was altered or truncated in transit';
    } else {
      try {
        error = await this.options.onSnapshot(snapshot);
      } catch (err) {
        error = `internal error applying the snapshot: ${(err as Error).message}`;
      }
    }
    if (this.call !== call) return; // the stream was replaced meanwhile; the new one resends
    const ack: MessageShape<typeof StreamPoliciesRequestSchema> = create(StreamPoliciesRequestSchema, {
      message: { case: 'ack', value: { tenantId: snapshot.tenantId, version: snapshot.version, error: error ?? '' } },
    });
    call.write(ack);
  }

  private setConnected(connected: boolean): void {
    if (connected === this.connected) return;
    this.connected = connected;
    this.options.onConnectionChange?.(connected);
  }
}
