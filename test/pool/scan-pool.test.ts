import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/engine-error.js';
import type { ScanTask } from '../../src/engine/types.js';
import { defaultPolicySet, parsePolicySet } from '../../src/policy/load-policy.js';
import type { PolicySet } from '../../src/policy/types.js';
import { PoolError } from '../../src/pool/pool-errors.js';
import { createScanPool, type ScanPool } from '../../src/pool/scan-pool.js';

// Enables the worker's crash seam for pools created by this file (threads copy process.env at start).
const CRASH = 'pool-test-crash-7f3a';
process.env.BULWARK_TEST_WORKER_CRASH_MARKER = CRASH;

const ELEPHANT_POLICY = `
apiVersion: bulwark.dev/v1
kind: Policy
spec:
  customRules:
    - id: no-purple-elephants
      pattern: 'purple\\s+elephant'
      action: BLOCK
`;

function task(content: string, extra: Partial<ScanTask> = {}): ScanTask {
  return { tenantId: '', direction: 'INPUT', content, policyId: '', deadline: 0, ...extra };
}

/** A set built by hand that the engine cannot compile (a tenant without policies). */
function malformedSet(base: PolicySet): PolicySet {
  return { ...base, version: 'malformed-set', tenants: { default: null as never } };
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('scan pool', () => {
  let pool: ScanPool;
  beforeAll(async () => {
    pool = await createScanPool({ workers: 2, policySet: defaultPolicySet() });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('returns only once every worker is up, and scans on them', async () => {
    expect(pool.stats().workers).toBe(2);
    const result = await pool.scan(task('What is the capital of France?'));
    expect(result.action).toBe('ALLOW');
    expect(result.threats).toEqual([]);
    expect(result.policyVersion).toBe(pool.policySet.tenants.default!.default!.version);
  });

  it('redacts PII through a worker', async () => {
    const result = await pool.scan(task('mail me at jane.doe@example.com please'));
    expect(result.action).toBe('REDACT');
    expect(result.redactedContent).toBeDefined();
    expect(result.redactedContent).not.toContain('jane.doe@example.com');
  });

  it('runs stream windows', async () => {
    const content = 'hello there, my address is jane.doe@exa';
    const result = await pool.scanWindow({ ...task(content), prefixLength: 0, streamOffset: 0, final: false, holdBack: 16 });
    expect(result.releaseLength).toBeLessThanOrEqual(content.length - 16);
    expect(content.slice(0, result.releaseLength)).not.toContain('jane');
  });

  it('rebuilds engine errors with their code on this side of the thread boundary', async () => {
    const err = await rejectionOf(pool.scan(task('hi', { direction: 'SIDEWAYS' as never })));
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('INVALID_ARGUMENT');
  });

  it('switches policy sets only after every worker compiled the new one', async () => {
    const before = pool.policySet;
    expect((await pool.scan(task('a purple elephant'))).action).toBe('ALLOW');
    const next = parsePolicySet(ELEPHANT_POLICY, 'elephant.yaml');
    await pool.setPolicySet(next);
    expect(pool.policySet.version).toBe(next.version);
    // Both workers must have it: many concurrent scans land on both threads.
    const results = await Promise.all(Array.from({ length: 20 }, () => pool.scan(task('a purple   elephant'))));
    expect(results.every((r) => r.action === 'BLOCK')).toBe(true);
    expect((await pool.scan(task('a grey elephant'))).action).toBe('ALLOW');
    await pool.setPolicySet(before);
    expect((await pool.scan(task('a purple elephant'))).action).toBe('ALLOW');
  });

  it('keeps the old set when a new one does not compile in the workers', async () => {
    const before = pool.policySet;
    const err = await rejectionOf(pool.setPolicySet(malformedSet(before)));
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('INTERNAL');
    expect(pool.policySet).toBe(before);
    expect((await pool.scan(task('hello'))).action).toBe('ALLOW');
  });
});

describe('scan pool under pressure', () => {
  let pool: ScanPool;
  beforeAll(async () => {
    pool = await createScanPool({ workers: 1, maxQueue: 2, tasksPerWorker: 1, policySet: defaultPolicySet() });
  });
  afterAll(async () => {
    await pool.close();
  });

  const big = 'The quick brown fox jumps over the lazy dog. '.repeat(3000);

  it('rejects at once with RESOURCE_EXHAUSTED when the queue is full, and finishes the rest', async () => {
    const started = performance.now();
    const outcomes = Array.from({ length: 20 }, () => pool.scan(task(big)).then(() => 'ok' as const, (e: Error) => e));
    const rejectedFast = await Promise.race([
      Promise.all(outcomes.slice(3)),
      new Promise<'slow'>((r) => setTimeout(() => r('slow'), 50)),
    ]);
    expect(rejectedFast).not.toBe('slow');
    for (const e of rejectedFast as unknown[]) {
      expect(e).toBeInstanceOf(PoolError);
      expect((e as PoolError).code).toBe('RESOURCE_EXHAUSTED');
    }
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await Promise.all(outcomes.slice(0, 3))).toEqual(['ok', 'ok', 'ok']);
  });

  it('removes a queued task when its signal aborts, without touching the running one', async () => {
    const running = pool.scan(task(big));
    const controller = new AbortController();
    const queued = pool.scan(task('queued'), controller.signal);
    const timed = pool.scan(task('timed'), AbortSignal.timeout(1));
    expect(pool.stats().queued).toBe(2);
    controller.abort();
    const cancelled = await rejectionOf(queued);
    expect(cancelled).toBeInstanceOf(PoolError);
    expect((cancelled as PoolError).code).toBe('CANCELLED');
    const expired = await rejectionOf(timed);
    expect((expired as PoolError).code).toBe('DEADLINE_EXCEEDED');
    expect(pool.stats().queued).toBe(0);
    expect((await running).action).toBe('ALLOW');
  });

  it('rejects an already aborted signal without queueing', async () => {
    const err = await rejectionOf(pool.scan(task('x'), AbortSignal.abort()));
    expect((err as PoolError).code).toBe('CANCELLED');
    expect(pool.stats().queued).toBe(0);
  });
});

describe('scan pool with crashing workers', () => {
  let pool: ScanPool;
  beforeAll(async () => {
    pool = await createScanPool({ workers: 2, policySet: defaultPolicySet() });
  });
  afterAll(async () => {
    await pool.close();
  });

  for (const how of ['exit', 'throw'] as const) {
    it(`rejects in-flight work with INTERNAL when a worker dies (${how}) and keeps serving`, async () => {
      const started = performance.now();
      const err = await rejectionOf(pool.scan(task(`${CRASH}:${how}`)));
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('INTERNAL');
      expect(performance.now() - started).toBeLessThan(5000);
      const results = await Promise.all(Array.from({ length: 10 }, () => pool.scan(task('still here?'))));
      expect(results.every((r) => r.action === 'ALLOW')).toBe(true);
      await expect.poll(() => pool.stats().workers, { timeout: 10_000 }).toBe(2);
    });
  }

  it('gives a replacement worker the policy set in force, not the one the pool started with', async () => {
    await pool.setPolicySet(parsePolicySet(ELEPHANT_POLICY, 'elephant.yaml'));
    await rejectionOf(pool.scan(task(`${CRASH}:exit`)));
    await rejectionOf(pool.scan(task(`${CRASH}:exit`)));
    const results = await Promise.all(Array.from({ length: 20 }, () => pool.scan(task('purple elephant'))));
    expect(results.map((r) => r.action)).toEqual(Array(20).fill('BLOCK'));
  });
});

describe('scan pool watchdog', () => {
  it('replaces a thread stuck in a task past hungTaskMs and fails that task with INTERNAL', async () => {
    const pool = await createScanPool({ workers: 1, tasksPerWorker: 1, hungTaskMs: 300, policySet: defaultPolicySet() });
    try {
      const started = performance.now();
      const err = await rejectionOf(pool.scan(task(`${CRASH}:hang`)));
      expect((err as EngineError).code).toBe('INTERNAL');
      const took = performance.now() - started;
      expect(took).toBeGreaterThanOrEqual(300);
      expect(took).toBeLessThan(3000);
      expect((await pool.scan(task('after the hang'))).action).toBe('ALLOW');
    } finally {
      await pool.close({ graceMs: 0 });
    }
  });

  it('leaves scans that finish within the limit alone', async () => {
    const pool = await createScanPool({ workers: 1, hungTaskMs: 5_000, policySet: defaultPolicySet() });
    try {
      const results = await Promise.all(Array.from({ length: 20 }, () => pool.scan(task('a normal request'))));
      expect(results.every((r) => r.action === 'ALLOW')).toBe(true);
      expect(pool.stats().workers).toBe(1);
    } finally {
      await pool.close();
    }
  });
});

describe('scan pool shutdown', () => {
  it('finishes running tasks, rejects queued ones with UNAVAILABLE, then refuses new work', async () => {
    const pool = await createScanPool({ workers: 1, tasksPerWorker: 1, policySet: defaultPolicySet() });
    const running = pool.scan(task('The quick brown fox. '.repeat(1000)));
    const queued = pool.scan(task('queued'));
    const closed = pool.close();
    expect(((await rejectionOf(queued)) as PoolError).code).toBe('UNAVAILABLE');
    // Resolved with a decision (whatever the engine decided), not cut off.
    expect((await running).policyVersion).toBe(pool.policySet.tenants.default!.default!.version);
    await closed;
    expect(((await rejectionOf(pool.scan(task('late')))) as PoolError).code).toBe('UNAVAILABLE');
  });
});

describe('scan pool deadlines', () => {
  it('does not start a queued task whose deadline passed while it waited', async () => {
    const pool = await createScanPool({ workers: 1, tasksPerWorker: 1, policySet: defaultPolicySet() });
    try {
      const busy = pool.scan(task('jane.doe@example.com call +1 415 555 0100 '.repeat(3000)));
      const expired = pool.scan(task('waits too long', { deadline: Date.now() + 20 }));
      const err = await rejectionOf(expired);
      expect(err).toBeInstanceOf(PoolError);
      expect((err as PoolError).code).toBe('DEADLINE_EXCEEDED');
      await busy;
      expect(pool.stats().completed).toBe(1);
    } finally {
      await pool.close();
    }
  });
});
