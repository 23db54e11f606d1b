/**
 * Composes the sidecar: policy → pool → handlers → servers → shutdown. One TCP (or unix)
 * listener serves gRPC (grpc-js, with health and reflection) and Connect over HTTP/1.1 on the
 * same port (connection-router.ts).
 */
import { createServer as createHttp1Server, type Server as Http1Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { rmSync, statSync } from 'node:fs';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { Server as GrpcServer, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { SecurityScanService } from '../../gen/bulwark/v1/scan_service_pb.js';
import { defaultPolicySet, loadPolicySetFromFile } from '../policy/load-policy.js';
import { watchPolicyFile, type PolicyFileWatch } from '../policy/policy-file-watcher.js';
import type { PolicySet } from '../policy/types.js';
import { createScanPool, type ScanPool } from '../pool/scan-pool.js';
import { withFeedback } from '../feedback/feedback-pool.js';
import { FeedbackService } from '../feedback/feedback-service.js';
import { rootLogger, type Logger } from '../telemetry/logger.js';
import { sidecarMetricsFor, type SidecarMetrics } from '../telemetry/metrics/sidecar-metrics.js';
import { CallTracker } from './call-tracker.js';
import { DemandedReplyCache } from './demanded-reply-cache.js';
import { routeConnections } from '../transport/connection-router.js';
import { connectRoutes } from './connect-routes.js';
import { answerUndecodableAsInvalidArgument } from '../transport/connect-parse-errors.js';
import { allClosed } from '../transport/dual-protocol-listener.js';
import { DEFAULT_MAX_CONTENT_BYTES, transportReceiveLimit } from './content-limits.js';
import { grpcScanImplementation } from './grpc-handlers.js';
import { grpcServiceDefinition } from './grpc-service-definition.js';
import { SidecarHealth } from './health.js';
import { DEFAULT_LISTEN, formatAddress, parseListenAddress, type ListenTarget } from './listen-address.js';
import { addReflection } from './reflection.js';
import { startAgentActions, type AgentActionOptions } from './agent-action-service.js';
import { withScanAudit } from './scan-audit-sink.js';
import type { AgentActionRuntime } from '../actions/action-runtime.js';
import type { ScanRecordSink } from './scan-record-sink.js';
import type { ScanServiceDeps } from './scan-service-deps.js';
import { startSidecarEvents } from '../events/sidecar-events.js';
import type { PolicySourceName, SecurityEventsOptions } from '../events/security-events.js';
import { startSidecarAlerts, withAlerts, type SidecarAlertsOptions } from '../events/webhooks/sidecar-alerts.js';

/** Options of {@link startSidecar}; everything has a default. */
export interface SidecarOptions {
  /** "host:port" (default 127.0.0.1:50051; port 0 = any free port) or "unix:/path/to.sock". */
  listen?: string;
  /** The policy set to enforce; wins over `policyFile` (which is then neither read nor watched). */
  policySet?: PolicySet;
  /**
   * A policy file, loaded at start and hot-reloaded on change (the last good set stays on
   * errors). Neither option: the built-in default policy.
   */
  policyFile?: string;
  /** Scanner threads; default cores - 1, at least 1 (see defaultWorkerCount). */
  workers?: number;
  /** Scans that may wait for a thread before RESOURCE_EXHAUSTED. */
  maxQueue?: number;
  /** UTF-8 bytes allowed in one request's content (one chunk for StreamScan); default 1 MiB. */
  maxContentBytes?: number;
  /** UTF-16 units a stream keeps unreleased until more text arrives; default 64. */
  streamHoldBack?: number;
  logger?: Logger;
  /** Receives a content-free record of every finished scan (control-plane record shipping). */
  scanRecords?: ScanRecordSink;
  /**
   * Health stays NOT_SERVING until this settles (a control-plane sidecar waiting for its
   * first policy snapshot); scans are served meanwhile with the starting policy.
   */
  servingWhen?: Promise<unknown>;
  /**
   * More gRPC services on the same port (e.g. Envoy's ext_authz and ext_proc, src/envoy/),
   * built from the scan service's dependencies so they share its pool, limits and drain.
   */
  extraServices?: (deps: ScanServiceDeps) => ExtraGrpcService[];
  /** AgentActionService (CheckAction): shared state in Redis, audit log, admin token. */
  agentActions?: AgentActionOptions;
  /** Feedback journal (JSONL): replayed at start, appended on every Feedback call; none = memory only. */
  feedbackFile?: string;
  /** Security events to Kafka through a durable outbox (src/events/); none = off. */
  events?: SecurityEventsOptions;
  /** Webhook alerts for threats and denied actions (src/events/webhooks/, docs/alerts.md); none = off. */
  alerts?: SidecarAlertsOptions;
  /** Where policy changes come from, for POLICY_CHANGED events (default 'file'). */
  policySource?: PolicySourceName;
  /** Prometheus GET /metrics on "host:port" (port 0 = any free port); default "off" (the CLI defaults to 127.0.0.1:9464). */
  metricsListen?: string;
}

/** A gRPC service to serve next to the scan service. */
export interface ExtraGrpcService {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/** A started sidecar. */
export interface RunningSidecar {
  /** "host:port" or "unix:/path". */
  address: string;
  /** The bound TCP port (0 for a unix socket). */
  port: number;
  pool: ScanPool;
  /** The CheckAction runtime (state, audit log). */
  agentActions: AgentActionRuntime;
  /** The sidecar's metrics (registry, /metrics address); undefined when metrics are off. */
  metrics: SidecarMetrics | undefined;
  /**
   * Graceful stop: health NOT_SERVING, no new connections or calls (UNAVAILABLE), in-flight
   * scans and streams finish; after `graceMs` (default 10 s) whatever is left is cut.
   */
  close(graceMs?: number): Promise<void>;
}

/** UTF-16 units held back per stream window; the engine also holds whole tokens (stream-window.ts). */
export const DEFAULT_STREAM_HOLD_BACK = 64;

function listen(server: NetServer, target: ListenTarget): Promise<number> {
  if (target.kind === 'unix') removeStaleSocket(target.path);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const onListening = (): void => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    };
    if (target.kind === 'unix') server.listen(target.path, onListening);
    else server.listen(target.port, target.host, onListening);
  });
}

