/**
 * bulwark.v1.AgentActionService on the sidecar (gRPC and Connect, same port as the scan
 * service): builds the action runtime (state store, audit log) from the sidecar's options and
 * adapts both transports to it. CheckAction runs on the main thread (see action-runtime.ts).
 *
 * ReleaseAgent is an admin call: with an admin token configured (BULWARK_ADMIN_TOKEN), it
 * needs `authorization: Bearer <token>`; an agent talking to its sidecar must not be able to
 * lift its own quarantine. Without a token, anyone who can reach the (localhost) port may.
 */
import { timingSafeEqual } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import type { Code } from '@connectrpc/connect';
import { ConnectError, type ConnectRouter, type HandlerContext } from '@connectrpc/connect';
import { status, type Metadata, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  AgentActionService,
  GetAgentStatusResponseSchema,
  ListAgentsResponseSchema,
  ReleaseAgentResponseSchema,
  type ActionDecision,
  type ActionRequest,
  type GetAgentStatusRequest,
  type GetAgentStatusResponse,
  type ListAgentsRequest,
  type ListAgentsResponse,
  type ReleaseAgentRequest,
  type ReleaseAgentResponse,
} from '../../gen/bulwark/v1/action_service_pb.js';
import type { ActionDecisionData, ActionRequestData } from '../actions/action-names.js';
import { AgentActionRuntime } from '../actions/action-runtime.js';
import { warmExfiltrationDetectors } from '../actions/exfiltration-check.js';
import type { ActionStateStore } from '../actions/state/action-state-store.js';
import { RedisStateStore } from '../actions/state/redis-state-store.js';
import type { AuditCheckpoint } from '../audit/audit-chain.js';
import { AuditLogWriter } from '../audit/audit-log-writer.js';
import type { PolicySet } from '../policy/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { ActionMetrics } from '../telemetry/metrics/action-metrics.js';
import { annotateCheckAction } from '../telemetry/tracing/action-span-attributes.js';
import { traceConnectUnary, traceGrpcUnary } from '../telemetry/tracing/traced-calls.js';
import { actionDecisionMessage, actionRequestData, agentStatusMessage, healthFilter } from './action-proto-mapping.js';
import type { CallTracker } from './call-tracker.js';
import { checkDecoded } from './content-limits.js';
import { grpcServiceDefinition } from './grpc-service-definition.js';
import { RpcError, toRpcError } from './status-errors.js';

/** Sidecar options for agent actions; all optional. */
export interface AgentActionOptions {
  /** Shared state (rate limits, behaviour, quarantine) in Redis; default in-process. */
  redisUrl?: string;
  /** Key prefix in Redis (default "bulwark:"). */
  redisKeyPrefix?: string;
  /** Append every decision to this hash-chained audit log file. */
  auditLog?: string;
  /** HMAC key for the audit chain and digests (BULWARK_AUDIT_HMAC_KEY). */
  auditHmacKey?: string;
  /** Rotate the audit log at this size (default 64 MiB). */
  auditMaxFileBytes?: number;
  /** Required (as a bearer token) by ReleaseAgent when set. */
  adminToken?: string;
  /** Called with every audit checkpoint written (shipped to the control plane); must not throw or block. */
  onAuditCheckpoint?: (checkpoint: AuditCheckpoint) => void;
  /** Called with every CheckAction decision (security events); must not throw or block. */
  onDecision?: (req: ActionRequestData, decision: ActionDecisionData) => void;
}

