/**
 * CheckAction and the agent admin calls, transport-neutral: policy → evaluation (pure) →
 * state (quarantine, rate limits, behaviour; in-process or Redis) → decision → audit entry.
 *
 * Runs on the main thread: evaluation is microseconds of rule matching, far below the cost
 * of handing the request to a scanner thread (~20-40 µs per task); only actions bound for an
 * external destination run the PII/secret detectors, on their parameter strings.
 *
 * Fail mode for shared state (Redis unreachable or timing out), from the policy's `failMode`:
 *   closed (default)  DENY with reason STATE_UNAVAILABLE;
 *   open              decide with this instance's in-process state (limits per instance,
 *                     baseline local) and say so in the reasons.
 */
import type { AuditLogWriter } from '../audit/audit-log-writer.js';
import { auditDigest } from '../audit/audit-chain.js';
import { EngineError } from '../engine/engine-error.js';
import { resolvePolicy } from '../engine/resolve-policy.js';
import { agentActionsOf } from '../policy/agent-action-defaults.js';
import type { CompiledPolicy, PolicySet } from '../policy/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { ActionDecisionData, ActionRequestData, AgentHealthName, AgentStatusData, ReasonCodeName } from './action-names.js';
import { compiledActionPolicy } from './compiled-action-policy.js';
import { applyResponse, evaluateAction } from './evaluate-action.js';
import type { ActionStateStore, AgentRecord, ObserveInput, ObserveResult } from './state/action-state-store.js';
import { factorNames } from './state/behaviour-model.js';
import { MemoryStateStore } from './state/memory-state-store.js';

export interface ActionRuntimeOptions {
  /** The policy set in force (read per call, so hot reloads apply at once). */
  policySet: () => PolicySet;
  /** Where state lives; default in-process. */
  store?: ActionStateStore;
  audit?: AuditLogWriter;
  /** Key for digests in audit entries (the audit HMAC key). */
  auditKey?: string;
  logger?: Logger;
}

const MAX_ID_CHARS = 256;
const MAX_TEXT_CHARS = 8_192;
/** Targets that are safe to record as written: tool, table, store and agent names. */
const NAME_LIKE = /^[A-Za-z0-9_.:@-]{1,128}$/;

function checkRequest(req: ActionRequestData): void {
  if (req.agentId === '') throw new EngineError('INVALID_ARGUMENT', 'agent_id is required');
  if (req.agentId.length > MAX_ID_CHARS) throw new EngineError('INVALID_ARGUMENT', `agent_id is longer than ${MAX_ID_CHARS} characters`);
  if (req.sessionId.length > MAX_ID_CHARS || req.requestId.length > MAX_ID_CHARS) throw new EngineError('INVALID_ARGUMENT', 'session_id and request_id are limited to 256 characters');
  if (req.target.length > MAX_TEXT_CHARS || req.declaredGoal.length > MAX_TEXT_CHARS) {
    throw new EngineError('INVALID_ARGUMENT', `target and declared_goal are limited to ${MAX_TEXT_CHARS} characters`);
  }
}

/** What of the target an audit entry may show: names (tools, tables, agents) as written, nothing else. */
function displayTarget(req: ActionRequestData): string {
  if (req.actionType === 'FILE_READ' || req.actionType === 'FILE_WRITE' || req.actionType === 'CODE_EXEC') return '';
  return NAME_LIKE.test(req.target) ? req.target : '';
}

export class AgentActionRuntime {
  private readonly store: ActionStateStore;
  /** Used when the shared store fails and the fail mode is open. */
  private readonly fallback = new MemoryStateStore();

  constructor(private readonly options: ActionRuntimeOptions) {
    this.store = options.store ?? this.fallback;
  }

  get stateKind(): 'memory' | 'redis' {
    return this.store.kind;
  }

  private policyFor(tenantId: string, policyId = ''): CompiledPolicy {
    return resolvePolicy(this.options.policySet(), tenantId, policyId);
  }

