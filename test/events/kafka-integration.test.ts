/**
 * Against a real Kafka broker, only when KAFKA_BROKERS is set (none can run on the CI
 * machines; docs/events.md shows how to start one with Docker):
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npx vitest run test/events/kafka-integration.test.ts
 *
 * Topics get a unique prefix per run and are created here (the publisher does not create
 * topics). Checks: each event on its topic, key = tenant, headers, payload = the event's JSON,
 * the outbox empty afterwards; and events emitted while the broker was unreachable arrive
 * once it is reachable (same outbox directory, new instance).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromJsonString } from '@bufbuild/protobuf';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecurityEventSchema, SecurityEventType } from '../../gen/bulwark/v1/security_event_pb.js';
import { TOPIC_SUFFIXES } from '../../src/events/event-encoding.js';
import { scanEvent } from '../../src/events/security-event-builders.js';
import { SecurityEvents, type SecurityEventsOptions } from '../../src/events/security-events.js';
import { silentLogger } from '../sidecar/sidecar-fixture.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
if (brokers.length === 0) console.info('kafka-integration: skipped, KAFKA_BROKERS is not set (see docs/events.md to run a broker)');

function record(i: number) {
  return {
    scanId: `scan-${i}`,
    tenantId: `tenant-${i % 3}`,
    occurredAt: new Date().toISOString(),
    direction: 'INPUT' as const,
    action: 'BLOCK' as const,
    requestId: `req-${i}`,
    agentId: 'agent',
    sidecarId: 'node-it',
    policyId: 'default',
    policyVersion: 'v1',
    contentHash: '',
    contentLength: 10,
    entityCounts: {},
    threats: [{ type: 'PROMPT_INJECTION' as const, severity: 'HIGH' as const, ruleId: 'r', detector: 'injection', entityType: '', count: 1, action: 'BLOCK' as const }],
    latencyMs: 1,
  };
}

describe.skipIf(brokers.length === 0)('Kafka integration (runs only with KAFKA_BROKERS=host:port)', () => {
  const prefix = `bulwark-it-${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-kafka-it-'));
  const kafka = new Kafka({ brokers, clientId: 'bulwark-it', logLevel: logLevel.NOTHING });
  let consumer: Consumer;
  const received: Array<{ topic: string; key: string; headers: Record<string, string>; value: string }> = [];

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: Object.values(TOPIC_SUFFIXES).map((s) => ({ topic: `${prefix}.${s}`, numPartitions: 3 })) });
    await admin.disconnect();
    consumer = kafka.consumer({ groupId: `${prefix}-group` });
    await consumer.connect();
    await consumer.subscribe({ topics: [`${prefix}.threat.detected`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        received.push({ topic, key: message.key?.toString() ?? '', headers, value: message.value?.toString() ?? '' });
      },
    });
  }, 60_000);
  afterAll(async () => {
    await consumer?.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes keyed events with headers and empties the outbox; events spooled while unreachable follow', async () => {
    // First while the broker is unreachable (a closed port), then the real brokers.
    const offline: SecurityEventsOptions = { nodeId: 'node-it', outboxDir: dir, topicPrefix: prefix, kafka: { brokers: ['127.0.0.1:1'], connectionTimeoutMs: 300 } };
    const down = await SecurityEvents.start(offline, silentLogger);
    for (let i = 0; i < 5; i++) down.emit(scanEvent(record(i)));
    await down.close();

    const events = await SecurityEvents.start({ ...offline, kafka: { brokers } }, silentLogger);
    expect(events.stats().depth).toBe(5);
    for (let i = 5; i < 10; i++) events.emit(scanEvent(record(i)));
    await expect.poll(() => events.stats().published, { timeout: 30_000 }).toBe(10);
    expect(events.stats().depth).toBe(0);
    await events.close();

    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
    const ids = new Set<string>();
    for (const m of received) {
      const event = fromJsonString(SecurityEventSchema, m.value);
      expect(m.topic).toBe(`${prefix}.threat.detected`);
      expect(m.key).toBe(event.tenantId);
      expect(m.headers).toMatchObject({ 'event-type': 'THREAT_DETECTED', 'event-id': event.eventId, 'correlation-id': event.requestId, 'content-type': 'application/json' });
      expect(event.type).toBe(SecurityEventType.THREAT_DETECTED);
      ids.add(event.eventId);
    }
    // At-least-once: duplicates are possible in principle, never a missing event.
    expect(new Set(received.map((m) => JSON.parse(m.value).requestId)).size).toBe(10);
    expect(ids.size).toBeGreaterThanOrEqual(10);
  }, 90_000);
});
