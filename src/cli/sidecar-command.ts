/**
 * `bulwark sidecar`: runs the gRPC sidecar until SIGTERM/SIGINT, then drains in-flight scans
 * and exits 0. A second signal during the drain exits at once (128 + signal number).
 */
import { constants as osConstants } from 'node:os';
import { defaultWorkerCount } from '../pool/default-worker-count.js';
import type { CliCommand, CliIo } from './cli-command.js';
import { ExitCode } from './exit-codes.js';
import { oneOf, parseFlags, positiveInt, stringFlag } from './parse-flags.js';
import { logLevelOf, metricsListenOf, TELEMETRY_FLAGS, telemetryHelp } from './telemetry-flags.js';
import type { Logger } from '../telemetry/logger.js';
import type { SidecarOptions } from '../sidecar/start-sidecar.js';
import { SIDECAR_VERSION } from '../sidecar/sidecar-version.js';
import { SIDECAR_SERVICE_NAME, startTracingFromEnv } from '../telemetry/tracing/tracing-from-env.js';
import { CONTROL_PLANE_FLAGS, CONTROL_PLANE_HELP, sidecarControlPlaneConfig, type SidecarControlPlaneConfig } from './sidecar-control-plane-flags.js';
import { AGENT_ACTION_FLAGS, AGENT_ACTION_HELP, agentActionOptions } from './sidecar-agent-action-flags.js';
import { EVENT_FLAGS, EVENT_HELP, sidecarEventOptions } from './sidecar-event-flags.js';
import { ALERT_WEBHOOK_FLAGS, ALERT_WEBHOOK_HELP, alertsConfig, type AlertsConfig } from './alert-webhook-flags.js';

const DEFAULT_LISTEN = '127.0.0.1:50051';

const help = `Usage: bulwark sidecar [options]

Serves bulwark.v1.SecurityScanService (and grpc.health.v1.Health) over gRPC until SIGTERM
or SIGINT; then stops accepting scans, finishes the ones in flight and exits 0. A second
signal exits at once.

Options (flag, then environment variable, then default):
  --listen ADDR                  host:port to listen on; port 0 picks a free port
                                 (BULWARK_LISTEN; default ${DEFAULT_LISTEN})
  --policy FILE                  policy YAML file (BULWARK_POLICY; default: built-in policy)
  --workers N                    scanner threads (BULWARK_WORKERS; default: cores - 1, min 1)
  --max-queue N                  scans waiting for a thread before RESOURCE_EXHAUSTED
  --max-content-bytes N          largest content accepted (default 1 MiB)
  --unknown-tenant default|reject  for tenants without a policy (default: the policy file's
                                 setting, else "default")
${telemetryHelp(33)}  -h, --help                     show this help
${CONTROL_PLANE_HELP}${AGENT_ACTION_HELP}${EVENT_HELP}${ALERT_WEBHOOK_HELP}
Envoy's ext_authz and ext_proc services are served on the same port (docs/mesh.md);
their options come from BULWARK_TENANT_HEADER, BULWARK_POLICY_HEADER,
BULWARK_PARTIAL_BODY, BULWARK_UNKNOWN_CONTENT, BULWARK_AUTHZ_REDACT, BULWARK_MAX_BODY_BYTES.

Feedback reports (bulwark feedback) are kept in memory, and in the JSONL journal named by
BULWARK_FEEDBACK_FILE when it is set (replayed at start; bulwark feedback export reads it).

Logs are JSON lines (pino) on stdout; the first line after start has the address,
workers and policy version.
`;

/** What the flags and environment say, validated; defaults applied. */
export interface SidecarCliConfig {
  listen: string;
  policyPath: string | undefined;
  workers: number;
  maxQueue: number | undefined;
  maxContentBytes: number | undefined;
  unknownTenant: 'default' | 'reject' | undefined;
  logLevel: string;
  /** Prometheus /metrics "host:port" or "off". */
  metricsListen: string;
  /** Set when the sidecar is managed by a control plane (--control-plane). */
  controlPlane: SidecarControlPlaneConfig | undefined;
  /** CheckAction: audit log, Redis, admin token (sidecar-agent-action-flags.ts). */
  agentActions: SidecarOptions['agentActions'];
  /** Feedback journal (BULWARK_FEEDBACK_FILE), standalone and control-plane-managed alike. */
  feedbackFile: string | undefined;
  /** Security events to Kafka (sidecar-event-flags.ts); undefined = off. */
  events: SidecarOptions['events'];
  /** Webhook alert destinations and their outbox directory (alert-webhook-flags.ts); undefined = off. */
  alerts: AlertsConfig | undefined;
}

