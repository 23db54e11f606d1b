/**
 * In-process state: one sidecar's own quarantine flags, token buckets and baselines. The
 * default, and the fallback when Redis is unreachable and the fail mode is open. Synchronous,
 * so the whole of CheckAction stays on the main thread without a suspension point.
 *
 * Bounded: at most `maxAgents` agents (the least recently active non-quarantined one is
 * forgotten first) and `maxBuckets` buckets, so random agent ids cannot grow memory without end.
 */
import type { AgentActionTypeName } from '../../policy/types.js';
import type { ActionStateStore, AgentRecord, ObserveInput, ObserveResult } from './action-state-store.js';
import {
  anomalyFactors,
  anomalyScore,
  countAction,
  healthOf,
  MAX_TARGETS_PER_AGENT,
  nextScore,
  quarantineReason,
  type RateState,
} from './behaviour-model.js';

interface AgentState {
  agentId: string;
  score: number;
  observed: number;
  anomalies: number;
  learned: number;
  quarantined: boolean;
  quarantineReason: string;
  lastMs: number;
  rate: RateState;
  types: Map<AgentActionTypeName, number>;
  targets: Set<string>;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export interface MemoryStateStoreOptions {
  now?: () => number;
  maxAgents?: number;
  maxBuckets?: number;
}

function recordOf(s: AgentState, spec = { compromisedBelow: 0.5, suspiciousBelow: 0.75 }): AgentRecord {
  const health = s.quarantined ? 'COMPROMISED' : s.score < spec.compromisedBelow ? 'COMPROMISED' : s.score < spec.suspiciousBelow ? 'SUSPICIOUS' : 'HEALTHY';
  return {
    agentId: s.agentId,
    health,
    score: s.score,
    quarantined: s.quarantined,
    quarantineReason: s.quarantineReason,
    actionsObserved: s.observed,
    anomalies: s.anomalies,
    lastActionUnixMs: s.lastMs,
  };
}

export class MemoryStateStore implements ActionStateStore {
  readonly kind = 'memory';
  private readonly agents = new Map<string, AgentState>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxAgents: number;
  private readonly maxBuckets: number;
  /** Health thresholds last used per agent key, so get/list report health as observe computed it. */
  private readonly thresholds = new Map<string, { compromisedBelow: number; suspiciousBelow: number }>();

  constructor(options: MemoryStateStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxAgents = options.maxAgents ?? 100_000;
    this.maxBuckets = options.maxBuckets ?? 100_000;
  }

  private agentKey(tenantId: string, agentId: string): string {
    return `${tenantId}\u0000${agentId}`;
  }

  private agent(key: string, agentId: string): AgentState {
    let s = this.agents.get(key);
    if (s) {
      // Re-insert: Map order is then least-recently-active first, for eviction.
      this.agents.delete(key);
      this.agents.set(key, s);
      return s;
    }
    s = { agentId, score: 1, observed: 0, anomalies: 0, learned: 0, quarantined: false, quarantineReason: '', lastMs: 0, rate: { second: 0, count: 0, usualPerSecond: 0 }, types: new Map(), targets: new Set() };
    this.agents.set(key, s);
    if (this.agents.size > this.maxAgents) this.evictAgent();
    return s;
  }

  private evictAgent(): void {
    for (const [key, s] of this.agents) {
      if (s.quarantined) continue;
      this.agents.delete(key);
      this.thresholds.delete(key);
      return;
    }
  }

  /** Refilled tokens of a bucket at `now` (not stored). */
  private tokens(key: string, capacity: number, refillPerMs: number, now: number): number {
    const b = this.buckets.get(key);
    if (!b) return capacity;
    return Math.min(capacity, b.tokens + Math.max(0, now - b.atMs) * refillPerMs);
  }

