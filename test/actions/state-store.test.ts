/**
 * One conformance suite for both state stores (in-process and Redis), plus Redis sharing
 * across two runtimes, a Redis outage under both fail modes, and quarantine/release.
 * Redis tests need REDIS_URL (CI sets it); each run uses its own key prefix.
 */
import { randomUUID } from 'node:crypto';
import { closedPort } from '../helpers/closed-port.js';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentActionRuntime } from '../../src/actions/action-runtime.js';
import type { ActionStateStore, ObserveInput } from '../../src/actions/state/action-state-store.js';
import { MemoryStateStore } from '../../src/actions/state/memory-state-store.js';
import { RedisStateStore } from '../../src/actions/state/redis-state-store.js';
import { DEFAULT_AGENT_ACTIONS } from '../../src/policy/agent-action-defaults.js';
import { action, policySet } from './action-helpers.js';

const REDIS_URL = process.env.REDIS_URL;
const PREFIX = `bulwark-test:${randomUUID()}:`;
if (!REDIS_URL) console.warn('REDIS_URL is not set: the Redis state-store tests are skipped');

const behaviour = { ...DEFAULT_AGENT_ACTIONS.behaviour };

function input(partial: Partial<ObserveInput>): ObserveInput {
  return { tenantId: 't', agentId: 'a', verdict: 'ALLOW', buckets: [], actionType: 'TOOL_CALL', targetKey: 'TOOL_CALL|x', signalAnomaly: 0, behaviour, ...partial };
}

const slowBucket = (key: string, capacity: number) => ({ key, limitId: key, capacity, refillPerMs: 1 / 60_000 });

const backends: Array<[string, () => Promise<ActionStateStore>, boolean]> = [
  ['memory', async () => new MemoryStateStore(), false],
  ['redis', async () => RedisStateStore.connect({ url: REDIS_URL ?? '', keyPrefix: `${PREFIX}${randomUUID()}:` }), !REDIS_URL],
];

for (const [name, make, skip] of backends) {
  describe.skipIf(skip)(`state store conformance: ${name}`, () => {
    it('token buckets: capacity, retry-after, all or nothing, denials consume nothing', async () => {
      const store = await make();
      try {
        const results = [];
        for (let i = 0; i < 6; i++) results.push(await store.observe(input({ buckets: [slowBucket('b1', 5)] })));
        expect(results.map((r) => r.rateLimited)).toEqual([false, false, false, false, false, true]);
        expect(results[5]?.limitId).toBe('b1');
        expect(results[5]?.retryAfterMs).toBeGreaterThan(50_000);
        // b2 has room but b1 does not: b2 must not be charged.
        expect((await store.observe(input({ buckets: [slowBucket('b2', 1), slowBucket('b1', 5)] }))).rateLimited).toBe(true);
        expect((await store.observe(input({ buckets: [slowBucket('b2', 1)] }))).rateLimited).toBe(false);
        // A denied action takes no token.
        expect((await store.observe(input({ verdict: 'DENY', buckets: [slowBucket('b3', 1)] }))).rateLimited).toBe(false);
        expect((await store.observe(input({ buckets: [slowBucket('b3', 1)] }))).rateLimited).toBe(false);
        expect((await store.observe(input({ buckets: [slowBucket('b3', 1)] }))).rateLimited).toBe(true);
      } finally {
        await store.close();
      }
    });

    it('behaviour: anomalous actions lower the score to SUSPICIOUS, then COMPROMISED and quarantine; release restores', async () => {
      const store = await make();
      try {
        const healths = [];
        let quarantinedAt = -1;
        for (let i = 0; i < 12 && quarantinedAt < 0; i++) {
          const r = await store.observe(input({ agentId: 'bad', verdict: 'DENY', signalAnomaly: 0.6 }));
          healths.push(r.health);
          if (r.newlyQuarantined) quarantinedAt = i;
        }
        expect(healths).toContain('SUSPICIOUS');
        expect(healths[healths.length - 1]).toBe('COMPROMISED');
        // 1 - 0.6 per action, smoothing 0.2: the score is 0.4 + 0.6 * 0.8^n, below 0.5 from n = 9.
        expect(quarantinedAt).toBe(8);
        const after = await store.observe(input({ agentId: 'bad' }));
        expect(after).toMatchObject({ quarantined: true, health: 'COMPROMISED' });
        expect(after.quarantineReason).toMatch(/behaviour score 0\.4\d\d fell below 0\.5/);
        expect(await store.get('t', 'bad')).toMatchObject({ quarantined: true, health: 'COMPROMISED', anomalies: 9 });
        expect((await store.list('t')).map((r) => r.agentId)).toContain('bad');

        expect(await store.release('t', 'bad')).toMatchObject({ quarantined: false, score: 1 });
        expect(await store.observe(input({ agentId: 'bad' }))).toMatchObject({ quarantined: false, newlyQuarantined: false, health: 'HEALTHY' });
        expect(await store.release('t', 'never-seen')).toBeUndefined();
        // A well-behaved agent stays healthy; more than 10 actions in one second are a burst.
        for (let i = 0; i < 9; i++) expect((await store.observe(input({ agentId: 'good' }))).health).toBe('HEALTHY');
        const burst = [];
        for (let i = 0; i < 5; i++) burst.push((await store.observe(input({ agentId: 'burst' }))).factors);
        for (let i = 0; i < 20; i++) burst.push((await store.observe(input({ agentId: 'burst' }))).factors);
        expect(burst.slice(0, 10).every((f) => f === 0)).toBe(true);
        // 25 actions span at most two seconds here, so one of them holds more than 10.
        expect(burst.slice(10).some((f) => (f & 8) !== 0)).toBe(true);
      } finally {
        await store.close();
      }
    });

    it('behaviour: after warm-up a new target and an unseen action type are anomalies', async () => {
      const store = await make();
      try {
        const spec = { ...behaviour, warmupActions: 5 };
        for (let i = 0; i < 5; i++) expect((await store.observe(input({ agentId: 'w', behaviour: spec }))).factors).toBe(0);
        expect((await store.observe(input({ agentId: 'w', behaviour: spec }))).factors).toBe(0);
        const fresh = await store.observe(input({ agentId: 'w', behaviour: spec, targetKey: 'TOOL_CALL|new' }));
        expect(fresh.factors).toBe(1);
        const odd = await store.observe(input({ agentId: 'w', behaviour: spec, actionType: 'CODE_EXEC', targetKey: 'CODE_EXEC|x' }));
        expect(odd.factors).toBe(1 | 2);
        expect(odd.anomaly).toBeCloseTo(1 - 0.75 * 0.65, 6);
      } finally {
        await store.close();
      }
    });
  });
}

