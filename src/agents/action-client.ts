/**
 * A grpc-js client for bulwark.v1.AgentActionService that speaks the engine's plain shapes
 * (ActionRequestData in, ActionDecisionData out), so agent code and guardTool need no
 * protobuf types.
 */
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import {
  ActionDecisionKind,
  ActionRequestSchema,
  ActionType,
  AgentActionService,
  AgentHealth,
  GetAgentStatusRequestSchema,
  ListAgentsRequestSchema,
  ReasonCode,
  ReleaseAgentRequestSchema,
  type ActionDecision,
  type AgentStatus,
  type GetAgentStatusResponse,
  type ListAgentsResponse,
  type ReleaseAgentResponse,
} from '../../gen/bulwark/v1/action_service_pb.js';
import type { ActionDecisionData, ActionRequestData, ActionVerdictName, AgentHealthName, AgentStatusData, ReasonCodeName } from '../actions/action-names.js';
import type { ThreatTypeName } from '../detectors/types.js';
import { grpcServiceDefinition } from '../sidecar/grpc-service-definition.js';
import { ThreatType } from '../../gen/bulwark/v1/threat_pb.js';

/** What a caller fills in; everything but agentId and actionType has a default. */
export type ActionCheck = Partial<ActionRequestData> & Pick<ActionRequestData, 'agentId' | 'actionType'>;

/** Anything that decides actions: the gRPC client below, or an in-process AgentActionRuntime. */
export interface ActionChecker {
  checkAction(request: ActionRequestData): Promise<ActionDecisionData>;
}

export interface AgentActionClient extends ActionChecker {
  getAgentStatus(tenantId: string, agentId: string): Promise<AgentStatusData>;
  listAgents(tenantId: string, health?: AgentHealthName): Promise<AgentStatusData[]>;
  releaseAgent(tenantId: string, agentId: string, releasedBy: string, reason: string): Promise<AgentStatusData>;
  close(): void;
}

export interface AgentActionClientOptions {
  /** Per-call deadline; default 1000 ms. */
  deadlineMs?: number;
  /** Sent as `authorization: Bearer` on ReleaseAgent. */
  adminToken?: string;
  channelOptions?: grpc.ChannelOptions;
}

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
interface RawClient extends grpc.Client {
  CheckAction(req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<ActionDecision>): grpc.ClientUnaryCall;
  GetAgentStatus(req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<GetAgentStatusResponse>): grpc.ClientUnaryCall;
  ListAgents(req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<ListAgentsResponse>): grpc.ClientUnaryCall;
  ReleaseAgent(req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback<ReleaseAgentResponse>): grpc.ClientUnaryCall;
}

const Client = grpc.makeGenericClientConstructor(grpcServiceDefinition(AgentActionService), 'AgentActionService');

export function decisionData(d: ActionDecision): ActionDecisionData {
  return {
    decision: (ActionDecisionKind[d.decision] ?? 'DENY') as ActionVerdictName,
    reasonCode: (ReasonCode[d.reasonCode] ?? 'UNSPECIFIED') as ReasonCodeName,
    matchedRuleId: d.matchedRuleId,
    reasons: d.reasons,
    threats: d.threats.map((t) => ({
      type: ThreatType[t.type] as ThreatTypeName,
      severity: 'HIGH',
      confidence: t.confidence,
      detector: t.detector,
      ruleId: t.ruleId,
      spans: [],
      entityType: t.entityType,
      owaspId: t.owaspId,
      atlasTechnique: t.atlasTechnique,
      description: t.description,
      action: 'BLOCK',
    })),
    anomalyScore: d.anomalyScore,
    agentHealth: (AgentHealth[d.agentHealth] ?? 'HEALTHY') as AgentHealthName,
    behaviourScore: d.behaviourScore,
    retryAfterMs: d.retryAfterMs,
    auditEntryId: d.auditEntryId,
    auditHash: d.auditHash,
    latencyMs: d.latencyMs,
    policyVersion: d.policyVersion,
    requestId: d.requestId,
    tenantId: d.tenantId,
  };
}

function statusData(s: AgentStatus | undefined): AgentStatusData {
  return {
    tenantId: s?.tenantId ?? '',
    agentId: s?.agentId ?? '',
    health: (AgentHealth[s?.health ?? AgentHealth.HEALTHY] ?? 'HEALTHY') as AgentHealthName,
    behaviourScore: s?.behaviourScore ?? 1,
    quarantined: s?.quarantined ?? false,
    quarantineReason: s?.quarantineReason ?? '',
    actionsObserved: Number(s?.actionsObserved ?? 0n),
    anomalies: Number(s?.anomalies ?? 0n),
    registered: s?.registered ?? false,
    owner: s?.owner ?? '',
    lastActionUnixMs: Number(s?.lastActionUnixMs ?? 0n),
  };
}

/** Connects to a sidecar at "host:port" (or "unix:/path"). */
export function createAgentActionClient(address: string, options: AgentActionClientOptions = {}): AgentActionClient {
  const raw = new Client(address, grpc.credentials.createInsecure(), options.channelOptions ?? {}) as unknown as RawClient;
  const opts = (): grpc.CallOptions => ({ deadline: Date.now() + (options.deadlineMs ?? 1_000) });
  const call = <T>(fn: (cb: Callback<T>) => void): Promise<T> => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
  return {
    checkAction: async (r) => {
      const msg = create(ActionRequestSchema, {
        tenantId: r.tenantId,
        agentId: r.agentId,
        sessionId: r.sessionId,
        actionType: ActionType[r.actionType],
        target: r.target,
        parameters: r.parameters as Record<string, never>,
        declaredGoal: r.declaredGoal,
        requestId: r.requestId,
        policyId: r.policyId,
      });
      return decisionData(await call<ActionDecision>((cb) => raw.CheckAction(msg, new grpc.Metadata(), opts(), cb)));
    },
    getAgentStatus: async (tenantId, agentId) => {
      const res = await call<GetAgentStatusResponse>((cb) => raw.GetAgentStatus(create(GetAgentStatusRequestSchema, { tenantId, agentId }), new grpc.Metadata(), opts(), cb));
      return statusData(res.status);
    },
    listAgents: async (tenantId, health) => {
      const msg = create(ListAgentsRequestSchema, { tenantId, health: health ? AgentHealth[health] : AgentHealth.UNSPECIFIED });
      const res = await call<ListAgentsResponse>((cb) => raw.ListAgents(msg, new grpc.Metadata(), opts(), cb));
      return res.agents.map(statusData);
    },
    releaseAgent: async (tenantId, agentId, releasedBy, reason) => {
      const md = new grpc.Metadata();
      if (options.adminToken) md.set('authorization', `Bearer ${options.adminToken}`);
      const msg = create(ReleaseAgentRequestSchema, { tenantId, agentId, releasedBy, reason });
      const res = await call<ReleaseAgentResponse>((cb) => raw.ReleaseAgent(msg, md, opts(), cb));
      return statusData(res.status);
    },
    close: () => raw.close(),
  };
}

/** Fills in the defaults of an ActionCheck. */
export function actionRequest(check: ActionCheck): ActionRequestData {
  return { tenantId: '', sessionId: '', target: '', parameters: {}, declaredGoal: '', requestId: '', policyId: '', ...check };
}
