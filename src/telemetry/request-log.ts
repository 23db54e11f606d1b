/**
 * Per-request log lines: a child logger carrying the request's ids (request id, tenant, scan
 * id) so every line about one call can be joined with its scan record, span and event. Only
 * ids, decisions, counts and timings: never content, threat descriptions or matched text.
 * The child is built only when the line will be written (debug is off in production).
 */
import type { RpcError } from '../sidecar/status-errors.js';
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

/**
 * A call that ended in an error: the sidecar's own faults at error level (with the cause's
 * class name only: an unexpected exception's message might quote content), the caller's
 * (size, UTF-8, deadline, queue full) at debug, with the status code and our own message,
 * which names sizes and limits, never text.
 */
export function logScanFailed(logger: Logger, ids: RequestLogIds, err: RpcError, cause: unknown, serverFault: boolean): void {
  if (serverFault) requestLogger(logger, ids).error({ err: (cause as Error)?.name, code: err.code }, 'scan failed');
  else if (logger.isLevelEnabled('debug')) requestLogger(logger, ids).debug({ code: err.code, reason: err.message }, 'scan refused');
}