export interface SidecarAgentActions {
  runtime: AgentActionRuntime;
  /** The audit log, when configured (Scan decisions go there too when a policy asks). */
  audit: AuditLogWriter | undefined;
  grpc: { definition: ReturnType<typeof grpcServiceDefinition>; implementation: UntypedServiceImplementation };
  connectRoutes(router: ConnectRouter): void;
  close(): Promise<void>;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function authorize(token: string | undefined, header: string | undefined): void {
  if (token && !bearerMatches(header, token)) throw new RpcError(status.PERMISSION_DENIED, 'ReleaseAgent needs the sidecar admin token');
}

function firstHeader(metadata: Metadata): string | undefined {
  const v = metadata.get('authorization')[0];
  return typeof v === 'string' ? v : undefined;
}

/** Builds the runtime (connecting Redis and opening the audit log when configured). */
export async function startAgentActions(
  options: AgentActionOptions,
  policySet: () => PolicySet,
  calls: CallTracker,
  logger: Logger,
  metrics?: ActionMetrics,
): Promise<SidecarAgentActions> {
  const store: ActionStateStore | undefined = options.redisUrl
    ? await RedisStateStore.connect({ url: options.redisUrl, keyPrefix: options.redisKeyPrefix, logger })
    : undefined;
  const audit = options.auditLog
    ? await AuditLogWriter.open({
        path: options.auditLog,
        hmacKey: options.auditHmacKey,
        maxFileBytes: options.auditMaxFileBytes,
        logger,
        onCheckpoint: options.onAuditCheckpoint,
      })
    : undefined;
  const runtime = new AgentActionRuntime({ policySet, store, audit, auditKey: options.auditHmacKey, logger });
  // Build the PII/secret detectors now, not on the first action bound for an external host.
  for (const policies of Object.values(policySet().tenants)) for (const p of Object.values(policies)) warmExfiltrationDetectors(p);
  logger.info({ state: runtime.stateKind, auditLog: options.auditLog ?? null }, 'agent action service ready');

  /** Runs one unary call under the drain tracker. */
  const tracked = async <T>(work: () => Promise<T>): Promise<T> => {
    const end = calls.begin();
    try {
      return await work();
    } finally {
      end();
    }
  };
  const handlers = {
    checkAction: (req: ActionRequest): Promise<ActionDecision> =>
      tracked(async () => {
        const request = actionRequestData(req);
        const decision = await runtime.checkAction(request);
        metrics?.decided(request, decision);
        options.onDecision?.(request, decision);
        annotateCheckAction(request, decision);
        return actionDecisionMessage(decision);
      }),
    getAgentStatus: (req: GetAgentStatusRequest): Promise<GetAgentStatusResponse> =>
      tracked(async () => {
        checkDecoded(req);
        const s = await runtime.agentStatus(req.tenantId, req.agentId);
        if (!s) throw new RpcError(status.NOT_FOUND, 'the agent is neither registered nor seen');
        return create(GetAgentStatusResponseSchema, { status: agentStatusMessage(s) });
      }),
    listAgents: (req: ListAgentsRequest): Promise<ListAgentsResponse> =>
      tracked(async () => {
        checkDecoded(req);
        const agents = await runtime.listAgents(req.tenantId, healthFilter(req.health));
        return create(ListAgentsResponseSchema, { agents: agents.map(agentStatusMessage) });
      }),
    releaseAgent: (req: ReleaseAgentRequest, authorization: string | undefined): Promise<ReleaseAgentResponse> =>
      tracked(async () => {
        checkDecoded(req);
        authorize(options.adminToken, authorization);
        const s = await runtime.releaseAgent(req.tenantId, req.agentId, req.releasedBy, req.reason);
        if (!s) throw new RpcError(status.NOT_FOUND, 'the agent was never seen');
        return create(ReleaseAgentResponseSchema, { status: agentStatusMessage(s) });
      }),
  };

  const unary =
    <Req, Res>(fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      traceGrpcUnary(call, undefined, () => fn(call.request, call)).then(
        (res) => callback(null, res),
        (err: unknown) => {
          const e = toRpcError(err);
          callback({ code: e.code, details: e.message });
        },
      );
    };
  const implementation: UntypedServiceImplementation = {
    CheckAction: unary<ActionRequest, ActionDecision>((req) => handlers.checkAction(req)),
    GetAgentStatus: unary<GetAgentStatusRequest, GetAgentStatusResponse>((req) => handlers.getAgentStatus(req)),
    ListAgents: unary<ListAgentsRequest, ListAgentsResponse>((req) => handlers.listAgents(req)),
    ReleaseAgent: unary<ReleaseAgentRequest, ReleaseAgentResponse>((req, call) => handlers.releaseAgent(req, firstHeader(call.metadata))),
  };

  const connect = <T>(context: HandlerContext, work: () => Promise<T>): Promise<T> =>
    traceConnectUnary(context, undefined, async () => {
      try {
        return await work();
      } catch (err) {
        const e = toRpcError(err);
        throw new ConnectError(e.message, e.code as number as Code);
      }
    });
  const connectRoutes = (router: ConnectRouter): void => {
    router.service(AgentActionService, {
      checkAction: (req, context) => connect(context, () => handlers.checkAction(req)),
      getAgentStatus: (req, context) => connect(context, () => handlers.getAgentStatus(req)),
      listAgents: (req, context) => connect(context, () => handlers.listAgents(req)),
      releaseAgent: (req, context: HandlerContext) => connect(context, () => handlers.releaseAgent(req, context.requestHeader.get('authorization') ?? undefined)),
    });
  };

  return {
    runtime,
    audit,
    grpc: { definition: grpcServiceDefinition(AgentActionService), implementation },
    connectRoutes,
    close: () => runtime.close(),
  };
}
