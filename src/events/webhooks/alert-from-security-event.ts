/**
 * SecurityEvent JSON form (proto/bulwark/v1/security_event.proto, proto3 JSON names) →
 * {@link AlertEvent}. Only THREAT_DETECTED and ACTION_DENIED events can alert; the others
 * (and anything unreadable) give undefined. Enum names lose their prefixes
 * ("SEVERITY_HIGH" → "HIGH") for the chat formats; the JSON itself is sent as is.
 */
import { SEVERITY_RANK, type AlertEvent, type AlertThreat, type SeverityName } from './alert-event.js';

type Json = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

function unprefixed(v: unknown, prefix: string): string {
  const s = str(v);
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

function severity(v: unknown): SeverityName | undefined {
  const s = unprefixed(v, 'SEVERITY_');
  return s in SEVERITY_RANK ? (s as SeverityName) : undefined;
}

function threats(list: unknown): AlertThreat[] {
  if (!Array.isArray(list)) return [];
  const out: AlertThreat[] = [];
  for (const raw of list) {
    const t = obj(raw);
    const sev = severity(t.severity);
    if (!sev) continue;
    out.push({
      type: unprefixed(t.type, 'THREAT_TYPE_'),
      severity: sev,
      ruleId: str(t.ruleId),
      detector: str(t.detector),
      entityType: str(t.entityType),
      count: typeof t.count === 'number' && t.count > 0 ? t.count : 1,
    });
  }
  return out;
}

export function alertFromSecurityEvent(json: unknown): AlertEvent | undefined {
  const e = obj(json);
  const type = unprefixed(e.type, 'SECURITY_EVENT_TYPE_');
  if (type !== 'THREAT_DETECTED' && type !== 'ACTION_DENIED') return undefined;
  const eventId = str(e.eventId);
  if (!eventId) return undefined;
  const scan = obj(e.scan);
  const action = obj(e.action);
  const common = {
    eventId,
    time: str(e.time),
    tenantId: str(e.tenantId),
    sidecarId: str(e.sidecarId),
    agentId: str(e.agentId),
    requestId: str(e.requestId),
    policyVersion: str(e.policyVersion),
  };
  if (type === 'THREAT_DETECTED') {
    return {
      ...common,
      kind: 'THREAT_DETECTED',
      direction: unprefixed(scan.direction, 'DIRECTION_'),
      decision: unprefixed(scan.action, 'ACTION_'),
      reasonCode: '',
      ruleId: '',
      actionType: '',
      toolName: '',
      threats: threats(scan.threats),
    };
  }
  return {
    ...common,
    kind: 'ACTION_DENIED',
    direction: '',
    decision: unprefixed(action.decision, 'ACTION_DECISION_KIND_'),
    reasonCode: unprefixed(action.reasonCode, 'REASON_CODE_'),
    ruleId: str(action.matchedRuleId),
    actionType: unprefixed(action.actionType, 'ACTION_TYPE_'),
    toolName: str(action.toolName),
    threats: threats(action.threats),
  };
}
