/**
 * PolicySyncService on grpc-js: one {@link PolicySyncSession} per StreamPolicies call, the
 * per-node stream count of this replica (a node is "disconnected" only when its last stream
 * here ends), and a shutdown that ends every stream with UNAVAILABLE so sidecars reconnect
 * (to another replica, or to this one when it is back) instead of waiting out the grace time.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { FleetRepository } from '../../store/fleet-repository.js';
import type { Logger } from '../../telemetry/logger.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { FleetResultBatcher } from './fleet-result-batcher.js';
import type { PolicyChangeFeed } from './policy-change-feed.js';
import { PolicySyncSession, type PolicySyncCall } from './policy-sync-session.js';

export interface PolicySyncServiceOptions {
  feed: PolicyChangeFeed;
  fleet: FleetRepository;
  verifier: TokenVerifier;
  logger: Logger;
  heartbeatMs?: number;
}

export interface PolicySyncService {
  implementation: UntypedServiceImplementation;
  /** Open streams on this replica. */
  readonly openStreams: number;
  /** Ends every open stream with UNAVAILABLE; resolves when their fleet writes are done (at most `waitMs`). */
  shutdown(waitMs?: number): Promise<void>;
}

export function createPolicySyncService(options: PolicySyncServiceOptions): PolicySyncService {
  const sessions = new Set<PolicySyncSession>();
  const streamsPerNode = new Map<string, number>();
  const results = new FleetResultBatcher(options.fleet, options.logger);
  const deps = {
    ...options,
    results,
    onNodeSeen(nodeId: string) {
      streamsPerNode.set(nodeId, (streamsPerNode.get(nodeId) ?? 0) + 1);
    },
    onNodeGone(nodeId: string): boolean {
      const left = (streamsPerNode.get(nodeId) ?? 1) - 1;
      if (left > 0) streamsPerNode.set(nodeId, left);
      else streamsPerNode.delete(nodeId);
      return left <= 0;
    },
  };
  return {
    implementation: {
      streamPolicies(call: PolicySyncCall) {
        const session = new PolicySyncSession(call, deps);
        sessions.add(session);
        call.once('close', () => sessions.delete(session));
        call.once('cancelled', () => sessions.delete(session));
        session.start();
      },
    },
    get openStreams() {
      return sessions.size;
    },
    async shutdown(waitMs = 2000) {
      const writes = [...sessions].map((session) => session.shutdown());
      sessions.clear();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
      await Promise.race([Promise.all([...writes, results.flush()]), timeout]);
      clearTimeout(timer);
    },
  };
}
