/**
 * Each format's body as a real receiver gets it: generic JSON (SecurityEvent envelope), Slack
 * (text + Block Kit) and Teams (Adaptive Card), for a threat, a denied action and a summary.
 * Bodies are signed, and hold ids, types, rule ids and counts, never content.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../../src/events/webhooks/alert-signature.js';
import type { WebhookAlerts } from '../../../src/events/webhooks/webhook-alerts.js';
import { AlertReceiver, eventually } from './alert-receiver.js';
import { deniedEvent, destination, startAlerts, TempDirs, threatEvent } from './webhook-fixture.js';

/** JSON read back from the wire; shapes are asserted, not typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON under test
type Wire = any;

describe('alert formats', () => {
  const receiver = new AlertReceiver();
  const dirs = new TempDirs();
  let alerts: WebhookAlerts | undefined;
  const secret = 'format-test-secret';

  beforeAll(async () => {
    await receiver.start();
  });
  afterEach(async () => {
    await alerts?.close();
    receiver.requests.length = 0;
  });
  afterAll(async () => {
    await receiver.stop();
    dirs.removeAll();
  });

  it('generic JSON: the SecurityEvent JSON in an envelope, signed, with the delivery id header', async () => {
    process.env.TEST_ALERT_SECRET = secret;
    alerts = await startAlerts([destination(receiver.url, { format: 'json', secret: { env: 'TEST_ALERT_SECRET' } })], dirs.make());
    const event = threatEvent();
    alerts.publishEvent(event);
    await eventually('one request', () => receiver.requests.length === 1);
    const [request] = receiver.requests;
    expect(JSON.parse(request!.body)).toEqual({ source: 'bulwark', deliveryId: event.eventId, coalesced: false, count: 1, events: [event] });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-bulwark-delivery']).toBe(event.eventId);
    const check = verifySignature(secret, request!.body, { signature: request!.headers['x-bulwark-signature'] as string, timestamp: request!.headers['x-bulwark-timestamp'] as string });
    expect(check).toBe('ok');
  });

  it('Slack: notification text and Block Kit blocks (header, fields, threat lines), values escaped', async () => {
    alerts = await startAlerts([destination(receiver.url, { format: 'slack' })], dirs.make());
    const event = threatEvent({ tenantId: 'acme<!channel>' });
    alerts.publishEvent(event);
    alerts.publishEvent(deniedEvent());
    await eventually('two requests', () => receiver.requests.length === 2);
    const [threat, denied] = receiver.bodies() as Array<{ text: string; blocks: Array<Record<string, Wire>> }>;
    expect(threat!.text).toBe('Bulwark: HIGH SECRET → BLOCK');
    expect(threat!.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section']);
    const fields = (threat!.blocks[1]!.fields as Array<{ text: string }>).map((f) => f.text);
    expect(fields).toContain('*Tenant*\nacme&lt;!channel&gt;');
    expect(fields).toContain(`*Event*\n${String(event.eventId)}`);
    expect(threat!.blocks[2]!.text.text).toBe('• HIGH SECRET aws-access-key (AWS_ACCESS_KEY) ×2');
    expect(denied!.text).toBe('Bulwark: agent action denied (RULE)');
    expect(JSON.stringify(denied!.blocks)).toContain('*Rule*\\nno-shell');
    expect(JSON.stringify(denied!.blocks)).toContain('*Action*\\nTOOL_CALL shell');
    // No signature without a secret.
    expect(receiver.requests[0]!.headers['x-bulwark-signature']).toBeUndefined();
  });

  it('Teams: an Adaptive Card message with title, facts and threat lines', async () => {
    alerts = await startAlerts([destination(receiver.url, { format: 'teams' })], dirs.make());
    alerts.publishEvent(threatEvent({ severity: 'SEVERITY_CRITICAL' }));
    await eventually('one request', () => receiver.requests.length === 1);
    const body = receiver.bodies()[0] as { type: string; attachments: Array<{ contentType: string; content: { type: string; version: string; body: Array<Record<string, Wire>> } }> };
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    const card = body.attachments[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.content.body[0]).toMatchObject({ type: 'TextBlock', text: 'Bulwark: CRITICAL SECRET → BLOCK' });
    expect(card.content.body[1]!.type).toBe('FactSet');
    expect(card.content.body[1]!.facts).toContainEqual({ title: 'Tenant', value: 'acme' });
    expect(card.content.body[2]).toMatchObject({ type: 'TextBlock', text: '- CRITICAL SECRET aws-access-key (AWS\\_ACCESS\\_KEY) ×2' });
  });

  it('filters: below the minimum severity, other tenants and (when off) denied actions send nothing', async () => {
    alerts = await startAlerts([destination(receiver.url, { minSeverity: 'CRITICAL', tenants: ['acme'], deniedActions: false })], dirs.make());
    alerts.publishEvent(threatEvent({ severity: 'SEVERITY_HIGH' }));
    alerts.publishEvent(threatEvent({ severity: 'SEVERITY_CRITICAL', tenantId: 'globex' }));
    alerts.publishEvent(deniedEvent());
    alerts.publishEvent({ ...threatEvent(), type: 'SECURITY_EVENT_TYPE_SCAN_COMPLETED' });
    const wanted = threatEvent({ severity: 'SEVERITY_CRITICAL' });
    alerts.publishEvent(wanted);
    await eventually('one request', () => receiver.requests.length === 1);
    await alerts.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['x-bulwark-delivery']).toBe(wanted.eventId);
  });
});
