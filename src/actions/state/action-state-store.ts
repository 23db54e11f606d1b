/**
 * Where CheckAction's state lives: quarantine, rate-limit buckets and behavioural baselines.
 * Two backends with one contract (and one conformance suite): in-process (default) and Redis
 * (REDIS_URL; shared by every sidecar instance). `observe` is the one call per action and is
 * atomic per agent in both: quarantine check, token buckets (all or nothing), anomaly
 * scoring and baseline update happen together.
 */
import type { ActionVerdictName, AgentActionTypeName, BehaviourSpec } from '../../policy/types.js';
import type { AgentHealthName } from '../action-names.js';
import type { BucketRequest } from '../evaluate-action.js';

export interface ObserveInput {
  tenantId: string;
  agentId: string;
  /** The evaluation's verdict: DENY consumes no tokens; only ALLOW extends the baseline. */
  verdict: ActionVerdictName;
  buckets: readonly BucketRequest[];
  actionType: AgentActionTypeName;
  targetKey: string;
  /** What the evaluation saw (0..1), folded into the anomaly score. */
  signalAnomaly: number;
  behaviour: BehaviourSpec;
}

export interface ObserveResult {
  /** The agent was quarantined before this action (the action must be denied). */
  quarantined: boolean;
  /** This action made the agent COMPROMISED and quarantined it. */
  newlyQuarantined: boolean;
  quarantineReason: string;
  rateLimited: boolean;
  retryAfterMs: number;
  /** The exhausted limit's id. */
  limitId: string;
  anomaly: number;
  /** FACTOR_BITS mask. */
  factors: number;
  score: number;
  health: AgentHealthName;
}

export interface AgentRecord {
  agentId: string;
  health: AgentHealthName;
  score: number;
  quarantined: boolean;
  quarantineReason: string;
  actionsObserved: number;
  anomalies: number;
  lastActionUnixMs: number;
}

export interface ActionStateStore {
  readonly kind: 'memory' | 'redis';
  observe(input: ObserveInput): ObserveResult | Promise<ObserveResult>;
  get(tenantId: string, agentId: string): Promise<AgentRecord | undefined>;
  /** Agents seen for the tenant (bounded), in no particular order. */
  list(tenantId: string): Promise<AgentRecord[]>;
  /** Lifts the quarantine and resets the score to 1; undefined when the agent was never seen. */
  release(tenantId: string, agentId: string): Promise<AgentRecord | undefined>;
  close(): Promise<void>;
}
