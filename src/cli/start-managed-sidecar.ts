/**
 * The CLI's composition of a control-plane-managed sidecar: the sidecar flags (listen,
 * workers, limits, --policy as the fallback set, agent-action flags, BULWARK_FEEDBACK_FILE)
 * plus the control-plane configuration.
 */
import { envoyServicesFromEnv } from '../envoy/envoy-env.js';
import { loadPolicyFlag } from './load-policy-flag.js';
import type { SidecarCliConfig } from './sidecar-command.js';
import type { SidecarControlPlaneConfig } from './sidecar-control-plane-flags.js';
import { policySetVersion } from '../policy/policy-version.js';
import type { PolicySet } from '../policy/types.js';
import { startConnectedSidecar, type ConnectedSidecar } from '../sidecar/start-connected-sidecar.js';
import type { Logger } from '../telemetry/logger.js';

/** --policy (or the built-in default), with --unknown-tenant applied. */
function baseSet(config: SidecarCliConfig): PolicySet {
  const { version: _v, ...set } = loadPolicyFlag(config.policyPath);
  const adjusted = config.unknownTenant === undefined ? set : { ...set, unknownTenant: config.unknownTenant };
  return { ...adjusted, version: policySetVersion(adjusted) };
}

export function startManagedSidecar(config: SidecarCliConfig, cp: SidecarControlPlaneConfig, logger: Logger): Promise<ConnectedSidecar> {
  logger.info({ controlPlane: cp.address, nodeId: cp.nodeId, tenants: cp.tenants, dataDir: cp.dataDir }, 'starting a control-plane-managed sidecar');
  return startConnectedSidecar({
    listen: config.listen,
    workers: config.workers,
    ...(config.maxQueue !== undefined ? { maxQueue: config.maxQueue } : {}),
    ...(config.maxContentBytes !== undefined ? { maxContentBytes: config.maxContentBytes } : {}),
    logger,
    metricsListen: config.metricsListen,
    controlPlane: { address: cp.address, token: cp.token, tls: cp.tls },
    dataDir: cp.dataDir,
    nodeId: cp.nodeId,
    tenants: cp.tenants,
    baseSet: baseSet(config),
    initialPolicyTimeoutMs: cp.initialPolicyTimeoutMs,
    // Envoy ext_authz / ext_proc on the same port (options: BULWARK_* variables).
    extraServices: envoyServicesFromEnv(process.env),
    // CheckAction's audit log, Redis and admin token, and the feedback journal: the same
    // with or without a control plane.
    agentActions: config.agentActions,
    feedbackFile: config.feedbackFile,
    events: config.events,
    // Webhook alerts (docs/alerts.md), identified by this sidecar's node id.
    ...(config.alerts ? { alerts: { ...config.alerts, nodeId: cp.nodeId } } : {}),
  });
}
