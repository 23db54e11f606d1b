/**
 * A registry per running component (sidecar, control plane), never prom-client's global one:
 * a test (or a process) running a sidecar and a control plane side by side gets two scrape
 * endpoints with no "metric already registered" collisions.
 *
 * Node process metrics keep their standard names (process_cpu_seconds_total,
 * process_resident_memory_bytes, nodejs_eventloop_lag_seconds, ...) WITHOUT the bulwark_
 * prefix: that is the Prometheus convention for process/runtime metrics (client libraries
 * and exporter guidelines use these names), so stock Node.js dashboards and alerts work, and
 * the `job`/`instance` labels already say which process it is.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export function createMetricsRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}
