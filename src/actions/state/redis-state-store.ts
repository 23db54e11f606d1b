/**
 * Shared state in Redis (REDIS_URL): every sidecar instance pointed at the same Redis enforces
 * one set of token buckets, one baseline and one quarantine per agent.
 *
 * Outages: commands are not queued while disconnected (enableOfflineQueue: false) and time
 * out after `commandTimeoutMs`, so an unreachable Redis costs a CheckAction milliseconds, not
 * seconds; the caller (action-service.ts) then applies the policy's fail mode. ioredis keeps
 * reconnecting in the background.
 *
 * Keys carry the tenant as a hash tag (`bulwark:{acme}:...`), so with Redis Cluster all of a
 * tenant's keys live in one slot and the Lua script may touch them together.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../telemetry/logger.js';
import type { AgentHealthName } from '../action-names.js';
import type { ActionStateStore, AgentRecord, ObserveInput, ObserveResult } from './action-state-store.js';
import { OBSERVE_SCRIPT, RELEASE_SCRIPT } from './redis-observe-script.js';

export interface RedisStateStoreOptions {
  url: string;
  /** Prefix of every key (default "bulwark:"); tests use a unique one per run. */
  keyPrefix?: string;
  /** Per-command timeout; default 250 ms. */
  commandTimeoutMs?: number;
  /** How long to wait for the first connection before starting anyway; default 2000 ms. */
  connectTimeoutMs?: number;
  /** Idle agents are forgotten after this long (default 30 days). */
  agentTtlMs?: number;
  logger?: Logger;
}

/** Upper bound on agents listed per tenant (the index set can be larger). */
const MAX_LISTED = 10_000;

type ObserveReply = [number, number, string, number, number, string, string, number, string, string];

interface ScriptedRedis extends Redis {
  bulwarkObserve(numKeys: number, ...args: Array<string | number>): Promise<ObserveReply>;
  bulwarkRelease(key: string): Promise<number>;
}

export class RedisStateStore implements ActionStateStore {
  readonly kind = 'redis';
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;
  private readonly agentTtlMs: number;
  private up = true;

  private constructor(options: RedisStateStoreOptions) {
    this.prefix = options.keyPrefix ?? 'bulwark:';
    this.agentTtlMs = options.agentTtlMs ?? 30 * 24 * 3_600_000;
    const redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 250,
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      retryStrategy: (attempt: number) => Math.min(100 * attempt, 2_000),
      lazyConnect: true,
    });
    redis.defineCommand('bulwarkObserve', { lua: OBSERVE_SCRIPT });
    redis.defineCommand('bulwarkRelease', { lua: RELEASE_SCRIPT, numberOfKeys: 1 });
    this.redis = redis as ScriptedRedis;
    const logger = options.logger;
    // Log transitions only: an outage must not become a log line per action.
    redis.on('error', (err: Error) => {
      if (this.up) logger?.warn({ err: err.message }, 'redis (agent-action state) unreachable; the policy fail mode applies');
      this.up = false;
    });
    redis.on('ready', () => {
      if (!this.up) logger?.info('redis (agent-action state) reachable again');
      this.up = true;
    });
  }

  /** Connects (waiting up to connectTimeoutMs); a Redis that is down now does not stop the sidecar. */
  static async connect(options: RedisStateStoreOptions): Promise<RedisStateStore> {
    const store = new RedisStateStore(options);
    try {
      await store.redis.connect();
    } catch {
      // Reconnects in the background; until then observe() fails and the fail mode decides.
    }
    return store;
  }

  private tag(tenantId: string): string {
    // "{" and "}" inside the tag would move the hash slot; tenant ids cannot contain them
    // (policy identifiers), but request tenant ids are caller input.
    return `${this.prefix}{${tenantId.replace(/[{}]/g, '_')}}`;
  }

  private agentKey(tenantId: string, agentId: string): string {
    return `${this.tag(tenantId)}:agent:${agentId}`;
  }

  async observe(input: ObserveInput): Promise<ObserveResult> {
    const tag = this.tag(input.tenantId);
    const b = input.behaviour;
    const keys = [this.agentKey(input.tenantId, input.agentId), `${tag}:targets:${input.agentId}`, `${tag}:agents`, ...input.buckets.map((x) => `${tag}:rl:${x.key}`)];
    const args: Array<string | number> = [
      input.agentId,
      input.verdict,
      input.actionType,
      input.targetKey,
      String(input.signalAnomaly),
      b.enabled ? '1' : '0',
      b.warmupActions,
      String(b.scoreSmoothing),
      String(b.suspiciousBelow),
      String(b.compromisedBelow),
      b.quarantine ? '1' : '0',
      String(b.anomalyThreshold),
      String(b.burstFactor),
      String(b.burstMinPerSecond),
      this.agentTtlMs,
    ];
    for (const bucket of input.buckets) args.push(bucket.capacity, String(bucket.refillPerMs), bucket.limitId);
    const r = await this.redis.bulwarkObserve(keys.length, ...keys, ...args);
    return {
      quarantined: r[0] === 1,
      newlyQuarantined: r[1] === 1,
      quarantineReason: r[2],
      rateLimited: r[3] === 1,
      retryAfterMs: r[4],
      limitId: r[5],
      anomaly: Number(r[6]),
      factors: r[7],
      score: Number(r[8]),
      health: r[9] as AgentHealthName,
    };
  }

  private toRecord(agentId: string, f: Array<string | null>): AgentRecord | undefined {
    const [q, qr, score, observed, anomalies, last, health] = f;
    if (last === null || last === undefined) return undefined;
    const quarantined = q === '1';
    return {
      agentId,
      health: quarantined ? 'COMPROMISED' : ((health as AgentHealthName | null) ?? 'HEALTHY'),
      score: Number(score ?? 1),
      quarantined,
      quarantineReason: qr ?? '',
      actionsObserved: Number(observed ?? 0),
      anomalies: Number(anomalies ?? 0),
      lastActionUnixMs: Number(last),
    };
  }

  private static readonly FIELDS = ['q', 'qr', 'score', 'observed', 'anomalies', 'last', 'h'];

  async get(tenantId: string, agentId: string): Promise<AgentRecord | undefined> {
    const f = await this.redis.hmget(this.agentKey(tenantId, agentId), ...RedisStateStore.FIELDS);
    return this.toRecord(agentId, f);
  }

  async list(tenantId: string): Promise<AgentRecord[]> {
    const ids = (await this.redis.smembers(`${this.tag(tenantId)}:agents`)).slice(0, MAX_LISTED);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.agentKey(tenantId, id), ...RedisStateStore.FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    const out: AgentRecord[] = [];
    replies.forEach(([err, f], i) => {
      if (err) return;
      const record = this.toRecord(ids[i] as string, f as Array<string | null>);
      if (record) out.push(record);
    });
    return out;
  }

  async release(tenantId: string, agentId: string): Promise<AgentRecord | undefined> {
    const existed = await this.redis.bulwarkRelease(this.agentKey(tenantId, agentId));
    return existed === 1 ? this.get(tenantId, agentId) : undefined;
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
