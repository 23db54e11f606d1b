/**
 * Fault: a scanner thread dies in the middle of a scan while other scans and a StreamScan are
 * in flight on a real sidecar (2 threads, gRPC on 127.0.0.1).
 *
 * test/pool/scan-pool.test.ts and test/sidecar/overload.test.ts cover one crash with nothing
 * else running. This file adds the concurrency: what every caller sees (exactly one answer per
 * call: a decision, or INTERNAL "scanner thread failed" for the scans that were on the dead
 * thread), that a StreamScan loses only the logical stream whose window was on that thread
 * (a per-stream error, not a broken RPC), and that the replacement thread enforces the policy
 * in force, with nothing left queued or running.
 */
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamScanResponse } from '../../gen/bulwark/v1/scan_service_pb.js';
import { Action } from '../../gen/bulwark/v1/threat_pb.js';
import { parsePolicySet } from '../../src/policy/load-policy.js';
import type { RunningSidecar } from '../../src/sidecar/start-sidecar.js';
import { runStream, scanClient, type ScanClient } from '../helpers/scan-client.js';
import { blockPhrasePolicy, startTestSidecar } from '../sidecar/sidecar-fixture.js';
import { settle, type Settled } from './fault-helpers.js';

// Enables the worker's crash seam for the sidecar of this file (threads copy process.env at start).
const CRASH = 'faults-worker-crash-5d2e';
process.env.BULWARK_TEST_WORKER_CRASH_MARKER = CRASH;

// A generous time budget: on a loaded machine a slow scan must not fail closed (BLOCK) and
// blur what this test checks.
const POLICY = parsePolicySet(`${blockPhrasePolicy('no-crimson-kites', 'crimson kite')}  timeBudgetMs: 30000\n`, 'faults.yaml');
/** About 40 KB of text with PII: long enough that scans overlap the crash. */
const BUSY = 'reach jane.doe@example.com or +1 415 555 0100 about the quarterly plan. '.repeat(550);

/** Scans on the dead thread fail with exactly this; nothing else may fail. */
function expectCrashVictim(outcome: Settled<unknown>): void {
  expect(outcome).toMatchObject({ ok: false, code: status.INTERNAL, details: 'scanner thread failed' });
}

describe('fault: a scanner thread crashes mid-scan under concurrent load', { timeout: 90_000 }, () => {
  let sidecar: RunningSidecar;
  let client: ScanClient;
  beforeAll(async () => {
    sidecar = await startTestSidecar({ workers: 2, policySet: POLICY });
    client = scanClient(sidecar.address);
  });
  afterAll(async () => {
    client?.close();
    await sidecar?.close(1000);
  });

  for (const how of ['exit', 'throw'] as const) {
    it(`(${how}) answers every call once: the crashed scan INTERNAL, the others decided; the thread is replaced`, async () => {
      const before = sidecar.pool.stats().completed;
      const others = Array.from({ length: 16 }, (_, i) =>
        settle(client.scan({ content: i % 4 === 0 ? `${BUSY} a crimson kite` : BUSY }, { deadlineMs: 60_000 })),
      );
      const crashed = settle(client.scan({ content: `${CRASH}:${how}` }, { deadlineMs: 60_000 }));
      const more = Array.from({ length: 8 }, () => settle(client.scan({ content: BUSY }, { deadlineMs: 60_000 })));
      const outcomes = await Promise.all([...others, ...more]);

      expectCrashVictim(await crashed);
      // Tasks sharing the dead thread (it holds two at a time) fail the same way; every other
      // scan gets its real decision.
      const failed = outcomes.filter((o) => !o.ok);
      failed.forEach(expectCrashVictim);
      expect(failed.length).toBeLessThanOrEqual(1);
      outcomes.forEach((o, i) => {
        if (!o.ok) return;
        const expected = i < others.length && i % 4 === 0 ? Action.BLOCK : Action.REDACT;
        expect(o.value.action).toBe(expected);
      });

      await expect.poll(() => sidecar.pool.stats().workers, { timeout: 20_000 }).toBe(2);
      // Nothing is left behind in the pool: every task was answered and counted.
      expect(sidecar.pool.stats()).toMatchObject({ queued: 0, running: 0 });
      expect(sidecar.pool.stats().completed - before).toBe(outcomes.length + 1);
      // The replacement thread has the policy in force: many scans land on both threads.
      const after = await Promise.all(Array.from({ length: 12 }, () => client.scan({ content: 'a crimson   kite again' }, { deadlineMs: 60_000 })));
      expect(after.map((r) => r.action)).toEqual(Array(12).fill(Action.BLOCK));
    });
  }

  it('a StreamScan in flight: only the logical stream on the dead thread ends, with a clean INTERNAL error', async () => {
    const words = (tag: string) => Array.from({ length: 6 }, (_, i) => `${tag} part ${i} of an ordinary answer. `);
    const a = words('alpha');
    const b = words('bravo');
    const responses: StreamScanResponse[] = await runStream(client.streamScan({ deadlineMs: 60_000 }), [
      { streamId: 'a', content: a[0]! },
      { streamId: 'victim', content: `${CRASH}:exit` },
      { streamId: 'b', content: b[0]! },
      ...a.slice(1).map((content, i) => ({ streamId: 'a', content, endOfStream: i === a.length - 2 })),
      // The victim's id is closed: a later chunk is refused, never scanned as a new stream.
      { streamId: 'victim', content: 'more text' },
      ...b.slice(1).map((content, i) => ({ streamId: 'b', content, endOfStream: i === b.length - 2 })),
    ]);
    const of = (id: string) => responses.filter((r) => r.streamId === id);
    const victim = of('victim');
    expect(victim).toHaveLength(2);
    expect(victim[0]).toMatchObject({ endOfStream: true, releasedContent: '' });
    expect(victim[0]!.error).toMatchObject({ code: status.INTERNAL, message: 'scanner thread failed' });
    expect(victim[1]!.error?.code).toBe(status.FAILED_PRECONDITION);
    // The other streams of the same RPC: every chunk answered; released in full unless their
    // own window shared the dead thread (then: the same clean error, and the stream is closed).
    const collateral: string[] = [];
    for (const [id, text] of [['a', a], ['b', b]] as const) {
      const mine = of(id);
      // One response per chunk either way.
      expect(mine).toHaveLength(text.length);
      expect(mine.at(-1)!.endOfStream).toBe(true);
      const firstError = mine.findIndex((r) => r.error);
      if (firstError < 0) {
        expect(mine.map((r) => r.releasedContent).join('')).toBe(text.join(''));
        continue;
      }
      collateral.push(id);
      expect(mine[firstError]!.error).toMatchObject({ code: status.INTERNAL, message: 'scanner thread failed' });
      for (const later of mine.slice(firstError + 1)) expect(later.error?.code).toBe(status.FAILED_PRECONDITION);
    }
    expect(collateral.length).toBeLessThanOrEqual(1);
    await expect.poll(() => sidecar.pool.stats().workers, { timeout: 20_000 }).toBe(2);
    // A new RPC after the crash streams normally.
    const again = await runStream(client.streamScan({ deadlineMs: 60_000 }), [{ streamId: 'n', content: 'all quiet now', endOfStream: true }]);
    expect(again).toMatchObject([{ releasedContent: 'all quiet now', endOfStream: true, action: Action.ALLOW }]);
  });
});
