/**
 * Every metric of one sidecar, on its own registry: scans (per transport), CheckAction
 * decisions, the scanner pool, the enforced policy; record shipping and outboxes are added by
 * the components that have them. Built by startSidecar; served by metrics-server.ts.
 */
import type { Registry } from 'prom-client';
import type { ScanPool } from '../../pool/scan-pool.js';
import { ActionMetrics } from './action-metrics.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { PolicyMetrics } from './policy-metrics.js';
import { registerPoolMetrics } from './pool-metrics.js';
import { ScanMetrics } from './scan-metrics.js';

export interface SidecarMetricsOptions {
  /** Node process metrics (default true; tests starting many sidecars may turn them off). */
  processMetrics?: boolean;
  /** Distinct tenant label values (default 100). */
  tenantLabelLimit?: number;
}

export class SidecarMetrics {
  readonly registry: Registry;
  readonly scans: ScanMetrics;
  readonly actions: ActionMetrics;
  readonly policy: PolicyMetrics;

  constructor(pool: ScanPool, options: SidecarMetricsOptions = {}) {
    this.registry = createMetricsRegistry({ processMetrics: options.processMetrics });
    this.scans = new ScanMetrics(this.registry, { tenantLabelLimit: options.tenantLabelLimit });
    this.actions = new ActionMetrics(this.registry);
    this.policy = new PolicyMetrics(this.registry, () => pool.policySet.version);
    registerPoolMetrics(this.registry, () => pool.stats());
  }
}
