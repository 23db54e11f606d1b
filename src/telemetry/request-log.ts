/**
 * Per-request log lines: a child logger carrying the request's ids (request id, tenant, scan
 * id) so every line about one call can be joined with its scan record, span and event. Only
 * ids, decisions, counts and timings: never content, threat descriptions or matched text.
 * The child is built only when the line will be written (debug is off in production).
 */
import type { Logger } from './logger.js';

/** The ids one call's log lines carry. */
export interface RequestLogIds {
  requestId: string;
  tenantId: string;
  scanId?: string;
}

/** A child logger with the call's ids. */
export function requestLogger(logger: Logger, ids: RequestLogIds): Logger {
  return logger.child(ids);
}

/** What one finished scan (or stream) says in the log. */
export interface ScanLogFields {
  direction: string;
  action: string;
  threats: readonly { type: string }[];
  latencyMs?: number;
  policyVersion?: string;
}

/** One debug line per finished scan: ids, decision, threat types and counts. */
export function logScanFinished(logger: Logger, ids: RequestLogIds, scan: ScanLogFields, message = 'scan finished'): void {
  if (!logger.isLevelEnabled('debug')) return;
  requestLogger(logger, ids).debug(
    {
      direction: scan.direction,
      action: scan.action,
      threatCount: scan.threats.length,
      threatTypes: [...new Set(scan.threats.map((t) => t.type))],
      latencyMs: scan.latencyMs === undefined ? undefined : Math.round(scan.latencyMs * 1000) / 1000,
      policyVersion: scan.policyVersion,
    },
    message,
  );
}
