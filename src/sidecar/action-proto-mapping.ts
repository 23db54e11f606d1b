/**
 * Pure translation between AgentActionService messages and the action engine's plain shapes.
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import {
  ActionDecisionKind,
  ActionDecisionSchema,
  ActionType,
  AgentHealth,
  AgentStatusSchema,
  ReasonCode,
  type ActionDecision,
  type ActionRequest,
  type AgentStatus,
} from '../../gen/bulwark/v1/action_service_pb.js';
import type { ActionDecisionData, ActionRequestData, AgentActionTypeName, AgentHealthName, AgentStatusData } from '../actions/action-names.js';
import { checkDecoded } from './content-limits.js';
import { threatMessage } from './proto-mapping.js';
import { RpcError } from './status-errors.js';

/** ActionType enum → name; UNSPECIFIED and unknown numbers are refused. */
export function actionTypeName(type: ActionType): AgentActionTypeName {
  if (type === ActionType.UNSPECIFIED) throw new RpcError(status.INVALID_ARGUMENT, 'action_type is required');
  const name = ActionType[type] as AgentActionTypeName | undefined;
  if (name === undefined) throw new RpcError(status.INVALID_ARGUMENT, `action_type ${String(type)} is not a known ActionType`);
  return name;
}

export function actionRequestData(msg: ActionRequest): ActionRequestData {
  checkDecoded(msg);
  return {
    tenantId: msg.tenantId,
    agentId: msg.agentId,
    sessionId: msg.sessionId,
    actionType: actionTypeName(msg.actionType),
    target: msg.target,
    parameters: msg.parameters ?? {},
    declaredGoal: msg.declaredGoal,
    requestId: msg.requestId || randomUUID(),
    policyId: msg.policyId,
  };
}

export function actionDecisionMessage(d: ActionDecisionData): ActionDecision {
  return create(ActionDecisionSchema, {
    decision: ActionDecisionKind[d.decision],
    allowed: d.decision === 'ALLOW',
    reasonCode: ReasonCode[d.reasonCode],
    matchedRuleId: d.matchedRuleId,
    reasons: d.reasons,
    threats: d.threats.map(threatMessage),
    anomalyScore: d.anomalyScore,
    agentHealth: AgentHealth[d.agentHealth],
    behaviourScore: d.behaviourScore,
    retryAfterMs: d.retryAfterMs,
    auditEntryId: d.auditEntryId,
    auditHash: d.auditHash,
    latencyMs: d.latencyMs,
    policyVersion: d.policyVersion,
    requestId: d.requestId,
    tenantId: d.tenantId,
  });
}

export function agentStatusMessage(s: AgentStatusData): AgentStatus {
  return create(AgentStatusSchema, {
    tenantId: s.tenantId,
    agentId: s.agentId,
    health: AgentHealth[s.health],
    behaviourScore: s.behaviourScore,
    quarantined: s.quarantined,
    quarantineReason: s.quarantineReason,
    actionsObserved: BigInt(s.actionsObserved),
    anomalies: BigInt(s.anomalies),
    registered: s.registered,
    owner: s.owner,
    lastActionUnixMs: BigInt(s.lastActionUnixMs),
  });
}

/** The health filter of ListAgents: UNSPECIFIED = all. */
export function healthFilter(health: AgentHealth): AgentHealthName | undefined {
  if (health === AgentHealth.UNSPECIFIED) return undefined;
  const name = AgentHealth[health] as AgentHealthName | undefined;
  if (name === undefined) throw new RpcError(status.INVALID_ARGUMENT, `health ${String(health)} is not a known AgentHealth`);
  return name;
}
