/**
 * One ScanRecordSink feeding several (record shipping and security events): the scan
 * handlers keep calling a single sink. Every sink builds its own content-free summary.
 */
import type { ScanRecordSink, StreamScanRecord } from '../sidecar/scan-record-sink.js';

/** The sinks given, combined; undefined when none is. */
export function fanOutScanRecords(...sinks: Array<ScanRecordSink | undefined>): ScanRecordSink | undefined {
  const present = sinks.filter((s): s is ScanRecordSink => s !== undefined);
  if (present.length <= 1) return present[0];
  return {
    scanned(ctx, content, result, latencyMs) {
      for (const sink of present) sink.scanned(ctx, content, result, latencyMs);
    },
    openStream(ctx) {
      const records: StreamScanRecord[] = present.map((sink) => sink.openStream(ctx));
      return {
        addContent: (chunk) => records.forEach((r) => r.addContent(chunk)),
        addWindow: (result) => records.forEach((r) => r.addWindow(result)),
        finish: (action) => records.forEach((r) => r.finish(action)),
      };
    },
  };
}
