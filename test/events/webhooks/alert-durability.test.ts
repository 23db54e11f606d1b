/**
 * Nothing is lost: alerts pending when the deliverer stops are delivered by a new one over
 * the same outbox directory ("restart"), and alerts raised while the receiver is down arrive
 * once it is back, each event at least once (receivers de-duplicate on event id).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { WebhookAlerts } from '../../../src/events/webhooks/webhook-alerts.js';
import { AlertReceiver, eventually } from './alert-receiver.js';
import { destination, startAlerts, TempDirs, threatEvent } from './webhook-fixture.js';

function receivedEventIds(receiver: AlertReceiver): Set<string> {
  const bodies = receiver.bodies() as Array<{ events: Array<{ eventId: string }> }>;
  return new Set(bodies.flatMap((b) => b.events.map((e) => e.eventId)));
}

describe('alert durability', () => {
  const dirs = new TempDirs();
  const receivers: AlertReceiver[] = [];
  let alerts: WebhookAlerts | undefined;

  afterEach(async () => {
    await alerts?.close();
    alerts = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });
  afterAll(() => dirs.removeAll());

  it('a new deliverer over the same outbox directory delivers what the previous one left', async () => {
    const receiver = await new AlertReceiver().start();
    receivers.push(receiver);
    receiver.respond = () => ({ status: 503 });
    const dir = dirs.make();
    const dest = destination(receiver.url);
    alerts = await startAlerts([dest], dir);
    const events = Array.from({ length: 5 }, () => threatEvent());
    for (const e of events) alerts.publishEvent(e);
    await eventually('the receiver refused at least once', () => receiver.requests.length >= 2);
    await alerts.close(); // the "crash": nothing acknowledged
    alerts = undefined;
    expect(receivedEventIds(receiver).size).toBeGreaterThan(0);
    receiver.requests.length = 0;

    receiver.respond = () => ({ status: 200 });
    alerts = await startAlerts([dest], dir);
    expect(alerts.stats()[0]!.outbox.depth).toBe(5);
    await eventually('all five delivered', () => receivedEventIds(receiver).size === 5);
    expect(receivedEventIds(receiver)).toEqual(new Set(events.map((e) => e.eventId)));
    await eventually('acknowledged', () => alerts!.stats()[0]!.outbox.depth === 0);
  });

  it('close keeps delivering within its grace: alerts raised just before a shutdown go out', async () => {
    const receiver = await new AlertReceiver().start();
    receivers.push(receiver);
    alerts = await startAlerts([destination(receiver.url)], dirs.make());
    const events = Array.from({ length: 3 }, () => threatEvent());
    for (const e of events) alerts.publishEvent(e);
    await alerts.close();
    expect(receivedEventIds(receiver)).toEqual(new Set(events.map((e) => e.eventId)));
    alerts = undefined;
  });

  it('receiver down for a while, then back: every event arrives (at least once)', async () => {
    const receiver = await new AlertReceiver().start();
    receivers.push(receiver);
    alerts = await startAlerts([destination(receiver.url, { rateLimit: { perMinute: 600, burst: 3 } })], dirs.make());
    const before = threatEvent();
    alerts.publishEvent(before);
    await eventually('first delivered', () => alerts!.stats()[0]!.delivered === 1);

    await receiver.stop();
    const during = Array.from({ length: 30 }, () => threatEvent());
    for (const e of during) alerts.publishEvent(e);
    await eventually('failed attempts while down', () => alerts!.stats()[0]!.retries >= 3);
    await new Promise((r) => setTimeout(r, 300));
    await receiver.restart();

    const all = [before, ...during].map((e) => e.eventId as string);
    await eventually('all delivered after the receiver came back', () => all.every((id) => receivedEventIds(receiver).has(id)));
    await eventually('acknowledged', () => alerts!.stats()[0]!.outbox.depth === 0);
    const stats = alerts.stats()[0]!;
    expect(stats.delivered).toBe(31);
    expect(stats).toMatchObject({ rejected: 0, expired: 0 });
  });
});
