/**
 * A sidecar managed by a control plane: the plain sidecar (start-sidecar.ts) plus
 * - policies: the last ACKed snapshots from the data directory first, then a watch stream
 *   (policy-watch-client.ts → policy-sync-agent.ts); health NOT_SERVING until every tenant
 *   has a snapshot or the initial-policy timeout passes;
 * - scan records: built on the scan path into a bounded buffer, shipped in batches, spilled
 *   to the data directory while the control plane is unreachable (record-shipper.ts).
 *
 * Data directory layout: `policy-snapshots/<tenant>.json`, `records/records.spool`,
 * `records/records.offset`; locked (`<dir>.lock`) while the sidecar runs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultHashSalt, type PolicyEnvironment } from '../policy/compile-policy.js';
import { defaultPolicySet } from '../policy/load-policy.js';
import type { PolicySet } from '../policy/types.js';
import type { ScanPool } from '../pool/scan-pool.js';
import { acquireDirectoryLock } from '../store/directory-lock.js';
import { rootLogger } from '../telemetry/logger.js';
import { registerRecordMetrics } from '../telemetry/metrics/record-metrics.js';
import type { AuditCheckpointShipper } from './audit-checkpoint-shipper.js';
import { forwardAuditCheckpoints } from './audit-checkpoint-forwarding.js';
import { ControlPlaneChannel, type ControlPlaneConnection } from './control-plane-channel.js';
import { PolicySyncAgent } from './policy-sync-agent.js';
import { PolicyWatchClient } from './policy-watch-client.js';
import { RecordShipper, type RecordShipperOptions } from './record-shipper.js';
import { createRecordBuilder } from './scan-record-sink.js';
import { SIDECAR_VERSION } from './sidecar-version.js';
import { startSidecar, type RunningSidecar, type SidecarOptions } from './start-sidecar.js';

/** Default wait for the first snapshot before serving with the local/default policy. */
export const DEFAULT_INITIAL_POLICY_TIMEOUT_MS = 30_000;

export interface ConnectedSidecarOptions extends Omit<SidecarOptions, 'policySet' | 'policyFile' | 'scanRecords' | 'servingWhen'> {
  controlPlane: ControlPlaneConnection;
  /** Snapshots and the record spill file live here. */
  dataDir: string;
  /** This sidecar's id in the fleet. */
  nodeId: string;
  /** Tenants to receive policies for. */
  tenants: string[];
  /** Policies for tenants without a snapshot (a local file's set); default: the built-in one. */
  baseSet?: PolicySet;
  /** 0 = NOT_SERVING until the first snapshots, however long (default 30 s). */
  initialPolicyTimeoutMs?: number;
  /** What the policy loader reads secrets from (default process.env). */
  policyEnv?: PolicyEnvironment;
  /** Record shipping tuning (tests shorten intervals). */
  records?: Pick<RecordShipperOptions, 'batchSize' | 'flushIntervalMs' | 'maxBuffered' | 'maxSpoolBytes' | 'backoffBaseMs' | 'backoffMaxMs'>;
  /** Policy stream reconnect backoff: first bound and cap (defaults 250 ms, 15 s). */
  policyBackoff?: { baseMs?: number; maxMs?: number };
}

export interface ConnectedSidecar extends RunningSidecar {
  agent: PolicySyncAgent;
  shipper: RecordShipper;
  /** Audit-log checkpoints to the control plane; undefined without an audit log. */
  auditShipper: AuditCheckpointShipper | undefined;
}

export async function startConnectedSidecar(options: ConnectedSidecarOptions): Promise<ConnectedSidecar> {
  const logger = options.logger ?? rootLogger;
  const env = options.policyEnv ?? process.env;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const lock = acquireDirectoryLock(options.dataDir);
  const cleanups: (() => unknown)[] = [() => lock.release()];
  try {
    const agent = new PolicySyncAgent({
      snapshotDir: join(options.dataDir, 'policy-snapshots'),
      tenants: options.tenants,
      baseSet: options.baseSet ?? defaultPolicySet(env),
      env,
      initialPolicyTimeoutMs: options.initialPolicyTimeoutMs ?? DEFAULT_INITIAL_POLICY_TIMEOUT_MS,
      logger,
    });
    cleanups.push(() => agent.close());
    const initialSet = await agent.load();
    const channel = new ControlPlaneChannel({ maxBackoffMs: options.policyBackoff?.maxMs, ...options.controlPlane }, logger);
    cleanups.push(() => channel.close());
    const shipper = new RecordShipper({ channel, spoolDir: join(options.dataDir, 'records'), logger, ...options.records });
    const audit = forwardAuditCheckpoints(options.agentActions, channel, options.nodeId, logger);

    const started: { pool?: ScanPool } = {};
    // The tenant policy's hash salt keys the content hash: the same key as the `hash` operator.
    const hashKeyOf = (tenant: string): string => started.pool?.policySet.tenants[tenant]?.default?.hashSalt ?? defaultHashSalt(tenant, env);
    const recordedTenants = new Set(options.tenants);
    const scanRecords = createRecordBuilder({
      nodeId: options.nodeId,
      // Scans of other tenants (e.g. "default" for requests without a tenant) are not recorded.
      records: (tenant) => recordedTenants.has(tenant),
      hashKeyOf,
      push: (record) => shipper.push(record),
      onError: (err) => logger.error({ err: (err as Error)?.message }, 'building a scan record failed; record skipped'),
    });
    const { controlPlane: _cp, dataDir: _d, nodeId: _n, tenants: _t, baseSet: _b, initialPolicyTimeoutMs: _i, policyEnv: _e, records: _r, policyBackoff: _p, ...sidecarOptions } = options;
    const sidecar = await startSidecar({ ...sidecarOptions, agentActions: audit.agentActions, logger, policySet: initialSet, scanRecords, servingWhen: agent.ready, policySource: 'control-plane' });
    started.pool = sidecar.pool;
    agent.attach(sidecar.pool);
    if (sidecar.metrics) registerRecordMetrics(sidecar.metrics.registry, () => shipper.stats());

    const watch = new PolicyWatchClient({
      channel,
      nodeId: options.nodeId,
      tenants: options.tenants,
      sidecarVersion: SIDECAR_VERSION,
      onSnapshot: async (snapshot) => {
        const nack = await agent.apply(snapshot);
        if (nack === undefined) sidecar.metrics?.policy.snapshotApplied(snapshot.createdAt);
        return nack;
      },
      onConnectionChange: (connected) => {
        if (connected) shipper.nudge();
        if (connected) audit.shipper?.nudge();
      },
      logger,
      backoffBaseMs: options.policyBackoff?.baseMs,
      backoffMaxMs: options.policyBackoff?.maxMs,
    });
    watch.start();
    shipper.start();

    let closing: Promise<void> | undefined;
    const close = async (graceMs?: number): Promise<void> => {
      watch.close();
      await sidecar.close(graceMs); // in-flight scans finish and push their records first
      await shipper.close();
      await audit.shipper?.close(); // after the sidecar: its audit log wrote a last checkpoint
      for (const cleanup of cleanups.reverse()) cleanup();
    };
    return { ...sidecar, agent, shipper, auditShipper: audit.shipper, close: (graceMs) => (closing ??= close(graceMs)) };
  } catch (err) {
    for (const cleanup of cleanups.reverse()) cleanup();
    throw err;
  }
}
