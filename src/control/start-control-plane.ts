/**
 * Composes the control plane: storage (migrated) → repositories → service handlers behind
 * token auth → one port serving gRPC (grpc-js, with health checking and reflection) and the
 * Connect protocol for the unary admin RPCs → retention schedule.
 */
import * as grpc from '@grpc/grpc-js';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { HealthImplementation } from 'grpc-health-check';
import type { DescFile, DescService } from '@bufbuild/protobuf';
import { FleetService, file_bulwark_v1_fleet_service } from '../../gen/bulwark/v1/fleet_service_pb.js';
import { GuardrailRuleService, file_bulwark_v1_guardrail_rule_service } from '../../gen/bulwark/v1/guardrail_rule_service_pb.js';
import { MetricsService, file_bulwark_v1_metrics_service } from '../../gen/bulwark/v1/metrics_service_pb.js';
import { PolicyAdminService, file_bulwark_v1_policy_admin_service } from '../../gen/bulwark/v1/policy_admin_service_pb.js';
import { PolicySyncService, file_bulwark_v1_policy_sync_service } from '../../gen/bulwark/v1/policy_sync_service_pb.js';
import { RecordIngestService, file_bulwark_v1_record_ingest_service } from '../../gen/bulwark/v1/record_ingest_service_pb.js';
import { RecordService, file_bulwark_v1_record_service } from '../../gen/bulwark/v1/record_service_pb.js';
import { TenantService, file_bulwark_v1_tenant_service } from '../../gen/bulwark/v1/tenant_service_pb.js';
import type { PolicyEnvironment } from '../policy/compile-policy.js';
import type { Database } from '../store/database.js';
import { AuditCheckpointRepository } from '../store/audit-checkpoint-repository.js';
import { FleetRepository } from '../store/fleet-repository.js';
import { GuardrailRuleRepository } from '../store/guardrail-rule-repository.js';
import { MetricsRepository } from '../store/metrics-repository.js';
import { migrate } from '../store/migrate.js';
import { describeStorage, openDatabase, type StorageConfig } from '../store/open-database.js';
import { PolicyRepository } from '../store/policy-repository.js';
import { RecordRepository } from '../store/record-repository.js';
import { TenantRepository } from '../store/tenant-repository.js';
import { grpcServiceDefinition } from '../sidecar/grpc-service-definition.js';
import { startAdmissionServer, type AdmissionServer, type AdmissionServerOptions } from '../mesh/admission-server.js';
import { rootLogger, type Logger } from '../telemetry/logger.js';
import { controlPlaneMetricsFor, type ControlPlaneMetrics } from '../telemetry/metrics/control-plane-metrics.js';
import type { AuthConfig } from './auth/auth-config.js';
import { createTokenVerifier, type TokenVerifier } from './auth/token-verifier.js';
import { addReflection } from './grpc/reflection.js';
import { serverTlsOptions, type TlsFiles } from './grpc/tls-credentials.js';
import { answerUndecodableAsInvalidArgument } from '../transport/connect-parse-errors.js';
import { addConnectUnaryRoutes } from './grpc/connect-unary-routes.js';
import { listenDualProtocol, type DualProtocolListener } from '../transport/dual-protocol-listener.js';
import { formatAddress, parseListenAddress, type ListenTarget } from '../sidecar/listen-address.js';
import { PolicyChangeFeed } from './policy-sync/policy-change-feed.js';
import { createPolicySyncService, type PolicySyncService as PolicySyncServer } from './policy-sync/policy-sync-service.js';
import { authorizedUnaryCalls, bindUnaryService, type AuthorizedUnaryCall, type ServiceHandlers } from './grpc/unary-service.js';
import { createPolicyCompiler } from './policy-compiler.js';
import { startRetentionSchedule, type RetentionSchedule } from './retention-schedule.js';
import { fleetHandlers } from './services/fleet-service.js';
import { guardrailRuleHandlers } from './services/guardrail-rule-service.js';
import { metricsHandlers } from './services/metrics-service.js';
import { policyAdminHandlers } from './services/policy-admin-service.js';
import { recordHandlers } from './services/record-service.js';
import { recordIngestHandlers } from './services/record-ingest-service.js';
import { tenantHandlers } from './services/tenant-service.js';

/** The default listen address: loopback only, as the control plane carries admin rights. */
export const DEFAULT_CONTROL_LISTEN = '127.0.0.1:50052';
const HOUR_MS = 3_600_000;