  private takeTokens(input: ObserveInput, now: number): { limited: boolean; retryAfterMs: number; limitId: string } {
    const available = input.buckets.map((b) => this.tokens(`${input.tenantId}\u0000${b.key}`, b.capacity, b.refillPerMs, now));
    let retryAfterMs = 0;
    let limitId = '';
    input.buckets.forEach((b, i) => {
      const have = available[i] ?? 0;
      if (have >= 1) return;
      const wait = Math.ceil((1 - have) / b.refillPerMs);
      if (wait > retryAfterMs) {
        retryAfterMs = wait;
        limitId = b.limitId;
      }
    });
    if (limitId !== '') return { limited: true, retryAfterMs, limitId };
    input.buckets.forEach((b, i) => {
      const key = `${input.tenantId}\u0000${b.key}`;
      this.buckets.delete(key);
      this.buckets.set(key, { tokens: (available[i] ?? 0) - 1, atMs: now });
      if (this.buckets.size > this.maxBuckets) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    });
    return { limited: false, retryAfterMs: 0, limitId: '' };
  }

  observe(input: ObserveInput): ObserveResult {
    const now = this.now();
    const spec = input.behaviour;
    const key = this.agentKey(input.tenantId, input.agentId);
    const s = this.agent(key, input.agentId);
    this.thresholds.set(key, spec);
    s.lastMs = now;
    const result: ObserveResult = {
      quarantined: s.quarantined,
      newlyQuarantined: false,
      quarantineReason: s.quarantineReason,
      rateLimited: false,
      retryAfterMs: 0,
      limitId: '',
      anomaly: 0,
      factors: 0,
      score: s.score,
      health: s.quarantined ? 'COMPROMISED' : healthOf(s.score, spec),
    };
    if (s.quarantined) return result;

    if (input.verdict !== 'DENY' && input.buckets.length > 0) {
      const taken = this.takeTokens(input, now);
      result.rateLimited = taken.limited;
      result.retryAfterMs = taken.retryAfterMs;
      result.limitId = taken.limitId;
    }
    if (!spec.enabled) return result;

    const countThisSecond = countAction(s.rate, now);
    const typeCount = s.types.get(input.actionType) ?? 0;
    const mask = anomalyFactors({ learned: s.learned, typeCount, targetSeen: s.targets.has(input.targetKey), countThisSecond, usualPerSecond: s.rate.usualPerSecond }, spec);
    const anomaly = anomalyScore(mask, input.signalAnomaly);
    s.observed += 1;
    if (anomaly >= spec.anomalyThreshold) s.anomalies += 1;
    if (input.verdict === 'ALLOW' && !result.rateLimited) {
      s.learned += 1;
      s.types.set(input.actionType, typeCount + 1);
      if (s.targets.size < MAX_TARGETS_PER_AGENT) s.targets.add(input.targetKey);
    }
    s.score = nextScore(s.score, anomaly, spec);
    result.anomaly = anomaly;
    result.factors = mask;
    result.score = s.score;
    result.health = healthOf(s.score, spec);
    if (result.health === 'COMPROMISED' && spec.quarantine) {
      s.quarantined = true;
      s.quarantineReason = quarantineReason(s.score, spec);
      result.newlyQuarantined = true;
      result.quarantineReason = s.quarantineReason;
    }
    return result;
  }

  async get(tenantId: string, agentId: string): Promise<AgentRecord | undefined> {
    const key = this.agentKey(tenantId, agentId);
    const s = this.agents.get(key);
    return s ? recordOf(s, this.thresholds.get(key)) : undefined;
  }

  async list(tenantId: string): Promise<AgentRecord[]> {
    const prefix = `${tenantId}\u0000`;
    const out: AgentRecord[] = [];
    for (const [key, s] of this.agents) if (key.startsWith(prefix)) out.push(recordOf(s, this.thresholds.get(key)));
    return out;
  }

  async release(tenantId: string, agentId: string): Promise<AgentRecord | undefined> {
    const key = this.agentKey(tenantId, agentId);
    const s = this.agents.get(key);
    if (!s) return undefined;
    s.quarantined = false;
    s.quarantineReason = '';
    s.score = 1;
    return recordOf(s, this.thresholds.get(key));
  }

  async close(): Promise<void> {
    this.agents.clear();
    this.buckets.clear();
  }
}
