/**
 * The processes' entry point: starts tracing when the OTEL_* variables ask for it. The SDK
 * (and the exporter's HTTP stack) is imported only then, so a process with tracing off does
 * not even load it.
 */
import type { Logger } from '../logger.js';
import type { RunningTracing } from './start-tracing.js';
import { tracingConfigFromEnv } from './tracing-config.js';

export type { RunningTracing };

/** Default service names (OTEL_SERVICE_NAME overrides them). */
export const SIDECAR_SERVICE_NAME = 'bulwark-sidecar';
export const CONTROL_PLANE_SERVICE_NAME = 'bulwark-control-plane';

export async function startTracingFromEnv(serviceName: string, serviceVersion: string, logger: Logger): Promise<RunningTracing> {
  const config = tracingConfigFromEnv(process.env);
  if (config.exporters.length === 0) return { enabled: false, shutdown: () => Promise.resolve() };
  const { startTracing } = await import('./start-tracing.js');
  return startTracing({ serviceName, serviceVersion, logger });
}