export interface ControlPlaneOptions {
  /** host:port; port 0 picks a free port. */
  listen?: string;
  /** Where to store data; ignored when `database` is given. */
  storage?: StorageConfig;
  /** An already open database (tests share one); the caller keeps ownership. */
  database?: Database;
  auth: AuthConfig;
  /** What policy compilation reads from the environment (BULWARK_HASH_SALT, key variables). */
  policyEnv?: PolicyEnvironment;
  /** How often the retention purge runs; 0 disables the schedule (default 1 hour). */
  retentionIntervalMs?: number;
  /** Apply pending migrations at start (default true). */
  migrate?: boolean;
  /** PEM files: with cert + key the listener is TLS; with ca too, clients must present a certificate (mTLS). */
  tls?: TlsFiles;
  /** Policy push tuning (defaults: 75 ms coalescing, 2 s fallback poll, 30 s heartbeat). */
  policySync?: { debounceMs?: number; pollIntervalMs?: number; heartbeatMs?: number };
  /**
   * The sidecar injector (Kubernetes mutating webhook, src/mesh/) on its own HTTPS listener;
   * started only when given (a TLS certificate and key are required).
   */
  webhook?: Omit<AdmissionServerOptions, 'logger'>;
  /** Prometheus GET /metrics on "host:port" (port 0 = any free port); default "off" (the CLI defaults to 127.0.0.1:9464). */
  metricsListen?: string;
  logger?: Logger;
}

/** The repositories, for in-process users (the policy push service, tests). */
export interface ControlPlaneRepositories {
  tenants: TenantRepository;
  policies: PolicyRepository;
  rules: GuardrailRuleRepository;
  records: RecordRepository;
  auditCheckpoints: AuditCheckpointRepository;
  metrics: MetricsRepository;
  fleet: FleetRepository;
}

export interface ControlPlane {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** host:port actually bound. */
  readonly address: string;
  readonly repositories: ControlPlaneRepositories;
  /** The server, for adding more services before traffic (e.g. the policy push service). */
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
  readonly verifier: TokenVerifier;
  /** The sidecar injector webhook, when started. */
  readonly webhook: AdmissionServer | undefined;
  /** The policy push service (open streams; tests and the benchmark read it). */
  readonly policySync: PolicySyncServer;
  /** RPC, push and connected-sidecar metrics; undefined when metrics are off. */
  readonly metrics: ControlPlaneMetrics | undefined;
  /** One retention run over every tenant, now (the schedule calls the same). */
  purgeExpiredRecords(now?: Date): Promise<Map<string, number>>;
  /** Stops accepting calls, drains (up to `graceMs`), stops the schedule, closes storage it opened. */
  close(graceMs?: number): Promise<void>;
}

/** The admin services with their descriptors, in the order they are registered. */
const SERVICE_FILES: readonly DescFile[] = [
  file_bulwark_v1_policy_admin_service,
  file_bulwark_v1_guardrail_rule_service,
  file_bulwark_v1_record_service,
  file_bulwark_v1_record_ingest_service,
  file_bulwark_v1_metrics_service,
  file_bulwark_v1_fleet_service,
  file_bulwark_v1_tenant_service,
  file_bulwark_v1_policy_sync_service,
];

/** Server pings detect sidecars that vanished without closing their policy stream. */
const SERVER_OPTIONS: grpc.ServerOptions = { 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000 };

