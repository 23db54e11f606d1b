/** Scan records, threat detections and filters: protobuf ↔ store data. */
import type { MessageInitShape } from '@bufbuild/protobuf';
import type {
  RecordFilter,
  ScanRecord,
  ScanRecordSchema,
  ThreatDetectionSchema,
  ThreatSummary,
} from '../../../gen/bulwark/v1/scan_record_pb.js';
import type { RecordFilterData, ScanRecordData, ThreatDetectionData, ThreatSummaryData } from '../../store/record-types.js';
import { invalidArgument } from '../grpc/status-errors.js';
import {
  actionFromProto,
  actionToProto,
  directionFromProto,
  directionToProto,
  isoFromTimestamp,
  severityFromProto,
  severityToProto,
  threatTypeFromProto,
  threatTypeToProto,
  timestampFromIso,
} from './proto-values.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHORT_TEXT = 128;
const MAX_THREATS = 200;
const MAX_ENTITY_KINDS = 100;
/** Sidecar clocks drift, but a record from the far future would sort first for months and dodge retention. */
const MAX_FUTURE_MS = 24 * 3600_000;

function shortText(value: string, field: string, limit = SHORT_TEXT): string {
  if (value.length > limit) throw invalidArgument(`${field} is longer than ${limit} characters`);
  return value;
}

export function filterFromProto(filter: RecordFilter | undefined): RecordFilterData {
  if (!filter) return {};
  const out: RecordFilterData = {};
  if (filter.startTime) out.startTime = isoFromTimestamp(filter.startTime, 'filter.start_time');
  if (filter.endTime) out.endTime = isoFromTimestamp(filter.endTime, 'filter.end_time');
  if (out.startTime && out.endTime && out.startTime >= out.endTime) throw invalidArgument('filter.start_time must be before filter.end_time');
  if (filter.actions.length) out.actions = filter.actions.map((a, i) => actionFromProto(a, `filter.actions[${i}]`));
  if (filter.threatTypes.length) out.threatTypes = filter.threatTypes.map((t, i) => threatTypeFromProto(t, `filter.threat_types[${i}]`));
  if (filter.agentId) out.agentId = shortText(filter.agentId, 'filter.agent_id');
  if (filter.direction) out.direction = directionFromProto(filter.direction, 'filter.direction');
  return out;
}

function summaryFromProto(t: ThreatSummary, field: string): ThreatSummaryData {
  return {
    type: threatTypeFromProto(t.type, `${field}.type`),
    severity: severityFromProto(t.severity, `${field}.severity`),
    ruleId: shortText(t.ruleId, `${field}.rule_id`),
    detector: shortText(t.detector, `${field}.detector`),
    entityType: shortText(t.entityType, `${field}.entity_type`, 64),
    count: Math.max(1, t.count),
    action: actionFromProto(t.action, `${field}.action`),
  };
}

/**
 * Validates one ingested record. `tenantId` is already resolved (record's or token's).
 * Everything is bounded: records hold identifiers and counts, never content.
 */
export function scanRecordFromProto(r: ScanRecord, tenantId: string, field: string, now: Date = new Date()): ScanRecordData {
  if (!UUID.test(r.scanId)) throw invalidArgument(`${field}.scan_id must be a UUID`);
  if (!r.time) throw invalidArgument(`${field}.time is required`);
  if (!Number.isFinite(r.latencyMs) || r.latencyMs < 0) throw invalidArgument(`${field}.latency_ms must be a non-negative number`);
  if (r.threats.length > MAX_THREATS) throw invalidArgument(`${field}.threats has more than ${MAX_THREATS} entries`);
  const entityCounts = Object.entries(r.entityCounts);
  if (entityCounts.length > MAX_ENTITY_KINDS) throw invalidArgument(`${field}.entity_counts has more than ${MAX_ENTITY_KINDS} keys`);
  for (const [kind] of entityCounts) shortText(kind, `${field}.entity_counts key`, 64);
  const occurredAt = isoFromTimestamp(r.time, `${field}.time`);
  if (Date.parse(occurredAt) > now.getTime() + MAX_FUTURE_MS) throw invalidArgument(`${field}.time is more than a day in the future`);
  return {
    scanId: r.scanId.toLowerCase(),
    tenantId,
    occurredAt,
    direction: directionFromProto(r.direction, `${field}.direction`),
    action: actionFromProto(r.action, `${field}.action`),
    requestId: shortText(r.requestId, `${field}.request_id`),
    agentId: shortText(r.agentId, `${field}.agent_id`),
    sidecarId: shortText(r.sidecarId, `${field}.sidecar_id`),
    policyId: shortText(r.policyId, `${field}.policy_id`),
    policyVersion: shortText(r.policyVersion, `${field}.policy_version`),
    contentHash: shortText(r.contentHash, `${field}.content_hash`, 200),
    contentLength: r.contentLength,
    entityCounts: Object.fromEntries(entityCounts),
    threats: r.threats.map((t, i) => summaryFromProto(t, `${field}.threats[${i}]`)),
    latencyMs: r.latencyMs,
  };
}

export function toScanRecordMessage(r: ScanRecordData): MessageInitShape<typeof ScanRecordSchema> {
  return {
    scanId: r.scanId,
    tenantId: r.tenantId,
    time: timestampFromIso(r.occurredAt),
    direction: directionToProto(r.direction),
    action: actionToProto(r.action),
    requestId: r.requestId,
    agentId: r.agentId,
    sidecarId: r.sidecarId,
    policyId: r.policyId,
    policyVersion: r.policyVersion,
    contentHash: r.contentHash,
    contentLength: r.contentLength,
    entityCounts: r.entityCounts,
    threats: r.threats.map((t) => ({
      type: threatTypeToProto(t.type),
      severity: severityToProto(t.severity),
      ruleId: t.ruleId,
      detector: t.detector,
      entityType: t.entityType,
      count: t.count,
      action: actionToProto(t.action),
    })),
    latencyMs: r.latencyMs,
  };
}

export function toDetectionMessage(d: ThreatDetectionData): MessageInitShape<typeof ThreatDetectionSchema> {
  return {
    detectionId: d.detectionId,
    scanId: d.scanId,
    time: timestampFromIso(d.occurredAt),
    type: threatTypeToProto(d.type),
    severity: severityToProto(d.severity),
    ruleId: d.ruleId,
    detector: d.detector,
    entityType: d.entityType,
    count: d.count,
    action: actionToProto(d.action),
    direction: directionToProto(d.direction),
    agentId: d.agentId,
    policyVersion: d.policyVersion,
  };
}