/** Flags win over environment variables, which win over defaults. */
export function sidecarConfig(args: string[], env: NodeJS.ProcessEnv): SidecarCliConfig | 'help' {
  const flags = parseFlags(
    args,
    {
      listen: { type: 'string' },
      policy: { type: 'string' },
      workers: { type: 'string' },
      'max-queue': { type: 'string' },
      'max-content-bytes': { type: 'string' },
      'unknown-tenant': { type: 'string' },
      ...TELEMETRY_FLAGS,
      ...CONTROL_PLANE_FLAGS,
      ...AGENT_ACTION_FLAGS,
      ...EVENT_FLAGS,
      ...ALERT_WEBHOOK_FLAGS,
    },
    0,
  );
  if (flags.values.help) return 'help';
  const fromFlag = (name: string): string | undefined => stringFlag(flags, name);
  const workersFlag = fromFlag('workers');
  const controlPlane = sidecarControlPlaneConfig(flags, env);
  return {
    listen: fromFlag('listen') ?? (env.BULWARK_LISTEN || DEFAULT_LISTEN),
    policyPath: fromFlag('policy') ?? (env.BULWARK_POLICY || undefined),
    workers:
      (workersFlag !== undefined
        ? positiveInt(workersFlag, '--workers')
        : positiveInt(env.BULWARK_WORKERS, 'BULWARK_WORKERS')) ?? defaultWorkerCount(),
    maxQueue: positiveInt(fromFlag('max-queue'), '--max-queue'),
    maxContentBytes: positiveInt(fromFlag('max-content-bytes'), '--max-content-bytes'),
    unknownTenant: oneOf(fromFlag('unknown-tenant'), ['default', 'reject'] as const, '--unknown-tenant'),
    logLevel: logLevelOf(flags, env),
    metricsListen: metricsListenOf(flags, env),
    controlPlane,
    agentActions: agentActionOptions(flags, env),
    feedbackFile: env.BULWARK_FEEDBACK_FILE || undefined,
    events: sidecarEventOptions(flags, env, controlPlane),
    alerts: alertsConfig(flags, env),
  };
}

/**
 * Resolves on the first SIGTERM/SIGINT with its name. Later signals force the exit: the
 * operator (or the orchestrator's kill timeout) has decided not to wait for the drain.
 */
function firstShutdownSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received === undefined) {
        received = signal;
        resolve(signal);
        return;
      }
      logger.warn({ signal }, 'second signal: exiting without waiting for in-flight scans');
      process.exit(128 + (osConstants.signals[signal] ?? 15));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/**
 * A policy file is handed to the sidecar by path so it is hot-reloaded. `--unknown-tenant`
 * has no sidecar option, so it is applied to a set loaded here, which the sidecar then
 * cannot reload: said in the log. (The durable way is a PolicySettings document.)
 */
async function policyOptions(config: SidecarCliConfig, logger: Logger): Promise<Pick<SidecarOptions, 'policyFile' | 'policySet'>> {
  if (config.unknownTenant === undefined) return config.policyPath ? { policyFile: config.policyPath } : {};
  const [{ loadPolicyFlag }, { policySetVersion }] = await Promise.all([
    import('./load-policy-flag.js'),
    import('../policy/policy-version.js'),
  ]);
  const { version: _fileVersion, ...set } = loadPolicyFlag(config.policyPath);
  if (config.policyPath) logger.warn('--unknown-tenant overrides the policy file; the file will not be hot-reloaded');
  const overridden = { ...set, unknownTenant: config.unknownTenant };
  return { policySet: { ...overridden, version: policySetVersion(overridden) } };
}

function limits(config: SidecarCliConfig): Pick<SidecarOptions, 'workers' | 'maxQueue' | 'maxContentBytes'> {
  const out: Pick<SidecarOptions, 'workers' | 'maxQueue' | 'maxContentBytes'> = { workers: config.workers };
  if (config.maxQueue !== undefined) out.maxQueue = config.maxQueue;
  if (config.maxContentBytes !== undefined) out.maxContentBytes = config.maxContentBytes;
  return out;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const config = sidecarConfig(args, io.env);
  if (config === 'help') {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  // Loaded only now: --help and usage errors answer at once.
  const [{ createLogger }, { startSidecar }] = await Promise.all([import('../telemetry/logger.js'), import('../sidecar/start-sidecar.js')]);
  const logger = createLogger({ level: config.logLevel });
  const shutdown = firstShutdownSignal(logger);
  // OTEL_TRACES_EXPORTER etc.; off (nothing loaded) unless set. Flushed after the drain below.
  const tracing = await startTracingFromEnv(SIDECAR_SERVICE_NAME, SIDECAR_VERSION, logger);
  // startSidecar logs the startup line itself (address, port, workers, policy version).
  const sidecar = config.controlPlane
    ? await (await import('./start-managed-sidecar.js')).startManagedSidecar(config, config.controlPlane, logger)
    : await startSidecar({
        listen: config.listen,
        ...(await policyOptions(config, logger)),
        ...limits(config),
        logger,
        // Envoy ext_authz / ext_proc on the same port (options: BULWARK_* variables, src/envoy/envoy-env.ts).
        extraServices: (await import('../envoy/envoy-env.js')).envoyServicesFromEnv(io.env),
        // Feedback reports (bulwark feedback) are journaled here and replayed at start.
        feedbackFile: config.feedbackFile,
        agentActions: config.agentActions,
        events: config.events,
        alerts: config.alerts,
        metricsListen: config.metricsListen,
      });
  const signal = await shutdown;
  logger.info({ signal }, 'shutting down: draining in-flight scans');
  await sidecar.close();
  await tracing.shutdown();
  return ExitCode.OK;
}

export const sidecarCommand: CliCommand = {
  name: 'sidecar',
  summary: 'run the gRPC sidecar (SIGTERM/SIGINT: drain and exit 0)',
  help,
  run,
};
