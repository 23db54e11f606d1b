/**
 * One sidecar's StreamPolicies call: authenticate, read the subscription, register the node
 * in the fleet, stream each subscribed tenant's snapshots (never an older revision than one
 * already sent), record every ACK/NACK, keep `last_seen` fresh, and clean up when the call
 * ends for any reason.
 */
import { create } from '@bufbuild/protobuf';
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import {
  StreamPoliciesResponseSchema,
  type PolicySnapshotAck,
  type PolicySubscription,
  type StreamPoliciesRequest,
  type StreamPoliciesResponse,
} from '../../../gen/bulwark/v1/policy_sync_service_pb.js';
import type { TenantSnapshotData } from '../../policy/policy-snapshot.js';
import { RpcError } from '../../sidecar/status-errors.js';
import { TENANT_ID_PATTERN } from '../../store/scoped-session.js';
import type { FleetRepository } from '../../store/fleet-repository.js';
import type { Logger } from '../../telemetry/logger.js';
import { AuthError } from '../auth/auth-error.js';
import { authorize, bearerToken } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import { STREAM_RPC_PERMISSIONS } from '../auth/roles.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { toControlRpcError, toServiceError } from '../grpc/status-errors.js';
import type { FleetResultBatcher } from './fleet-result-batcher.js';
import type { PolicyChangeFeed } from './policy-change-feed.js';
import { snapshotMessage } from './snapshot-message.js';

export const STREAM_POLICIES_PATH = '/bulwark.v1.PolicySyncService/StreamPolicies';
const MAX_TENANTS = 100;
const NODE_ID = /^[\x21-\x7e]{1,200}$/;

export type PolicySyncCall = ServerDuplexStream<StreamPoliciesRequest, StreamPoliciesResponse>;

export interface PolicySyncDeps {
  feed: PolicyChangeFeed;
  fleet: FleetRepository;
  /** Where ACK/NACK outcomes go (written in batches across streams). */
  results: FleetResultBatcher;
  verifier: TokenVerifier;
  logger: Logger;
  /** How often an open stream refreshes the node's `last_seen` (default 30 s). */
  heartbeatMs?: number;
  /** A stream of `nodeId` is open on this replica. */
  onNodeSeen(nodeId: string): void;
  /** A stream of `nodeId` ended; true when it was the node's last one on this replica. */
  onNodeGone(nodeId: string): boolean;
}

/** The tenants a principal may subscribe to: its own and, for sidecar tokens, its `tenants` claim. */
function allowedTenants(principal: Principal): Set<string> {
  const allowed = new Set(principal.ingestTenants);
  if (principal.tenantId) allowed.add(principal.tenantId);
  return allowed;
}

function checkSubscription(sub: PolicySubscription, principal: Principal): string[] {
  if (!NODE_ID.test(sub.nodeId)) throw new RpcError(status.INVALID_ARGUMENT, 'node_id must be 1 to 200 printable ASCII characters without spaces');
  const tenants = [...new Set(sub.tenantIds)];
  if (tenants.length === 0 || tenants.length > MAX_TENANTS) throw new RpcError(status.INVALID_ARGUMENT, `tenant_ids must name 1 to ${MAX_TENANTS} tenants`);
  const allowed = allowedTenants(principal);
  for (const t of tenants) {
    if (!TENANT_ID_PATTERN.test(t)) throw new RpcError(status.INVALID_ARGUMENT, 'tenant_ids holds an invalid tenant id');
    if (!allowed.has(t)) throw new AuthError('permission-denied', `the token may not subscribe to tenant "${t}"`);
  }
  return tenants;
}

export class PolicySyncSession {
  private nodeId: string | undefined;
  private readonly unsubscribes: (() => void)[] = [];
  private readonly sentRevision = new Map<string, bigint>();
  /** Fleet writes of this stream, in order. */
  private fleetWrites: Promise<void> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | undefined;
  private ended = false;
  private nodeReleased = false;

  constructor(
    private readonly call: PolicySyncCall,
    private readonly deps: PolicySyncDeps,
  ) {}

  /** Runs the session until the call ends. */
  start(): void {
    this.call.on('cancelled', () => this.cleanup());
    this.call.on('close', () => this.cleanup());
    this.call.on('end', () => this.finish(undefined));
    this.call.on('error', () => this.cleanup());
    this.run().catch((err: unknown) => this.finish(toControlRpcError(err, this.deps.logger, STREAM_POLICIES_PATH)));
  }

  /**
   * Ends the call with UNAVAILABLE (the control plane is shutting down: the sidecar
   * reconnects); resolves when this stream's fleet writes (the disconnect last) are done.
   */
  shutdown(): Promise<void> {
    this.finish(new RpcError(status.UNAVAILABLE, 'the control plane is shutting down; reconnect'));
    return this.fleetWrites;
  }

