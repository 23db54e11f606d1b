import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import { scanClient, statusOf, type ScanClient } from '../helpers/scan-client.js';
import { startTestSidecar } from './sidecar-fixture.js';

// Enables the worker's crash seam for sidecars started by this file (threads copy process.env).
const CRASH = 'sidecar-test-crash-41c9';
process.env.BULWARK_TEST_WORKER_CRASH_MARKER = CRASH;

/** About 210 KB dense with PII: keeps the single worker busy for a good part of a second. */
const SLOW_CONTENT = 'jane.doe@example.com call +1 415 555 0100 '.repeat(5000);

type Outcome = { ok: true; ms: number } | { ok: false; code: number; ms: number };

function outcome(promise: Promise<unknown>): Promise<Outcome> {
  const started = performance.now();
  return promise.then(
    () => ({ ok: true as const, ms: performance.now() - started }),
    (err: { code: number }) => ({ ok: false as const, code: err.code, ms: performance.now() - started }),
  );
}

describe('a saturated sidecar (1 worker, queue of 2)', () => {
  let sidecar: RunningSidecar;
  let client: ScanClient;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ workers: 1, maxQueue: 2, maxContentBytes: 1024 * 1024 });
    client = scanClient(sidecar.address, { 'grpc.max_send_message_length': -1 });
  });
  afterAll(async () => {
    client?.close();
    await sidecar?.close(1000);
  });

  it('answers a flood with RESOURCE_EXHAUSTED fast, finishes the rest, and hangs on nothing', async () => {
    const flood = Array.from({ length: 24 }, () => outcome(client.scan({ content: SLOW_CONTENT }, { deadlineMs: 60_000 })));
    const results = await Promise.all(flood);
    const exhausted = results.filter((r) => !r.ok && r.code === status.RESOURCE_EXHAUSTED);
    const succeeded = results.filter((r) => r.ok);
    expect(exhausted.length).toBeGreaterThan(0);
    expect(succeeded.length).toBeGreaterThan(0);
    // Nothing else: every call either ran or was refused.
    expect(exhausted.length + succeeded.length).toBe(results.length);
    // Refusals do not wait for the worker: the fastest refusal beats the fastest success.
    const fastestRefusal = Math.min(...exhausted.map((r) => r.ms));
    const fastestSuccess = Math.min(...succeeded.map((r) => r.ms));
    expect(fastestRefusal).toBeLessThan(fastestSuccess);
    expect(sidecar.pool.stats()).toMatchObject({ queued: 0, running: 0 });
  });

  it('drops a queued scan when its deadline passes, before the worker gets to it', async () => {
    // The worker takes two tasks at a time (one running, one in its inbox): keep both busy.
    const busy = [0, 1].map(() => client.scan({ content: SLOW_CONTENT }, { deadlineMs: 60_000 }));
    await expect.poll(() => sidecar.pool.stats().running, { interval: 2 }).toBe(2);
    const late = outcome(client.scan({ content: 'short' }, { deadlineMs: 150 }));
    await expect.poll(() => sidecar.pool.stats().queued, { interval: 2 }).toBe(1);
    const result = await late;
    expect(result).toMatchObject({ ok: false, code: status.DEADLINE_EXCEEDED });
    // Removed from the queue while the worker is still busy with the earlier scans.
    await expect.poll(() => sidecar.pool.stats().queued, { interval: 2, timeout: 100 }).toBe(0);
    expect(sidecar.pool.stats().running).toBeGreaterThan(0);
    await Promise.all(busy);
  });
});

describe('a worker crash', () => {
  let sidecar: RunningSidecar;
  let client: ScanClient;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ workers: 1 });
    client = scanClient(sidecar.address);
  });
  afterAll(async () => {
    client?.close();
    await sidecar?.close(1000);
  });

  for (const how of ['exit', 'throw'] as const) {
    it(`fails the scans in flight with INTERNAL (${how}), then serves again`, async () => {
      const crashed = await statusOf(client.scan({ content: `${CRASH}:${how}` }, { deadlineMs: 10_000 }));
      expect(crashed.code).toBe(status.INTERNAL);
      expect(crashed.details).toBe('scanner thread failed');
      const after = await client.scan({ content: 'Is the service still up?' }, { deadlineMs: 30_000 });
      expect(after.action).toBe(Action.ALLOW);
    });
  }
});
