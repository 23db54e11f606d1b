/**
 * What an alert is about: the content-free facts of one security event (a threat found by a
 * scan, or an agent action denied). Shaped after the SecurityEvent JSON form (src/events/);
 * the webhook code depends only on this so formats, filters and delivery stay testable alone.
 *
 * Never add a field that can carry scanned text, parameter values or PII: types, severities,
 * rule ids, counts, ids and versions only.
 */
import type { SeverityName } from '../../detectors/types.js';

export type { SeverityName };

/** Why the event is alert-worthy. */
export type AlertEventKind = 'THREAT_DETECTED' | 'ACTION_DENIED';

/** One kind of finding, counted (a scan with three e-mail addresses is one summary, count 3). */
export interface AlertThreat {
  type: string;
  severity: SeverityName;
  ruleId: string;
  detector: string;
  /** PII entity or secret kind ("EMAIL_ADDRESS", "AWS_ACCESS_KEY"); empty otherwise. */
  entityType: string;
  count: number;
}

export interface AlertEvent {
  /** Unique per event: receivers de-duplicate on it (delivery is at-least-once). */
  eventId: string;
  kind: AlertEventKind;
  /** ISO 8601 time of the decision. */
  time: string;
  tenantId: string;
  sidecarId: string;
  agentId: string;
  requestId: string;
  /** INPUT / OUTPUT for scans; empty for agent actions. */
  direction: string;
  /** The decision: a scan action (BLOCK, REDACT, WARN, ALLOW) or an action verdict (DENY). */
  decision: string;
  /** Agent actions: the reason code (POLICY_RULE, AGENT_QUARANTINED, …) and matched rule id. */
  reasonCode: string;
  ruleId: string;
  /** Agent actions: the action type (TOOL_CALL, HTTP_REQUEST, …) and, for tool calls, the tool's name. */
  actionType: string;
  toolName: string;
  threats: AlertThreat[];
  policyVersion: string;
}

export const SEVERITY_RANK: Readonly<Record<SeverityName, number>> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };
export const SEVERITIES = Object.keys(SEVERITY_RANK) as SeverityName[];

/** The most severe threat of an event; undefined when it has none (a denied action may not). */
export function highestSeverity(event: AlertEvent): SeverityName | undefined {
  let best: SeverityName | undefined;
  for (const t of event.threats) if (best === undefined || SEVERITY_RANK[t.severity] > SEVERITY_RANK[best]) best = t.severity;
  return best;
}
