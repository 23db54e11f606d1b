/**
 * Pure builders of SecurityEvent messages from what the sidecar already has: a content-free
 * scan record (scan-record-sink.ts), a CheckAction decision, two policy sets. Nothing here
 * sees scanned content or action parameters, so nothing here can leak them.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { ActionDecisionKind, ActionType, AgentHealth, ReasonCode } from '../../gen/bulwark/v1/action_service_pb.js';
import { PolicySource, SecurityEventSchema, SecurityEventType, type SecurityEvent } from '../../gen/bulwark/v1/security_event_pb.js';
import { Severity } from '../../gen/bulwark/v1/threat_pb.js';
import type { ActionDecisionData, ActionRequestData } from '../actions/action-names.js';
import { toScanRecordMessage } from '../control/services/record-messages.js';
import type { PolicySet } from '../policy/types.js';
import { summarize } from '../sidecar/scan-record-sink.js';
import type { ScanRecordData, ThreatSummaryData } from '../store/record-types.js';
import { uuidv7 } from './event-id.js';

const MAX_ID = 128;

type EventInit = MessageInitShape<typeof SecurityEventSchema>;

function event(type: SecurityEventType, atMs: number, fields: EventInit): SecurityEvent {
  return create(SecurityEventSchema, { ...fields, eventId: uuidv7(), time: timestampFromMs(atMs), type });
}

/** THREAT_DETECTED when the scan found anything, else SCAN_COMPLETED. */
export function scanEventType(record: ScanRecordData): SecurityEventType {
  return record.threats.length > 0 ? SecurityEventType.THREAT_DETECTED : SecurityEventType.SCAN_COMPLETED;
}

/** The event of one finished scan (its record carries no content, only summaries). */
export function scanEvent(record: ScanRecordData): SecurityEvent {
  const message = toScanRecordMessage(record);
  const threats = message.threats ?? [];
  const maxSeverity = threats.reduce((max, t) => Math.max(max, t.severity ?? 0), Severity.UNSPECIFIED);
  return event(scanEventType(record), Date.parse(record.occurredAt), {
    tenantId: record.tenantId,
    sidecarId: record.sidecarId,
    agentId: record.agentId,
    requestId: record.requestId,
    policyId: record.policyId,
    policyVersion: record.policyVersion,
    latencyMs: record.latencyMs,
    detail: {
      case: 'scan',
      value: {
        scanId: record.scanId,
        direction: message.direction,
        action: message.action,
        threats,
        entityCounts: record.entityCounts,
        maxSeverity,
        contentLength: record.contentLength,
      },
    },
  });
}

/** Whether a CheckAction decision is reported (ACTION_DENIED): DENY and REQUIRE_APPROVAL. */
export function isReportedDecision(decision: ActionDecisionData): boolean {
  return decision.decision !== 'ALLOW';
}

/**
 * The event of one denied (or held for approval) action. Only the tool name of a TOOL_CALL
 * is kept from the target: other targets are URLs, paths or queries that can carry data.
 */
export function actionEvent(req: ActionRequestData, decision: ActionDecisionData, sidecarId: string, atMs: number = Date.now()): SecurityEvent {
  const summaries = new Map<string, ThreatSummaryData>();
  summarize(decision.threats, summaries, {});
  const threats = toScanRecordMessage({ ...EMPTY_RECORD, threats: [...summaries.values()] }).threats ?? [];
  return event(SecurityEventType.ACTION_DENIED, atMs, {
    tenantId: decision.tenantId || req.tenantId || 'default',
    sidecarId,
    agentId: req.agentId.slice(0, MAX_ID),
    requestId: decision.requestId.slice(0, MAX_ID),
    policyId: req.policyId.slice(0, MAX_ID),
    policyVersion: decision.policyVersion,
    latencyMs: decision.latencyMs,
    detail: {
      case: 'action',
      value: {
        actionType: ActionType[req.actionType],
        toolName: req.actionType === 'TOOL_CALL' ? req.target.slice(0, MAX_ID) : '',
        decision: ActionDecisionKind[decision.decision],
        reasonCode: ReasonCode[decision.reasonCode],
        matchedRuleId: decision.matchedRuleId.slice(0, MAX_ID),
        threats,
        agentHealth: AgentHealth[decision.agentHealth],
      },
    },
  });
}

/** A record with nothing in it, to reuse the record → message mapping for bare summaries. */
const EMPTY_RECORD: ScanRecordData = {
  scanId: '',
  tenantId: '',
  occurredAt: new Date(0).toISOString(),
  direction: 'INPUT',
  action: 'ALLOW',
  requestId: '',
  agentId: '',
  sidecarId: '',
  policyId: '',
  policyVersion: '',
  contentHash: '',
  contentLength: 0,
  entityCounts: {},
  threats: [],
  latencyMs: 0,
};

/**
 * One POLICY_CHANGED event per (tenant, policy id) whose version differs between the sets
 * (added, changed or removed), keyed by that tenant; one tenant-less event when only the
 * set's own settings changed.
 */
export function policyChangeEvents(previous: PolicySet, next: PolicySet, source: PolicySource, sidecarId: string, atMs: number = Date.now()): SecurityEvent[] {
  if (previous.version === next.version) return [];
  const out: SecurityEvent[] = [];
  const change = (tenantId: string, policyId: string, previousVersion: string, newVersion: string): void => {
    out.push(
      event(SecurityEventType.POLICY_CHANGED, atMs, {
        tenantId,
        sidecarId,
        policyId,
        policyVersion: newVersion,
        detail: { case: 'policyChange', value: { previousVersion, newVersion, source } },
      }),
    );
  };
  for (const tenantId of new Set([...Object.keys(previous.tenants), ...Object.keys(next.tenants)])) {
    const before = previous.tenants[tenantId] ?? {};
    const after = next.tenants[tenantId] ?? {};
    for (const policyId of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const was = before[policyId]?.version ?? '';
      const is = after[policyId]?.version ?? '';
      if (was !== is) change(tenantId, policyId, was, is);
    }
  }
  if (out.length === 0) change('', '', previous.version, next.version);
  return out;
}

export { PolicySource };
