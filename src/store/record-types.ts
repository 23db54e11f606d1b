/** Scan records and threat detections as the store reads and writes them (no content, ever). */
import type { ActionName, DirectionName, SeverityName, ThreatTypeName } from '../detectors/types.js';

/** One threat summary of one scan: the findings of one rule. */
export interface ThreatSummaryData {
  type: ThreatTypeName;
  severity: SeverityName;
  ruleId: string;
  detector: string;
  entityType: string;
  /** At least 1. */
  count: number;
  action: ActionName;
}

/** One scan record. */
export interface ScanRecordData {
  /** UUID. */
  scanId: string;
  tenantId: string;
  /** ISO-8601 with up to microseconds. */
  occurredAt: string;
  direction: DirectionName;
  action: ActionName;
  requestId: string;
  agentId: string;
  sidecarId: string;
  policyId: string;
  policyVersion: string;
  /** A keyed hash chosen by the sidecar, never the content. */
  contentHash: string;
  /** Code points. */
  contentLength: number;
  entityCounts: Record<string, number>;
  threats: ThreatSummaryData[];
  latencyMs: number;
}

/** One threat detection with its scan's context. */
export interface ThreatDetectionData extends ThreatSummaryData {
  /** "<scan_id>/<ordinal>". */
  detectionId: string;
  scanId: string;
  occurredAt: string;
  direction: DirectionName;
  agentId: string;
  policyVersion: string;
}

/** Selects records or detections; unset fields do not filter. */
export interface RecordFilterData {
  /** Inclusive, ISO-8601. */
  startTime?: string;
  /** Exclusive, ISO-8601. */
  endTime?: string;
  actions?: ActionName[];
  threatTypes?: ThreatTypeName[];
  agentId?: string;
  direction?: DirectionName;
}

/** The outcome of one ingest call. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** Aggregates of one tenant over one window. */
export interface TenantMetricsData {
  scanCount: bigint;
  actionCounts: Record<ActionName, bigint>;
  threatsByType: { type: ThreatTypeName; scanCount: bigint; findingCount: bigint }[];
  /** 0 when there were no scans. */
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
}
