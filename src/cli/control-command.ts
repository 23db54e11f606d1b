/**
 * `bulwark control`: runs the control plane (admin API over gRPC, with health and reflection)
 * until SIGTERM/SIGINT, then drains and exits 0. A second signal exits at once.
 */
import type { CliCommand, CliIo } from './cli-command.js';
import { ExitCode } from './exit-codes.js';
import { durationSeconds } from './duration-flag.js';
import { parseFlags, stringFlag, UsageError } from './parse-flags.js';
import { logLevelOf, metricsListenOf, TELEMETRY_FLAGS, telemetryHelp } from './telemetry-flags.js';
import { STORAGE_FLAGS, STORAGE_HELP, storageConfig } from './storage-flags.js';
import { WEBHOOK_FLAGS, WEBHOOK_HELP, webhookOptions } from './webhook-flags.js';
import { authConfigFromEnv } from '../control/auth/auth-config.js';
import { DEFAULT_CONTROL_LISTEN, startControlPlane, type ControlPlaneOptions } from '../control/start-control-plane.js';
import { createLogger } from '../telemetry/logger.js';
import { CONTROL_PLANE_SERVICE_NAME, startTracingFromEnv } from '../telemetry/tracing/tracing-from-env.js';
import { SIDECAR_VERSION } from '../sidecar/sidecar-version.js';


const help = `Usage: bulwark control [options]

Serves the control plane's admin API (bulwark.v1 PolicyAdminService, GuardrailRuleService,
RecordService, RecordIngestService, MetricsService, FleetService, TenantService), the
policy push stream to sidecars (PolicySyncService), grpc.health.v1 and server reflection,
until SIGTERM or SIGINT. Applies pending migrations at start.

Options (flag, then environment variable, then default):
  --listen ADDR                 host:port (BULWARK_CONTROL_LISTEN; default ${DEFAULT_CONTROL_LISTEN})
${STORAGE_HELP}
  --retention-interval DUR      how often expired scan records are purged, e.g. 1h;
                                0 disables (BULWARK_RETENTION_INTERVAL; default 1h)
${telemetryHelp(32)}  --tls-cert FILE, --tls-key FILE   serve TLS (BULWARK_TLS_CERT, BULWARK_TLS_KEY)
  --tls-ca FILE                 and require client certificates signed by this CA: mutual
                                TLS with the sidecars (BULWARK_TLS_CA). Without TLS, a
                                non-loopback --listen is logged as a loud warning.
${WEBHOOK_HELP}
  -h, --help                    show this help

Environment:
  DATABASE_URL                  PostgreSQL connection string (else embedded PGlite)
  BULWARK_JWT_SECRET            HS256 secret for development tokens (bulwark token)
  BULWARK_JWKS_URL | BULWARK_JWKS_FILE   RS256/ES256 keys for production tokens
  BULWARK_JWT_ISSUER, BULWARK_JWT_AUDIENCE   required iss / aud, when set
  BULWARK_HASH_SALT             must match the sidecars' so compiled versions agree
`;

/** The control plane's options from flags and environment, or 'help'. */
export function controlOptions(args: string[], env: NodeJS.ProcessEnv): (ControlPlaneOptions & { logLevel: string }) | 'help' {
  const tlsFlags = { 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'tls-ca': { type: 'string' } } as const;
  const flags = parseFlags(
    args,
    { listen: { type: 'string' }, 'retention-interval': { type: 'string' }, ...TELEMETRY_FLAGS, ...STORAGE_FLAGS, ...tlsFlags, ...WEBHOOK_FLAGS },
    0,
  );
  if (flags.values.help) return 'help';
  let auth;
  try {
    auth = authConfigFromEnv(env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const interval = stringFlag(flags, 'retention-interval') ?? (env.BULWARK_RETENTION_INTERVAL || '1h');
  return {
    listen: stringFlag(flags, 'listen') ?? (env.BULWARK_CONTROL_LISTEN || DEFAULT_CONTROL_LISTEN),
    storage: storageConfig(flags, env),
    auth,
    policyEnv: env,
    retentionIntervalMs: durationSeconds(interval, '--retention-interval', { allowZero: true }) * 1000,
    tls: {
      cert: stringFlag(flags, 'tls-cert') ?? (env.BULWARK_TLS_CERT || undefined),
      key: stringFlag(flags, 'tls-key') ?? (env.BULWARK_TLS_KEY || undefined),
      ca: stringFlag(flags, 'tls-ca') ?? (env.BULWARK_TLS_CA || undefined),
    },
    webhook: webhookOptions(flags, env),
    metricsListen: metricsListenOf(flags, env),
    logLevel: logLevelOf(flags, env),
  };
}

/** Resolves on the first SIGTERM/SIGINT; a second one exits at once. */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (seen) process.exit(ExitCode.ERROR);
      seen = true;
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Runs until `stop` resolves (tests pass their own promise instead of a signal). */
export async function runControlPlane(options: ControlPlaneOptions & { logLevel: string }, stop: Promise<unknown>): Promise<number> {
  const logger = createLogger({ level: options.logLevel, name: 'bulwark-control' });
  const tracing = await startTracingFromEnv(CONTROL_PLANE_SERVICE_NAME, SIDECAR_VERSION, logger);
  const plane = await startControlPlane({ ...options, logger });
  const reason = await stop;
  logger.info({ reason: String(reason) }, 'shutting down');
  await plane.close();
  await tracing.shutdown();
  return ExitCode.OK;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const options = controlOptions(args, io.env);
  if (options === 'help') {
    io.stdout.write(help);
    return ExitCode.OK;
  }
  return runControlPlane(options, firstSignal());
}

export const controlCommand: CliCommand = {
  name: 'control',
  summary: 'run the control plane: admin API, tenants, policies, records (gRPC, default 127.0.0.1:50052)',
  help,
  run,
};