/** A socket file left by a process that died would make listen fail with EADDRINUSE. */
function removeStaleSocket(path: string): void {
  try {
    if (statSync(path).isSocket()) rmSync(path);
  } catch {
    // Absent: nothing to remove.
  }
}

/** Starts the pool (every thread compiled), then listens; resolves once it serves, health SERVING. */
export async function startSidecar(options: SidecarOptions = {}): Promise<RunningSidecar> {
  const logger = options.logger ?? rootLogger;
  const target = parseListenAddress(options.listen ?? DEFAULT_LISTEN);
  const maxContentBytes = options.maxContentBytes ?? DEFAULT_MAX_CONTENT_BYTES;
  const initialSet = options.policySet ?? (options.policyFile ? loadPolicySetFromFile(options.policyFile) : defaultPolicySet());

  // Before the pool: a malformed metrics address fails the start with nothing to undo.
  const metrics = sidecarMetricsFor(options.metricsListen, () => pool);
  // Security events (off without options): replays the outbox, wraps the pool to see policy changes.
  // Webhook alerts ride on the same hooks (and close with them).
  const events = withAlerts(await startSidecarEvents(options.events, options.policySource ?? 'file', logger, metrics?.registry), await startSidecarAlerts(options.alerts, logger, metrics?.registry));
  // The feedback wrapper keeps reported false positives/negatives on top of every policy set.
  const pool = events.watchPolicy(withFeedback(await createScanPool({ workers: options.workers, maxQueue: options.maxQueue, policySet: initialSet, logger })));
  const feedback = await FeedbackService.open({ pool, journalPath: options.feedbackFile, logger }).catch(async (err: unknown) => {
    await pool.close({ graceMs: 0 });
    await events.close();
    throw err;
  });
  const calls = new CallTracker();
  const agentActions = await startAgentActions(events.withActionEvents(options.agentActions ?? {}), () => pool.policySet, calls, logger, metrics?.actions);
  const deps: ScanServiceDeps = {
    pool,
    calls,
    maxContentBytes,
    streamHoldBack: options.streamHoldBack ?? DEFAULT_STREAM_HOLD_BACK,
    logger,
    scanRecords: withScanAudit(events.withScanEvents(options.scanRecords), agentActions.audit, () => pool.policySet),
    demandedReplies: new DemandedReplyCache(),
    feedback,
    metrics: metrics?.scans,
  };

  const receiveLimit = transportReceiveLimit(maxContentBytes);
  const grpcServer = new GrpcServer({ 'grpc.max_receive_message_length': receiveLimit });
  grpcServer.addService(grpcServiceDefinition(SecurityScanService), grpcScanImplementation(deps));
  for (const extra of options.extraServices?.(deps) ?? []) grpcServer.addService(extra.definition, extra.implementation);
  grpcServer.addService(agentActions.grpc.definition, agentActions.grpc.implementation);
  const health = new SidecarHealth();
  health.addToServer(grpcServer);
  addReflection(grpcServer);
  const grpcConnections = grpcServer.createConnectionInjector(ServerCredentials.createInsecure());

  const http1: Http1Server = createHttp1Server(
    connectNodeAdapter({
      routes: (router) => {
        connectRoutes(deps)(router);
        agentActions.connectRoutes(router);
        answerUndecodableAsInvalidArgument(router);
      },
      // gRPC itself is grpc-js over HTTP/2 on this port; HTTP/1.1 speaks the Connect protocol
      // only (connect-es's gRPC-web handler would answer undecodable bytes with INTERNAL).
      grpc: false,
      grpcWeb: false,
      readMaxBytes: receiveLimit,
      // JSON callers (curl, scripts) should see `"allowed": false`, not an omitted default.
      // A misspelt field (`contnt`) or unknown enum name must be an error, not a silently
      // empty request that scans nothing and answers allowed.
      jsonOptions: { alwaysEmitImplicit: true, ignoreUnknownFields: false },
    }),
  );
  // This server never listens (connection-router.ts hands it sockets), but Node starts its
  // connection tracking on 'listening': without it closeIdleConnections() finds nothing to
  // close at shutdown and headersTimeout/requestTimeout are never enforced.
  http1.emit('listening');
  const sockets = new Set<Socket>();
  const front = createNetServer(
    routeConnections({
      http2: (socket) => grpcConnections.injectConnection(socket),
      http1: (socket) => http1.emit('connection', socket),
    }),
  );
  front.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  let port: number;
  try {
    port = await listen(front, target);
    await metrics?.serve(logger);
  } catch (err) {
    front.close();
    grpcConnections.destroy();
    await pool.close({ graceMs: 0 });
    await agentActions.close();
    await events.close();
    throw err;
  }
  const address = formatAddress(target, port);

  let policyWatch: PolicyFileWatch | undefined;
  if (options.policyFile && !options.policySet) {
    policyWatch = watchPolicyFile(options.policyFile, {
      currentVersion: initialSet.version,
      onReload: (set) => {
        pool.setPolicySet(set).then(
          () => logger.info({ policyVersion: set.version }, 'policy reloaded'),
          (err: unknown) => logger.error({ err: (err as Error)?.message, policyVersion: set.version }, 'policy reload failed; keeping the previous policy'),
        );
      },
      onError: (err) => logger.error({ err: err.message }, 'policy file invalid; keeping the previous policy'),
    });
  }

  let closing: Promise<void> | undefined;
  if (options.servingWhen) {
    const serve = (): void => {
      if (!closing) health.set('SERVING');
    };
    options.servingWhen.then(serve, serve);
  } else {
    health.set('SERVING');
  }
  logger.info({ address, port, workers: pool.stats().workers, policyVersion: pool.policySet.version }, 'sidecar listening');

  const shutdown = async (graceMs: number): Promise<void> => {
    const started = performance.now();
    const remaining = (): number => Math.max(0, graceMs - (performance.now() - started));
    health.set('NOT_SERVING');
    calls.startDraining();
    policyWatch?.close();
    front.close();
    // GOAWAY on every HTTP/2 connection: calls running there finish, clients open no new ones.
    grpcConnections.drain(graceMs);
    http1.close();
    http1.closeIdleConnections();
    const callsDone = await calls.whenIdle(remaining());
    // A connection closes once its last stream has sent its trailers; waiting for that (rather
    // than cutting when the handlers return) is what lets the last responses reach the caller.
    health.endWatches();
    http1.closeIdleConnections();
    const drained = callsDone && (await allClosed(sockets, remaining()));
    if (!drained) logger.warn({ inFlight: calls.inFlight, connections: sockets.size }, 'grace period over; cutting what is left');
    grpcConnections.destroy();
    grpcServer.forceShutdown();
    http1.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await pool.close({ graceMs: drained ? 1_000 : 0 });
    await agentActions.close();
    // Last: scans and actions finished above have emitted their events.
    await events.close();
    await metrics?.close();
    logger.info({ drained, ms: Math.round(performance.now() - started) }, 'sidecar stopped');
  };

  return {
    address,
    port,
    pool,
    agentActions: agentActions.runtime,
    metrics,
    close: (graceMs = 10_000) => (closing ??= shutdown(graceMs)),
  };
}
