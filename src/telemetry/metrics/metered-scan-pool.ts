/**
 * A view of the scanner pool that records every finished scan into one transport's metrics.
 * Wrapping the pool (rather than each handler) catches every engine run of a transport in one
 * place, including the Envoy paths that scan a body's segments one by one. Errors are not
 * recorded here: the handlers count refusals, where pre-pool checks (size, UTF-8) fail too.
 */
import type { ScanResult, ScanTask, StreamWindowResult, StreamWindowTask } from '../../engine/types.js';
import type { PolicySet } from '../../policy/types.js';
import type { ScanPool } from '../../pool/scan-pool.js';
import type { TransportScanMetrics } from './scan-metrics.js';

/** Tenants not in the policy set are caller-chosen strings: they share one label value. */
const UNLISTED_TENANT = 'unlisted';

class MeteredScanPool implements ScanPool {
  constructor(
    private readonly inner: ScanPool,
    private readonly metrics: TransportScanMetrics,
  ) {}

  scan(task: ScanTask, signal?: AbortSignal): Promise<ScanResult> {
    return this.measure(task, this.inner.scan(task, signal));
  }

  scanWindow(task: StreamWindowTask, signal?: AbortSignal): Promise<StreamWindowResult> {
    return this.measure(task, this.inner.scanWindow(task, signal));
  }

  setPolicySet: ScanPool['setPolicySet'] = (set) => this.inner.setPolicySet(set);
  stats: ScanPool['stats'] = () => this.inner.stats();
  close: ScanPool['close'] = (options) => this.inner.close(options);

  get policySet(): PolicySet {
    return this.inner.policySet;
  }

  private async measure<R extends ScanResult | StreamWindowResult>(task: ScanTask, running: Promise<R>): Promise<R> {
    const started = performance.now();
    const result = await running;
    const tenant = Object.hasOwn(this.inner.policySet.tenants, task.tenantId) ? task.tenantId : UNLISTED_TENANT;
    this.metrics.scanned(tenant, task.direction, result, (performance.now() - started) / 1000);
    return result;
  }
}

/** `pool` with every scan recorded into `metrics`. */
export function meteredScanPool(pool: ScanPool, metrics: TransportScanMetrics): ScanPool {
  return new MeteredScanPool(pool, metrics);
}