/** host:port only: the control plane serves sidecars over the network, never a unix socket. */
function tcpTarget(listen: string): Extract<ListenTarget, { kind: 'tcp' }> {
  const target = parseListenAddress(listen);
  if (target.kind !== 'tcp') throw new Error(`the control plane listens on host:port, not ${listen}`);
  return target;
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const logger = options.logger ?? rootLogger.child({ component: 'control-plane' });
  // First: a malformed metrics address fails the start with nothing to undo.
  const metrics = controlPlaneMetricsFor(options.metricsListen);
  const ownsDatabase = !options.database;
  const db = options.database ?? (await openDatabase(options.storage ?? {}));
  let retention: RetentionSchedule | undefined;
  let feed: PolicyChangeFeed | undefined;
  let webhook: AdmissionServer | undefined;
  try {
    if (options.migrate !== false) {
      const report = await migrate(db);
      if (report.applied.length > 0) logger.info({ applied: report.applied }, 'migrations applied');
    }
    const compile = createPolicyCompiler(options.policyEnv ?? process.env);
    const repositories: ControlPlaneRepositories = {
      tenants: new TenantRepository(db),
      policies: new PolicyRepository(db, compile),
      rules: new GuardrailRuleRepository(db, compile),
      records: new RecordRepository(db),
      auditCheckpoints: new AuditCheckpointRepository(db),
      metrics: new MetricsRepository(db),
      fleet: new FleetRepository(db),
    };
    const verifier = createTokenVerifier(options.auth);
    const listen = options.listen ?? DEFAULT_CONTROL_LISTEN;
    const target = tcpTarget(listen);
    const tls = serverTlsOptions(options.tls, listen, logger);
    const server = new grpc.Server({ ...SERVER_OPTIONS, interceptors: metrics ? [metrics.interceptor()] : [] });
    const connectCalls: AuthorizedUnaryCall[] = [];
    const add = <S extends DescService>(service: S, handlers: ServiceHandlers<S>): void => {
      const calls = authorizedUnaryCalls(service, handlers, verifier);
      connectCalls.push(...calls);
      server.addService(grpcServiceDefinition(service), bindUnaryService(calls, logger));
    };
    add(PolicyAdminService, policyAdminHandlers(repositories.policies));
    add(GuardrailRuleService, guardrailRuleHandlers(repositories.rules));
    add(RecordService, recordHandlers(repositories.records, repositories.auditCheckpoints));
    add(RecordIngestService, recordIngestHandlers(repositories.records, repositories.auditCheckpoints));
    add(MetricsService, metricsHandlers(repositories.metrics));
    add(FleetService, fleetHandlers(repositories.fleet));
    add(TenantService, tenantHandlers(repositories.tenants));
    feed = await PolicyChangeFeed.start(db, repositories.policies, { ...options.policySync, logger });
    const policySync = createPolicySyncService({ feed, fleet: repositories.fleet, verifier, logger, heartbeatMs: options.policySync?.heartbeatMs });
    server.addService(grpcServiceDefinition(PolicySyncService), policySync.implementation);
    metrics?.watchConnectedSidecars(() => policySync.openStreams);

    const serviceNames = SERVICE_FILES.flatMap((f) => f.services.map((s) => s.typeName));
    // "" is the whole server (grpc.health.v1 convention); each service is listed too.
    const health = new HealthImplementation(Object.fromEntries(['', ...serviceNames].map((name) => [name, 'SERVING' as const])));
    health.addToServer(server);
    addReflection(server, SERVICE_FILES, serviceNames);

    // Before the gRPC bind: if the webhook cannot start (bad certificate), nothing is left bound.
    if (options.webhook) webhook = await startAdmissionServer({ ...options.webhook, logger });
    await metrics?.serve(logger);
    // StreamPolicies stays gRPC-only: a bidirectional stream needs HTTP/2.
    const connect = connectNodeAdapter({
      routes: (router) => {
        addConnectUnaryRoutes(router, connectCalls, logger);
        // Undecodable binary requests are the caller's fault: invalid_argument, not internal.
        answerUndecodableAsInvalidArgument(router);
      },
      // Counted like the gRPC calls (bulwark_control_rpc_*).
      interceptors: metrics ? [metrics.connectInterceptor()] : [],
      // gRPC is grpc-js over HTTP/2 on this port; HTTP/1.1 speaks the Connect protocol only.
      grpc: false,
      grpcWeb: false,
      // JSON callers should see `"deleted": false`, not an omitted default.
      // A misspelt field (`contnt`) or unknown enum name must be an error, not a silently
      // empty request that scans nothing and answers allowed.
      jsonOptions: { alwaysEmitImplicit: true, ignoreUnknownFields: false },
    });
    const listener: DualProtocolListener = await listenDualProtocol({ ...target, grpc: server, http1: connect, tls });
    const port = listener.port;
    const address = formatAddress(target, port);
    const purgeExpiredRecords = (now?: Date) => repositories.records.purgeAllExpired(repositories.tenants, now);
    const interval = options.retentionIntervalMs ?? HOUR_MS;
    if (interval > 0) retention = startRetentionSchedule(purgeExpiredRecords, interval, logger);
    logger.info({ address, storage: options.database ? db.kind : describeStorage(options.storage ?? {}) }, 'control plane listening');

    let closed: Promise<void> | undefined;
    return {
      port,
      address,
      repositories,
      server,
      health,
      verifier,
      webhook,
      policySync,
      metrics,
      purgeExpiredRecords,
      close(graceMs = 5000) {
        closed ??= (async () => {
          for (const name of ['', ...serviceNames]) health.setStatus(name, 'NOT_SERVING');
          // Policy streams never end by themselves: end them now so the drain is not a timeout
          // (and record the disconnects while the database is still open).
          await policySync.shutdown();
          await webhook?.close();
          await listener.close(graceMs);
          server.forceShutdown();
          await feed?.close();
          await retention?.stop();
          if (ownsDatabase) await db.close();
          await metrics?.close();
        })();
        return closed;
      },
    };
  } catch (err) {
    await metrics?.close();
    await webhook?.close();
    await feed?.close();
    await retention?.stop();
    if (ownsDatabase) await db.close();
    throw err;
  }
}