describe.skipIf(!REDIS_URL)('Redis-shared state across two sidecar runtimes', () => {
  const yaml =
    'apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata: { tenant: acme }\nspec:\n  actionRules:\n    - { id: db, appliesTo: [DATABASE_QUERY], decision: ALLOW }\n  rateLimits:\n    - { agent: "*", actionType: DATABASE_QUERY, perMinute: 50 }\n';
  const stores: RedisStateStore[] = [];
  afterAll(async () => Promise.all(stores.map((s) => s.close())));

  it('one bucket: 150 queries alternating between instances allow exactly 50; quarantine is shared too', async () => {
    const set = policySet(yaml);
    const prefix = `${PREFIX}shared:`;
    const a = await RedisStateStore.connect({ url: REDIS_URL ?? '', keyPrefix: prefix });
    const b = await RedisStateStore.connect({ url: REDIS_URL ?? '', keyPrefix: prefix });
    stores.push(a, b);
    const one = new AgentActionRuntime({ policySet: () => set, store: a });
    const two = new AgentActionRuntime({ policySet: () => set, store: b });
    let allowed = 0;
    for (let i = 0; i < 150; i++) {
      const rt = i % 2 === 0 ? one : two;
      const d = await rt.checkAction(action({ agentId: 'abuse_agent', actionType: 'DATABASE_QUERY', target: 'read_database', parameters: { query: 'SELECT 1' } }));
      if (d.decision === 'ALLOW') allowed++;
      else expect(d.reasonCode).toBe('RETRY_LATER');
    }
    expect(allowed).toBe(50);

    for (let i = 0; i < 10; i++) await one.checkAction(action({ agentId: 'rogue', target: 'execute_command', parameters: { command: 'sudo rm -rf /' } }));
    expect(await two.checkAction(action({ agentId: 'rogue', actionType: 'DATABASE_QUERY', target: 'x', parameters: { query: 'SELECT 1' } }))).toMatchObject({ decision: 'DENY', reasonCode: 'AGENT_QUARANTINED' });
    expect((await two.listAgents('acme', 'COMPROMISED')).map((s) => s.agentId)).toEqual(['rogue']);
    expect(await one.releaseAgent('acme', 'rogue', 'admin@acme.example', 'investigated')).toMatchObject({ quarantined: false, health: 'HEALTHY' });
    expect((await two.checkAction(action({ agentId: 'rogue', actionType: 'DATABASE_QUERY', target: 'x', parameters: { query: 'SELECT 1' } }))).decision).toBe('ALLOW');
  });
});

