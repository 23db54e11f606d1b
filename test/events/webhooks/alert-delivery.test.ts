/**
 * Delivery against a real receiver: retries on 500 then success, Retry-After honoured, no
 * retry on 400 (counted, the next alert still goes), the rate limit holds (excess coalesced
 * into one summary that carries every event), and a receiver that hangs times out and is retried.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookAlerts } from '../../../src/events/webhooks/webhook-alerts.js';
import { AlertReceiver, eventually } from './alert-receiver.js';
import { destination, startAlerts, TempDirs, threatEvent } from './webhook-fixture.js';

describe('alert delivery', () => {
  const receiver = new AlertReceiver();
  const dirs = new TempDirs();
  let alerts: WebhookAlerts | undefined;

  beforeAll(async () => {
    await receiver.start();
  });
  afterEach(async () => {
    await alerts?.close();
    alerts = undefined;
    receiver.requests.length = 0;
    receiver.respond = () => ({ status: 200 });
  });
  afterAll(async () => {
    await receiver.stop();
    dirs.removeAll();
  });

  it('retries on 500 and 503 with the same delivery id, then succeeds', async () => {
    receiver.respond = (_r, i) => ({ status: i === 0 ? 500 : i === 1 ? 503 : 200 });
    alerts = await startAlerts([destination(receiver.url)], dirs.make());
    const event = threatEvent();
    alerts.publishEvent(event);
    await eventually('delivered', () => alerts!.stats()[0]!.delivered === 1);
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['x-bulwark-delivery']))).toEqual(new Set([event.eventId]));
    expect(alerts.stats()[0]).toMatchObject({ delivered: 1, retries: 2, rejected: 0 });
    await eventually('acknowledged', () => alerts!.stats()[0]!.outbox.depth === 0);
  });

  it('honours Retry-After on 429 (seconds) instead of its own, much shorter, backoff', async () => {
    receiver.respond = (_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 });
    // Backoff alone would wait at most 20 ms before the second attempt.
    alerts = await startAlerts([destination(receiver.url, { retry: { baseMs: 20, maxMs: 5_000 } })], dirs.make());
    alerts.publishEvent(threatEvent());
    await eventually('delivered', () => alerts!.stats()[0]!.delivered === 1);
    const [first, second] = receiver.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up on 400 without retrying (counted) and goes on with the next alert', async () => {
    receiver.respond = (_r, i) => ({ status: i === 0 ? 400 : 200 });
    alerts = await startAlerts([destination(receiver.url)], dirs.make());
    alerts.publishEvent(threatEvent());
    const next = threatEvent();
    alerts.publishEvent(next);
    await eventually('second delivered', () => alerts!.stats()[0]!.delivered === 1);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.headers['x-bulwark-delivery']).toBe(next.eventId);
    expect(alerts.stats()[0]).toMatchObject({ rejected: 1, delivered: 1, retries: 0 });
  });

  it('rate limit: the burst goes one by one, the rest is coalesced into one summary with every event', async () => {
    // 2 at once, then one message per 2 s: 12 alerts published together.
    alerts = await startAlerts([destination(receiver.url, { rateLimit: { perMinute: 30, burst: 2 } })], dirs.make());
    const events = Array.from({ length: 12 }, () => threatEvent());
    for (const e of events) alerts.publishEvent(e);
    await eventually('all 12 delivered', () => alerts!.stats()[0]!.delivered === 12);
    const bodies = receiver.bodies() as Array<{ coalesced: boolean; count: number; events: Array<{ eventId: string }> }>;
    expect(bodies).toHaveLength(3);
    expect(bodies.map((b) => b.coalesced)).toEqual([false, false, true]);
    expect(bodies[2]!.count).toBe(10);
    expect(bodies.flatMap((b) => b.events.map((e) => e.eventId))).toEqual(events.map((e) => e.eventId));
    expect(receiver.requests[2]!.headers['x-bulwark-delivery']).toMatch(/^sum-[0-9a-f]{32}$/);
    // The third message waited for a token (2 s at 30/min), not sent with the burst.
    expect(receiver.requests[2]!.at - receiver.requests[0]!.at).toBeGreaterThanOrEqual(1_500);
    expect(alerts.stats()[0]).toMatchObject({ messages: 3, coalesced: 10 });
  });

  it('a receiver that never answers times out and the alert is retried', async () => {
    receiver.respond = (_r, i) => (i === 0 ? 'hang' : { status: 200 });
    alerts = await startAlerts([destination(receiver.url, { timeoutMs: 300 })], dirs.make());
    alerts.publishEvent(threatEvent());
    await eventually('delivered', () => alerts!.stats()[0]!.delivered === 1);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]!.at - receiver.requests[0]!.at).toBeGreaterThanOrEqual(250);
    expect(alerts.stats()[0]).toMatchObject({ delivered: 1, retries: 1 });
  });
});
