/**
 * The result of scanning a body's values as the Envoy services use it: the decision, the
 * redacted value per segment (on REDACT), and what goes into headers and metadata.
 */
import type { ActionName } from '../detectors/types.js';

export interface ScanOutcome {
  action: ActionName;
  /** Threat types found, deduplicated. */
  threatTypes: string[];
  scanId: string;
  policyVersion: string;
  /** On REDACT: the new text of each segment, in segment order (unchanged ones included). */
  redactedSegments?: string[];
  /** The body was scanned as it was although it was truncated (`scan-partial`). */
  partial: boolean;
  /** Nothing was scanned (no text in the body, or binary content skipped by option). */
  skipped: boolean;
}

/** The dynamic metadata both services attach (correlates Envoy access logs with scan records). */
export function outcomeMetadata(outcome: ScanOutcome): Record<string, string | boolean | string[]> {
  return {
    scan_id: outcome.scanId,
    action: outcome.action,
    policy_version: outcome.policyVersion,
    threat_types: outcome.threatTypes,
    partial: outcome.partial,
  };
}
