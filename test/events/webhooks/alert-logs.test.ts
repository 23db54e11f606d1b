/**
 * What alert delivery logs: the destination's name, delivery ids, statuses and reasons, never
 * the URL (Slack/Teams URLs carry a token) or a body; and a warning for the outbox folder of a
 * destination that is no longer configured.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { WebhookAlerts } from '../../../src/events/webhooks/webhook-alerts.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { AlertReceiver, eventually } from './alert-receiver.js';
import { destination, TempDirs, threatEvent } from './webhook-fixture.js';

function capturingLogger(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destinationStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', destination: destinationStream }) };
}

describe('alert logs', () => {
  const dirs = new TempDirs();
  const receiver = new AlertReceiver();
  afterAll(async () => {
    await receiver.stop();
    dirs.removeAll();
  });

  it('name the destination, never its URL token or the alert body; warn about orphaned outbox folders', async () => {
    await receiver.start();
    receiver.respond = (_r, i) => ({ status: i === 0 ? 503 : i === 1 ? 400 : 200 });
    const token = 'T0KEN-in-the-url-9f8e7d';
    const url = `${receiver.url}/services/${token}`;
    const dir = dirs.make();
    const { lines, logger } = capturingLogger();
    const first = await WebhookAlerts.start({ destinations: [destination(url, { name: 'old-name' })], dir, logger, closeGraceMs: 0 });
    await first.close();

    const alerts = await WebhookAlerts.start({ destinations: [destination(url, { name: 'oncall', format: 'slack' })], dir, logger, random: () => 1 });
    const event = threatEvent();
    alerts.publishEvent(event);
    alerts.publishEvent(threatEvent());
    await eventually('one retried, one rejected, one delivered', () => alerts.stats()[0]!.rejected === 1 && alerts.stats()[0]!.delivered === 1);
    await alerts.close();

    const text = lines.join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain('aws-access-key'); // rule ids are in bodies, not in delivery logs
    expect(text).not.toContain('receiver says');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.find((l) => l.msg === 'alert delivery failed; will retry')).toMatchObject({ destination: 'oncall', deliveryId: event.eventId, reason: 'HTTP 503', status: 503 });
    expect(parsed.find((l) => l.msg === 'alert rejected by the receiver; not retried')).toMatchObject({ destination: 'oncall', status: 400 });
    expect(parsed.find((l) => String(l.msg).startsWith('alert outbox of a destination that is no longer configured'))).toMatchObject({ folder: join(dir, 'old-name') });
  });
});
