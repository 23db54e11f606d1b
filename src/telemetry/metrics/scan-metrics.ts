/**
 * Scan metrics: latency by direction, transport and action; per-detector latency (from the
 * engine's ScanTiming); threats by type, severity and action; scans by tenant; refusals by
 * reason. One instance per sidecar registry; each transport records through its own
 * {@link TransportScanMetrics} so the transport label is bound once.
 *
 * A StreamScan window (and each ext_proc window) counts as one scan: it is one engine run
 * with its own decision and latency.
 */
import { Counter, type Registry } from 'prom-client';
import type { DirectionName } from '../../detectors/types.js';
import type { ScanResult, StreamWindowResult } from '../../engine/types.js';
import type { RpcError } from '../../sidecar/status-errors.js';
import { BoundedLabel } from './bounded-label.js';
import { DETECTOR_SECONDS_BUCKETS, SCAN_SECONDS_BUCKETS } from './buckets.js';
import { FastCounter, FastHistogram } from './fast-metrics.js';
import { LabelChildren } from './label-children.js';
import { rejectionReason } from './rejection-reason.js';

/** Where a scan request came in. */
export type ScanTransport = 'grpc' | 'connect' | 'envoy';

/** Distinct tenant label values per sidecar; later tenants are counted as "other". */
export const DEFAULT_TENANT_LABEL_LIMIT = 100;
/** Detector names come from the registry (a few dozen); the cap only guards against a bug. */
const DETECTOR_LABEL_LIMIT = 64;

/** The metrics a transport records into; created by {@link ScanMetrics.forTransport}. */
export interface TransportScanMetrics {
  /**
   * One finished engine scan. `tenant` is the label value to use: the caller passes the
   * tenant id only when the policy set lists it (see metered-scan-pool.ts).
   */
  scanned(tenant: string, direction: DirectionName, result: ScanResult | StreamWindowResult, seconds: number): void;
  /** A request refused with this error (counted by reason, never by message). */
  rejected(err: RpcError): void;
}

export class ScanMetrics {
  private readonly scanDuration: FastHistogram;
  private readonly detectorDuration: FastHistogram;
  private readonly threats: FastCounter;
  private readonly scans: FastCounter;
  private readonly rejections: Counter<'transport' | 'reason'>;
  private readonly tenants: BoundedLabel;
  private readonly detectors = new BoundedLabel(DETECTOR_LABEL_LIMIT);
  private readonly transports = new Map<ScanTransport, TransportScanMetrics>();

  constructor(registry: Registry, options: { tenantLabelLimit?: number } = {}) {
    this.tenants = new BoundedLabel(options.tenantLabelLimit ?? DEFAULT_TENANT_LABEL_LIMIT);
    this.scanDuration = new FastHistogram(registry, {
      name: 'bulwark_scan_duration_seconds',
      help: 'Time from handing a scan to the scanner pool to its decision (queue wait included).',
      labelNames: ['direction', 'transport', 'action'],
      buckets: SCAN_SECONDS_BUCKETS,
    });
    this.detectorDuration = new FastHistogram(registry, {
      name: 'bulwark_detector_duration_seconds',
      help: 'Time one detector (or the normalizer) took inside a scan.',
      labelNames: ['direction', 'detector'],
      buckets: DETECTOR_SECONDS_BUCKETS,
    });
    this.threats = new FastCounter(registry, {
      name: 'bulwark_threats_total',
      help: 'Threats found, by type, severity and the action the policy gave them.',
      labelNames: ['type', 'severity', 'action'],
    });
    this.scans = new FastCounter(registry, {
      name: 'bulwark_scans_total',
      help: 'Scans finished, by tenant (policy-set tenants only, capped), direction and decided action.',
      labelNames: ['tenant', 'direction', 'action'],
    });
    this.rejections = new Counter({
      name: 'bulwark_requests_rejected_total',
      help: 'Requests refused without a scan decision, by transport and reason.',
      labelNames: ['transport', 'reason'] as const,
      registers: [registry],
    });
  }

  /** The recorder for one transport (the same object on every call). */
  forTransport(transport: ScanTransport): TransportScanMetrics {
    let bound = this.transports.get(transport);
    if (!bound) {
      bound = this.bind(transport);
      this.transports.set(transport, bound);
    }
    return bound;
  }

  private bind(transport: ScanTransport): TransportScanMetrics {
    const rejections = new LabelChildren((reason) => this.rejections.labels(transport, reason!));
    return {
      scanned: (tenant, direction, result, seconds) => {
        this.scanDuration.labels(direction, transport, result.action).observe(seconds);
        this.scans.labels(this.tenants.of(tenant), direction, result.action).inc();
        for (const threat of result.threats) this.threats.labels(threat.type, threat.severity, threat.action).inc();
        const timing = result.timing;
        if (timing) for (const d of timing.detectors) this.detectorDuration.labels(direction, this.detectors.of(d.detector)).observe(d.durationMs / 1000);
      },
      rejected: (err) => rejections.get(rejectionReason(err)).inc(),
    };
  }
}