  private async observe(input: ObserveInput, policy: CompiledPolicy): Promise<{ result: ObserveResult | undefined; degraded: boolean }> {
    try {
      const r = this.store.observe(input);
      return { result: r instanceof Promise ? await r : r, degraded: false };
    } catch {
      if (policy.failMode === 'open' && this.store !== this.fallback) return { result: this.fallback.observe(input), degraded: true };
      return { result: undefined, degraded: true };
    }
  }

  /** Decides one action. Throws EngineError (INVALID_ARGUMENT, NOT_FOUND). */
  async checkAction(req: ActionRequestData): Promise<ActionDecisionData> {
    const started = performance.now();
    checkRequest(req);
    const tenantId = req.tenantId || 'default';
    const policy = this.policyFor(tenantId, req.policyId);
    const compiled = compiledActionPolicy(policy);
    const behaviour = compiled.config.behaviour;
    const ev = evaluateAction(compiled, req);
    const { result: obs, degraded } = await this.observe(
      { tenantId, agentId: req.agentId, verdict: ev.verdict, buckets: ev.buckets, actionType: req.actionType, targetKey: ev.targetKey, signalAnomaly: ev.signalAnomaly, behaviour },
      policy,
    );

    let decision = ev.verdict;
    let reasonCode: ReasonCodeName = ev.reasonCode;
    let ruleId = ev.ruleId;
    const reasons = [...ev.reasons];
    let retryAfterMs = 0;
    let health: AgentHealthName = 'HEALTHY';
    if (!obs) {
      decision = 'DENY';
      reasonCode = 'STATE_UNAVAILABLE';
      ruleId = 'builtin:fail-closed';
      reasons.unshift('shared agent state (Redis) is unavailable and the policy fails closed');
    } else {
      health = obs.health;
      if (degraded) reasons.push('shared agent state (Redis) is unavailable: decided on this instance\'s own state (fail mode open)');
      if (obs.quarantined) {
        decision = 'DENY';
        reasonCode = 'AGENT_QUARANTINED';
        ruleId = 'builtin:quarantine';
        reasons.unshift(`the agent is quarantined (${obs.quarantineReason}) until an admin releases it`);
      } else {
        if (obs.rateLimited && decision !== 'DENY') {
          decision = 'DENY';
          reasonCode = 'RETRY_LATER';
          ruleId = obs.limitId;
          retryAfterMs = obs.retryAfterMs;
          reasons.unshift(`rate limit "${obs.limitId}" exhausted; retry after ${obs.retryAfterMs} ms`);
        }
        if (behaviour.enabled && obs.anomaly >= behaviour.anomalyThreshold) {
          const factors = factorNames(obs.factors);
          reasons.push(`unusual for this agent (anomaly ${obs.anomaly.toFixed(2)}${factors.length > 0 ? `: ${factors.join(', ')}` : ''})`);
          const after = applyResponse(decision, behaviour.onAnomaly);
          if (after !== decision) {
            decision = after;
            reasonCode = 'ANOMALY';
            ruleId = 'builtin:behaviour';
          }
        }
        if (obs.newlyQuarantined) {
          decision = 'DENY';
          reasonCode = 'AGENT_QUARANTINED';
          ruleId = 'builtin:quarantine';
          reasons.unshift(`the agent is now quarantined: ${obs.quarantineReason}`);
        }
      }
    }

    const out: ActionDecisionData = {
      decision,
      reasonCode,
      matchedRuleId: ruleId,
      reasons,
      threats: ev.threats,
      anomalyScore: obs?.anomaly ?? 0,
      agentHealth: health,
      behaviourScore: obs?.score ?? 1,
      retryAfterMs,
      auditEntryId: '',
      auditHash: '',
      latencyMs: 0,
      policyVersion: policy.version,
      requestId: req.requestId,
      tenantId,
    };
    const audit = this.options.audit;
    if (audit) {
      const key = this.options.auditKey;
      const entry = audit.append('action', {
        tenant: tenantId,
        agent: req.agentId,
        session: auditDigest(req.sessionId, key),
        type: req.actionType,
        target: displayTarget(req),
        // A URL is recorded as its host only (paths and queries can carry personal data).
        host: ev.destinationHost,
        targetDigest: auditDigest(req.target, key),
        goalDigest: auditDigest(req.declaredGoal, key),
        parameterCount: Object.keys(req.parameters).length,
        decision,
        reason: reasonCode,
        rule: ruleId,
        reasons,
        threats: ev.threats.map((t) => ({ type: t.type, entity: t.entityType, rule: t.ruleId })),
        anomaly: Number(out.anomalyScore.toFixed(4)),
        score: Number(out.behaviourScore.toFixed(4)),
        health,
        request: req.requestId,
        policy: policy.version,
      });
      out.auditEntryId = entry.id;
      out.auditHash = entry.hash;
    }
    out.latencyMs = performance.now() - started;
    return out;
  }

