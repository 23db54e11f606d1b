/**
 * End to end: a real sidecar with a webhook destination. Scanning a text with a GitHub token
 * sends exactly one signed alert whose body names the rule and the entity kind but holds
 * neither the token nor the surrounding text; a denied CheckAction sends one ACTION_DENIED
 * alert without the command; a clean scan sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Outbox } from '../../../src/events/outbox/outbox.js';
import { verifySignature } from '../../../src/events/webhooks/alert-signature.js';
import { parsePolicySet } from '../../../src/policy/load-policy.js';
import type { RunningSidecar } from '../../../src/sidecar/start-sidecar.js';
import { EXAMPLE_POLICY_YAML } from '../../actions/example-policy.js';
import { githubToken } from '../../detectors/secret-fixtures.js';
import { startTestSidecar } from '../../sidecar/sidecar-fixture.js';
import { AlertReceiver, eventually } from './alert-receiver.js';
import { destination, TempDirs } from './webhook-fixture.js';

const SECRET = 'e2e-signing-secret-0123456789';
/** JSON read back from the wire; shapes are asserted, not typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON under test
type Wire = any;

async function connect(sidecar: RunningSidecar, method: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${sidecar.port}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('sidecar webhook alerts (end to end)', () => {
  const metricsText = async (): Promise<string> => (await fetch(`http://${sidecar.metrics!.address!}/metrics`)).text();
  const receiver = new AlertReceiver();
  const dirs = new TempDirs();
  let sidecar: RunningSidecar;

  beforeAll(async () => {
    await receiver.start();
    process.env.E2E_ALERT_SECRET = SECRET;
    const policySet = parsePolicySet(EXAMPLE_POLICY_YAML, 'example.yaml', { BULWARK_HASH_SALT: 'test-salt-0123456789' });
    sidecar = await startTestSidecar({
      workers: 1,
      policySet,
      metricsListen: '127.0.0.1:0',
      alerts: { destinations: [destination(receiver.url, { secret: { env: 'E2E_ALERT_SECRET' } })], dir: dirs.make(), nodeId: 'e2e-node' },
    });
  }, 60_000);
  afterAll(async () => {
    await sidecar?.close(1_000);
    await receiver.stop();
    dirs.removeAll();
  });

  it('a scan that finds a secret: one signed alert, without the secret or the text', async () => {
    const token = githubToken('ghp', 7);
    const text = `deploy with token ${token} please, the launch codes are in the vault`;
    const scan = await connect(sidecar, 'bulwark.v1.SecurityScanService/Scan', { tenantId: 'acme', content: text, requestId: 'e2e-req-1', agentId: 'e2e-agent' });
    expect((scan.threats as Array<{ type: string }>).some((t) => t.type === 'THREAT_TYPE_SECRET')).toBe(true);
    await eventually('one alert', () => receiver.requests.length === 1);
    await connect(sidecar, 'bulwark.v1.SecurityScanService/Scan', { tenantId: 'acme', content: 'a perfectly ordinary question about the weather' });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(1);

    const [request] = receiver.requests;
    expect(request!.body).not.toContain(token);
    expect(request!.body).not.toContain(token.slice(4, 20));
    expect(request!.body).not.toContain('launch codes');
    expect(verifySignature(SECRET, request!.body, { signature: request!.headers['x-bulwark-signature'] as string, timestamp: request!.headers['x-bulwark-timestamp'] as string })).toBe('ok');
    const body = JSON.parse(request!.body) as { count: number; events: Array<Record<string, Wire>> };
    expect(body.count).toBe(1);
    const event = body.events[0]!;
    expect(event).toMatchObject({ type: 'SECURITY_EVENT_TYPE_THREAT_DETECTED', tenantId: 'acme', sidecarId: 'e2e-node', requestId: 'e2e-req-1', agentId: 'e2e-agent' });
    expect(event.scan.scanId).toBe(scan.scanId);
    expect(event.scan.threats).toContainEqual(expect.objectContaining({ type: 'THREAT_TYPE_SECRET', detector: 'secrets' }));
    expect(request!.headers['x-bulwark-delivery']).toBe(event.eventId);
  });

  it('a denied agent action: one ACTION_DENIED alert without the command', async () => {
    const before = receiver.requests.length;
    const decision = await connect(sidecar, 'bulwark.v1.AgentActionService/CheckAction', {
      tenantId: 'acme', agentId: 'data_processor', actionType: 'ACTION_TYPE_TOOL_CALL', target: 'execute_command', parameters: { command: 'sudo rm -rf /srv/secret-project' },
    });
    expect(decision.decision).toBe('ACTION_DECISION_KIND_DENY');
    await eventually('the action alert', () => receiver.requests.length === before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(before + 1);
    const request = receiver.requests[before]!;
    expect(request.body).not.toContain('rm -rf');
    expect(request.body).not.toContain('secret-project');
    const event = (JSON.parse(request.body) as { events: Array<Record<string, Wire>> }).events[0]!;
    expect(event).toMatchObject({ type: 'SECURITY_EVENT_TYPE_ACTION_DENIED', tenantId: 'acme', agentId: 'data_processor' });
    expect(event.action).toMatchObject({ decision: 'ACTION_DECISION_KIND_DENY', reasonCode: decision.reasonCode, toolName: 'execute_command' });
  });

  it('/metrics counts deliveries per destination and shows the alert outbox', async () => {
    await eventually('both acknowledged', async () => (await metricsText()).includes('bulwark_outbox_published_total{outbox="alerts/test-hook"} 2'));
    const text = await metricsText();
    expect(text).toContain('bulwark_alerts_delivered_total{destination="test-hook"} 2');
    expect(text).toContain('bulwark_alert_retries_total{destination="test-hook"} 0');
    expect(text).toContain('bulwark_outbox_depth{outbox="alerts/test-hook"} 0');
  });
});

describe('sidecar webhook alerts next to Kafka events', () => {
  const receiver = new AlertReceiver();
  const dirs = new TempDirs();

  afterAll(async () => {
    await receiver.stop();
    dirs.removeAll();
  });

  it('with Kafka events on, the alert is the emitted event: one alert, the same event id as the Kafka record', async () => {
    await receiver.start();
    const dir = dirs.make();
    // The broker is unreachable (a closed port): events stay in their outbox, alerts still go.
    const sidecar = await startTestSidecar({
      workers: 1,
      events: { nodeId: 'e2e-node', outboxDir: join(dir, 'events'), kafka: { brokers: ['127.0.0.1:1'], connectionTimeoutMs: 300, requestTimeoutMs: 1_000 } },
      alerts: { destinations: [destination(receiver.url)], dir: join(dir, 'alerts') },
    });
    try {
      await connect(sidecar, 'bulwark.v1.SecurityScanService/Scan', { tenantId: 'acme', content: `token ${githubToken('ghp', 11)}` });
      await eventually('one alert', () => receiver.requests.length === 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await sidecar.close(1_000);
    }
    const alertEventId = (JSON.parse(receiver.requests[0]!.body) as { events: Array<{ eventId: string }> }).events[0]!.eventId;
    const outbox = await Outbox.open({ dir: join(dir, 'events') });
    const kafkaRecords = await outbox.read(100);
    await outbox.close();
    expect(kafkaRecords.filter((m) => m.headers['event-type'] === 'THREAT_DETECTED').map((m) => m.headers['event-id'])).toEqual([alertEventId]);
  }, 60_000);
});