  private async run(): Promise<void> {
    const header = this.call.metadata.get('authorization')[0];
    const principal = await this.deps.verifier.verify(bearerToken(typeof header === 'string' ? header : undefined));
    authorize(principal, STREAM_RPC_PERMISSIONS[STREAM_POLICIES_PATH] ?? 'policy.subscribe');
    const first = await this.firstMessage();
    if (first.message.case !== 'subscribe') throw new RpcError(status.INVALID_ARGUMENT, 'the first message must be "subscribe"');
    const sub = first.message.value;
    const tenants = checkSubscription(sub, principal);
    if (this.ended) return;
    await this.deps.fleet.upsertSidecarStatus({ nodeId: sub.nodeId, sidecarVersion: sub.sidecarVersion.slice(0, 100), tenantIds: tenants });
    this.nodeId = sub.nodeId;
    this.deps.onNodeSeen(sub.nodeId);
    if (this.ended) return this.releaseNode(); // the call ended while the fleet was written
    // Paused since the first message: later ones (ACKs) are read from here on.
    this.call.on('data', (m: StreamPoliciesRequest) => this.onMessage(m));
    this.call.resume();
    for (const tenant of tenants) {
      const unsubscribe = await this.deps.feed.subscribe(tenant, (s) => this.send(s));
      if (this.ended) {
        unsubscribe();
        return;
      }
      this.unsubscribes.push(unsubscribe);
    }
    const every = this.deps.heartbeatMs ?? 30_000;
    this.heartbeat = setInterval(() => this.fleetWrite((fleet, node) => fleet.touchSidecar(node)), every);
    this.heartbeat.unref();
    this.deps.logger.info({ nodeId: sub.nodeId, tenants }, 'sidecar subscribed to policies');
  }

  private firstMessage(): Promise<StreamPoliciesRequest> {
    return new Promise((resolve, reject) => {
      const onData = (m: StreamPoliciesRequest) => {
        this.call.off('end', onEnd);
        this.call.pause();
        resolve(m);
      };
      const onEnd = () => {
        this.call.off('data', onData);
        reject(new RpcError(status.INVALID_ARGUMENT, 'the stream ended before "subscribe"'));
      };
      this.call.once('data', onData);
      this.call.once('end', onEnd);
    });
  }

  private send(snapshot: TenantSnapshotData): void {
    if (this.ended) return;
    const sent = this.sentRevision.get(snapshot.tenantId);
    if (sent !== undefined && snapshot.revision <= sent) return;
    this.sentRevision.set(snapshot.tenantId, snapshot.revision);
    this.call.write(create(StreamPoliciesResponseSchema, { snapshot: snapshotMessage(snapshot) }));
  }

  private onMessage(m: StreamPoliciesRequest): void {
    if (m.message.case !== 'ack') {
      this.finish(new RpcError(status.INVALID_ARGUMENT, '"subscribe" may be sent only once'));
      return;
    }
    const ack: PolicySnapshotAck = m.message.value;
    if (!this.sentRevision.has(ack.tenantId)) {
      this.finish(new RpcError(status.INVALID_ARGUMENT, `ack for tenant "${ack.tenantId}", which this stream did not subscribe to`));
      return;
    }
    const version = ack.version.slice(0, 100);
    const nodeId = this.nodeId as string; // set before ACKs are read
    if (ack.error) {
      this.deps.logger.warn({ nodeId, tenantId: ack.tenantId, version, error: ack.error.slice(0, 500) }, 'sidecar rejected a policy snapshot');
      this.deps.results.add({ nodeId, tenantId: ack.tenantId, policyVersion: version, error: ack.error });
    } else {
      this.deps.results.add({ nodeId, tenantId: ack.tenantId, policyVersion: version });
    }
  }

  private fleetWrite(write: (fleet: FleetRepository, nodeId: string) => Promise<void>): void {
    const node = this.nodeId;
    if (node === undefined) return;
    this.fleetWrites = this.fleetWrites
      .then(() => write(this.deps.fleet, node))
      .catch((err: unknown) => this.deps.logger.error({ err: (err as Error).message, nodeId: node }, 'fleet status write failed'));
  }

  private finish(err: RpcError | undefined): void {
    if (this.ended) return;
    this.cleanup();
    try {
      if (err) this.call.emit('error', toServiceError(err));
      else this.call.end();
    } catch {
      // The call is already gone.
    }
  }

  private cleanup(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.releaseNode();
  }

  private releaseNode(): void {
    const node = this.nodeId;
    if (node === undefined || this.nodeReleased) return;
    this.nodeReleased = true;
    if (this.deps.onNodeGone(node)) this.fleetWrite((fleet) => this.deps.results.flush().then(() => fleet.markDisconnected(node)));
  }
}