  private statusOf(tenantId: string, agentId: string, record: AgentRecord | undefined, policy: CompiledPolicy): AgentStatusData {
    const registered = agentActionsOf(policy).agents.find((a) => a.id === agentId);
    return {
      tenantId,
      agentId,
      health: record?.health ?? 'HEALTHY',
      behaviourScore: record?.score ?? 1,
      quarantined: record?.quarantined ?? false,
      quarantineReason: record?.quarantineReason ?? '',
      actionsObserved: record?.actionsObserved ?? 0,
      anomalies: record?.anomalies ?? 0,
      registered: registered !== undefined,
      owner: registered?.owner ?? '',
      lastActionUnixMs: record?.lastActionUnixMs ?? 0,
    };
  }

  /** One agent's status; undefined when it is neither registered nor ever seen. */
  async agentStatus(tenantIdIn: string, agentId: string): Promise<AgentStatusData | undefined> {
    if (agentId === '') throw new EngineError('INVALID_ARGUMENT', 'agent_id is required');
    const tenantId = tenantIdIn || 'default';
    const policy = this.policyFor(tenantId);
    const record = await this.store.get(tenantId, agentId);
    const status = this.statusOf(tenantId, agentId, record, policy);
    return record || status.registered ? status : undefined;
  }

  /** Registered and seen agents of a tenant, by id; `health` filters. */
  async listAgents(tenantIdIn: string, health?: AgentHealthName): Promise<AgentStatusData[]> {
    const tenantId = tenantIdIn || 'default';
    const policy = this.policyFor(tenantId);
    const records = new Map((await this.store.list(tenantId)).map((r) => [r.agentId, r]));
    const ids = new Set([...agentActionsOf(policy).agents.map((a) => a.id), ...records.keys()]);
    return [...ids]
      .sort()
      .map((id) => this.statusOf(tenantId, id, records.get(id), policy))
      .filter((s) => health === undefined || s.health === health);
  }

  /** Lifts a quarantine (recorded in the audit log). Undefined when the agent was never seen. */
  async releaseAgent(tenantIdIn: string, agentId: string, releasedBy: string, reason: string): Promise<AgentStatusData | undefined> {
    if (agentId === '') throw new EngineError('INVALID_ARGUMENT', 'agent_id is required');
    const tenantId = tenantIdIn || 'default';
    const policy = this.policyFor(tenantId);
    const record = await this.store.release(tenantId, agentId);
    if (this.store !== this.fallback) await this.fallback.release(tenantId, agentId);
    if (!record) return undefined;
    this.options.audit?.append('agent-release', { tenant: tenantId, agent: agentId, releasedBy: releasedBy.slice(0, 256), reason: reason.slice(0, 1024) });
    this.options.logger?.info({ tenantId, agentId, releasedBy: releasedBy.slice(0, 256) }, 'agent released from quarantine');
    return this.statusOf(tenantId, agentId, record, policy);
  }

  async close(): Promise<void> {
    await this.options.audit?.close();
    await this.store.close();
    if (this.store !== this.fallback) await this.fallback.close();
  }
}
