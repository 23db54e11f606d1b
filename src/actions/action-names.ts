/**
 * The plain names CheckAction uses inside the process (the proto's enums without prefixes),
 * and the request/decision shapes the engine works on. Transports map to and from proto.
 */
import type { ThreatResult } from '../engine/types.js';
import type { ActionVerdictName, AgentActionTypeName } from '../policy/types.js';

export type { ActionVerdictName, AgentActionTypeName } from '../policy/types.js';

export type ReasonCodeName =
  | 'RULE'
  | 'DEFAULT_DECISION'
  | 'UNKNOWN_AGENT'
  | 'ACTION_NOT_PERMITTED'
  | 'HOST_NOT_ALLOWED'
  | 'PATH_NOT_ALLOWED'
  | 'DANGEROUS_COMMAND'
  | 'PRIVILEGE_ESCALATION'
  | 'DATA_EXFILTRATION'
  | 'SENSITIVE_PATH'
  | 'SUSPICIOUS_URL'
  | 'RETRY_LATER'
  | 'AGENT_QUARANTINED'
  | 'ANOMALY'
  | 'GOAL_MISMATCH'
  | 'STATE_UNAVAILABLE'
  | 'PARAMETER';

export type AgentHealthName = 'HEALTHY' | 'SUSPICIOUS' | 'COMPROMISED';

/** A JSON object (google.protobuf.Struct). */
export type JsonParameters = Readonly<Record<string, unknown>>;

/** One action to decide. */
export interface ActionRequestData {
  tenantId: string;
  agentId: string;
  sessionId: string;
  actionType: AgentActionTypeName;
  target: string;
  parameters: JsonParameters;
  declaredGoal: string;
  requestId: string;
  policyId: string;
}

/** The decision on one action. */
export interface ActionDecisionData {
  decision: ActionVerdictName;
  reasonCode: ReasonCodeName;
  matchedRuleId: string;
  reasons: string[];
  threats: ThreatResult[];
  anomalyScore: number;
  agentHealth: AgentHealthName;
  behaviourScore: number;
  retryAfterMs: number;
  auditEntryId: string;
  auditHash: string;
  latencyMs: number;
  policyVersion: string;
  requestId: string;
  tenantId: string;
}

/** An agent's behavioural status (GetAgentStatus / ListAgents). */
export interface AgentStatusData {
  tenantId: string;
  agentId: string;
  health: AgentHealthName;
  behaviourScore: number;
  quarantined: boolean;
  quarantineReason: string;
  actionsObserved: number;
  anomalies: number;
  registered: boolean;
  owner: string;
  lastActionUnixMs: number;
}
