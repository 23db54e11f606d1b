/**
 * The ScanRecordSink that turns finished scans into content-free records for security events.
 * Unlike the control-plane record builder (scan-record-sink.ts) it keeps no content hash, so
 * a scan that produces no event (threat-free and not sampled) costs one comparison, not an
 * HMAC over its content. Threats are summarised by the same `summarize` as scan records.
 */
import type { ActionName } from '../detectors/types.js';
import type { ThreatResult } from '../engine/types.js';
import { codePointLength } from '../sidecar/code-points.js';
import { recordIdentity, summarize, type ScanRecordContext, type ScanRecordSink, type StreamScanRecord } from '../sidecar/scan-record-sink.js';
import type { ScanRecordData, ThreatSummaryData } from '../store/record-types.js';

export interface ScanEventSinkOptions {
  /** This sidecar's node id. */
  nodeId: string;
  /** Share of threat-free scans reported, 0..1 (0 = none). */
  scanCompletedSample: number;
  /** Receives the record of every scan to report. */
  emit(record: ScanRecordData): void;
  /** A bug here must never fail a scan: it is reported, the event skipped. */
  onError(err: unknown): void;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Code points of `text`: a native regex test finds most texts free of surrogates (length is
 * then the answer) before the exact per-character count, which costs ~15 ns a character.
 */
function codePoints(text: string): number {
  return SURROGATE.test(text) ? codePointLength(text) : text.length;
}

/** Summaries of a scan so far. */
class ScanSummary {
  readonly threats = new Map<string, ThreatSummaryData>();
  readonly entities: Record<string, number> = {};

  add(threats: readonly ThreatResult[]): void {
    summarize(threats, this.threats, this.entities);
  }
}

export function createScanEventSink(options: ScanEventSinkOptions): ScanRecordSink {
  const reported = (summary: ScanSummary): boolean =>
    summary.threats.size > 0 || (options.scanCompletedSample > 0 && Math.random() < options.scanCompletedSample);
  const emit = (
    ctx: ScanRecordContext,
    summary: ScanSummary,
    fields: { action: ActionName; policyId: string; policyVersion: string; contentLength: number; latencyMs: number },
  ): void => {
    options.emit({
      ...recordIdentity(ctx, options.nodeId),
      contentHash: '',
      entityCounts: summary.entities,
      threats: [...summary.threats.values()],
      ...fields,
    });
  };
  const guarded = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A): void => {
    try {
      fn(...args);
    } catch (err) {
      options.onError(err);
    }
  };

  return {
    scanned: guarded((ctx: ScanRecordContext, content: string, result, latencyMs: number) => {
      const summary = new ScanSummary();
      summary.add(result.threats);
      if (!reported(summary)) return;
      emit(ctx, summary, { action: result.action, policyId: result.policyId, policyVersion: result.policyVersion, contentLength: codePoints(content), latencyMs });
    }),
    openStream(ctx): StreamScanRecord {
      const summary = new ScanSummary();
      const last = { policyId: '', policyVersion: '', contentLength: 0, latencyMs: 0, finished: false };
      return {
        addContent: guarded((chunk: string) => {
          last.contentLength += codePoints(chunk);
        }),
        addWindow: guarded((result) => {
          summary.add(result.threats);
          last.latencyMs += result.latencyMs;
          last.policyId = result.policyId;
          last.policyVersion = result.policyVersion;
        }),
        finish: guarded((action: ActionName) => {
          if (last.finished) return;
          last.finished = true;
          if (reported(summary)) emit(ctx, summary, { action, policyId: last.policyId, policyVersion: last.policyVersion, contentLength: last.contentLength, latencyMs: last.latencyMs });
        }),
      };
    },
  };
}