describe('Redis down: the policy fail mode decides', () => {
  const rules = '  actionRules:\n    - { id: db, appliesTo: [DATABASE_QUERY], decision: ALLOW }\n  rateLimits:\n    - { agent: "*", perMinute: 2 }\n';

  it('failMode closed: DENY with STATE_UNAVAILABLE, quickly', async () => {
    const store = await RedisStateStore.connect({ url: `redis://127.0.0.1:${await closedPort()}`, connectTimeoutMs: 200 });
    const set = policySet(`apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata: { tenant: acme }\nspec:\n  failMode: closed\n${rules}`);
    const rt = new AgentActionRuntime({ policySet: () => set, store });
    try {
      const started = performance.now();
      const d = await rt.checkAction(action({ agentId: 'a', actionType: 'DATABASE_QUERY', target: 't', parameters: { query: 'SELECT 1' } }));
      expect(d).toMatchObject({ decision: 'DENY', reasonCode: 'STATE_UNAVAILABLE' });
      expect(performance.now() - started).toBeLessThan(100);
    } finally {
      await rt.close();
    }
  });

  it('failMode open: decided on local state (local rate limits still apply)', async () => {
    const store = await RedisStateStore.connect({ url: `redis://127.0.0.1:${await closedPort()}`, connectTimeoutMs: 200 });
    const set = policySet(`apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata: { tenant: acme }\nspec:\n  failMode: open\n${rules}`);
    const rt = new AgentActionRuntime({ policySet: () => set, store });
    try {
      const q = action({ agentId: 'a', actionType: 'DATABASE_QUERY', target: 't', parameters: { query: 'SELECT 1' } });
      const first = await rt.checkAction(q);
      expect(first.decision).toBe('ALLOW');
      expect(first.reasons.join(' ')).toMatch(/fail mode open/);
      await rt.checkAction(q);
      expect(await rt.checkAction(q)).toMatchObject({ decision: 'DENY', reasonCode: 'RETRY_LATER' });
    } finally {
      await rt.close();
    }
  });
});

describe('quarantine through CheckAction (in-process)', () => {
  it('repeated attacks quarantine the agent; every action is denied until ReleaseAgent', async () => {
    const set = policySet('apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata: { tenant: acme }\nspec:\n  actionRules:\n    - { id: shell, target: execute_command, decision: ALLOW }\n');
    const rt = new AgentActionRuntime({ policySet: () => set });
    const attack = action({ agentId: 'rogue', target: 'execute_command', parameters: { command: 'sudo rm -rf /' } });
    const ls = action({ agentId: 'rogue', target: 'execute_command', parameters: { command: 'ls -la' } });
    expect((await rt.checkAction(ls)).decision).toBe('ALLOW');
    const codes = [];
    for (let i = 0; i < 8; i++) codes.push((await rt.checkAction(attack)).reasonCode);
    expect(codes).toContain('AGENT_QUARANTINED');
    expect(await rt.checkAction(ls)).toMatchObject({ decision: 'DENY', reasonCode: 'AGENT_QUARANTINED', agentHealth: 'COMPROMISED' });
    expect(await rt.agentStatus('acme', 'rogue')).toMatchObject({ quarantined: true, health: 'COMPROMISED', registered: false });
    expect((await rt.listAgents('acme', 'COMPROMISED')).map((a) => a.agentId)).toEqual(['rogue']);
    expect(await rt.listAgents('acme', 'HEALTHY')).toEqual([]);
    await rt.releaseAgent('acme', 'rogue', 'admin', 'false positive');
    expect(await rt.checkAction(ls)).toMatchObject({ decision: 'ALLOW', agentHealth: 'HEALTHY' });
    expect(await rt.agentStatus('acme', 'nobody')).toBeUndefined();
  });
});
