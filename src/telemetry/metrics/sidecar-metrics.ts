/**
 * Every metric of one sidecar, on its own registry: scans (per transport), CheckAction
 * decisions, the scanner pool, the enforced policy; record shipping and outboxes are added by
 * the components that have them. Built by startSidecar; served by metrics-server.ts.
 */
import type { ScanPool } from '../../pool/scan-pool.js';
import { ActionMetrics } from './action-metrics.js';
import { parseMetricsListen } from './metrics-listen.js';
import { PolicyMetrics } from './policy-metrics.js';
import { registerPoolMetrics } from './pool-metrics.js';
import { ScanMetrics } from './scan-metrics.js';
import { ServedMetrics } from './served-metrics.js';

export interface SidecarMetricsOptions {
  /** Node process metrics (default true; tests starting many sidecars may turn them off). */
  processMetrics?: boolean;
  /** Distinct tenant label values (default 100). */
  tenantLabelLimit?: number;
}

export class SidecarMetrics extends ServedMetrics {
  readonly scans: ScanMetrics;
  readonly actions: ActionMetrics;
  readonly policy: PolicyMetrics;

  /** `pool` is read only at scrape time, so the metrics can exist before the pool does. */
  constructor(pool: () => ScanPool, listen: { host: string; port: number }, options: SidecarMetricsOptions = {}) {
    super(listen, options);
    this.scans = new ScanMetrics(this.registry, { tenantLabelLimit: options.tenantLabelLimit });
    this.actions = new ActionMetrics(this.registry);
    this.policy = new PolicyMetrics(this.registry, () => pool().policySet.version);
    registerPoolMetrics(this.registry, () => pool().stats());
  }
}

/**
 * The metrics of a sidecar started with `metricsListen` ("host:port"; undefined or "off" =
 * none: the scan path then records nothing). Throws on a malformed address.
 */
export function sidecarMetricsFor(metricsListen: string | undefined, pool: () => ScanPool, options?: SidecarMetricsOptions): SidecarMetrics | undefined {
  const listen = parseMetricsListen(metricsListen ?? 'off');
  return listen === 'off' ? undefined : new SidecarMetrics(pool, listen, options);
}
