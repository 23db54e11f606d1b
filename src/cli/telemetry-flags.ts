/**
 * Flags every long-running command shares: `--log-level` (pino level) and `--metrics-listen`
 * (Prometheus /metrics address, or "off"). Flag, then environment variable, then default.
 */
import { DEFAULT_METRICS_LISTEN, parseMetricsListen } from '../telemetry/metrics/metrics-listen.js';
import { oneOf, stringFlag, UsageError, type ParsedFlags } from './parse-flags.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const TELEMETRY_FLAGS = {
  'log-level': { type: 'string' },
  'metrics-listen': { type: 'string' },
} as const;

/** Help lines, aligned with the commands' option lists. */
export function telemetryHelp(column: number): string {
  const pad = (flag: string): string => `  ${flag}`.padEnd(column);
  return (
    `${pad('--log-level LEVEL')}${LOG_LEVELS.join(', ')} (BULWARK_LOG_LEVEL; default info)\n` +
    `${pad('--metrics-listen ADDR')}Prometheus GET /metrics on host:port (port 0 = any free\n` +
    `${' '.repeat(column)}port), or "off" (BULWARK_METRICS_LISTEN; default ${DEFAULT_METRICS_LISTEN})\n`
  );
}

/** The pino level from --log-level or BULWARK_LOG_LEVEL (default info). */
export function logLevelOf(flags: ParsedFlags, env: NodeJS.ProcessEnv): string {
  return oneOf(stringFlag(flags, 'log-level'), LOG_LEVELS, '--log-level') ?? oneOf(env.BULWARK_LOG_LEVEL || undefined, LOG_LEVELS, 'BULWARK_LOG_LEVEL') ?? 'info';
}

/** "host:port" or "off" from --metrics-listen or BULWARK_METRICS_LISTEN; validated here so a typo is a usage error. */
export function metricsListenOf(flags: ParsedFlags, env: NodeJS.ProcessEnv): string {
  const flag = stringFlag(flags, 'metrics-listen');
  const value = flag ?? (env.BULWARK_METRICS_LISTEN || DEFAULT_METRICS_LISTEN);
  try {
    parseMetricsListen(value);
  } catch (err) {
    throw new UsageError(`${flag !== undefined ? '--metrics-listen' : 'BULWARK_METRICS_LISTEN'}: ${(err as Error).message}`);
  }
  return value;
}
