/**
 * The scan service's dependencies as one transport sees them: with metrics configured, the
 * pool records into that transport's series and `scanMetrics` counts its refusals. Each
 * transport adapter (gRPC, Connect, Envoy) calls this once when it is built.
 */
import type { ScanServiceDeps } from '../../sidecar/scan-service-deps.js';
import { meteredScanPool } from './metered-scan-pool.js';
import type { ScanTransport } from './scan-metrics.js';

export function depsForTransport(deps: ScanServiceDeps, transport: ScanTransport): ScanServiceDeps {
  if (!deps.metrics) return deps;
  const scanMetrics = deps.metrics.forTransport(transport);
  return { ...deps, pool: meteredScanPool(deps.pool, scanMetrics), scanMetrics };
}
