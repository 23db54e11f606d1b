import type { FeedbackService } from '../feedback/feedback-service.js';
import type { ScanPool } from '../pool/scan-pool.js';
import type { Logger } from '../telemetry/logger.js';
import type { ScanMetrics, TransportScanMetrics } from '../telemetry/metrics/scan-metrics.js';
import type { CallTracker } from './call-tracker.js';
import type { DemandedReplyCache } from './demanded-reply-cache.js';
import type { ScanRecordSink } from './scan-record-sink.js';

/** What the scan handlers of both transports need. */
export interface ScanServiceDeps {
  pool: ScanPool;
  calls: CallTracker;
  /** UTF-8 bytes allowed in one request's content (one chunk, for streams). */
  maxContentBytes: number;
  /** UTF-16 units a stream window keeps unreleased until more text (or the end) arrives. */
  streamHoldBack: number;
  logger: Logger;
  /** Receives a content-free record of every finished scan (record shipping); optional. */
  scanRecords?: ScanRecordSink;
  /** Links an answer's scan to its request's injected input (hijack detection); optional. */
  demandedReplies?: DemandedReplyCache;
  /** Feedback reports and the memory of recent scans by id (src/feedback/); optional. */
  feedback?: FeedbackService;
  /** The sidecar's scan metrics (src/telemetry/metrics/); absent when metrics are off. */
  metrics?: ScanMetrics;
  /** The same, bound to the transport serving the call (set by depsForTransport); counts refusals. */
  scanMetrics?: TransportScanMetrics;
}
