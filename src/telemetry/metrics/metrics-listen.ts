/**
 * `--metrics-listen ADDR` / BULWARK_METRICS_LISTEN: "host:port" (port 0 = any free port) or
 * "off". Loopback by default: metrics reveal traffic volumes and policy versions, so exposing
 * them on the pod network is a deliberate choice (the Helm chart sets 0.0.0.0:9464).
 */
export const DEFAULT_METRICS_LISTEN = '127.0.0.1:9464';

export type MetricsListen = { host: string; port: number } | 'off';

export function parseMetricsListen(value: string): MetricsListen {
  if (value === 'off') return 'off';
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) throw new Error(`metrics listen address "${value}" must be host:port or "off"`);
  return { host: match[1] ?? match[2]!, port };
}
