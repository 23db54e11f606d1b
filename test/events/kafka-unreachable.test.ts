/**
 * kafkajs pointed at real TCP listeners on 127.0.0.1 that are not Kafka: a closed port
 * (connection refused) and a listener that accepts and drops every connection. Events stay
 * in the outbox, failed attempts are counted with backoff, emitting never blocks, and a new
 * instance over the same directory (a restart) sees every pending event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { afterAll, describe, expect, it } from 'vitest';
import { SecurityEventSchema, SecurityEventType } from '../../gen/bulwark/v1/security_event_pb.js';
import { uuidv7 } from '../../src/events/event-id.js';
import { Outbox } from '../../src/events/outbox/outbox.js';
import { SecurityEvents, type SecurityEventsOptions } from '../../src/events/security-events.js';
import { closedPort } from '../helpers/closed-port.js';
import { silentLogger } from '../sidecar/sidecar-fixture.js';

const dirs: string[] = [];
const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function listen(onConnection?: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

function threatEvent(i: number) {
  return create(SecurityEventSchema, { eventId: uuidv7(), time: timestampNow(), type: SecurityEventType.THREAT_DETECTED, tenantId: `t${i % 2}`, requestId: `r${i}` });
}

function options(port: number): SecurityEventsOptions {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-kafka-down-'));
  dirs.push(dir);
  return {
    nodeId: 'node-1',
    outboxDir: dir,
    kafka: { brokers: [`127.0.0.1:${port}`], connectionTimeoutMs: 500, requestTimeoutMs: 1_000 },
    pump: { backoffBaseMs: 20, backoffMaxMs: 100 },
  };
}

async function emitAndWatchFailures(opts: SecurityEventsOptions, count: number): Promise<void> {
  const events = await SecurityEvents.start(opts, silentLogger);
  const started = performance.now();
  for (let i = 0; i < count; i++) events.emit(threatEvent(i));
  // Emitting is a synchronous enqueue: no network, no disk on the caller's path.
  expect(events.stats().depth).toBe(count);
  expect(performance.now() - started).toBeLessThan(5_000);
  await events.flush();
  await expect.poll(() => events.stats().failedAttempts, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(2);
  expect(events.stats()).toMatchObject({ depth: count, published: 0, dropped: 0 });
  await events.close();

  // A restart: a new instance over the same directory has every event, in order.
  const reopened = await Outbox.open({ dir: opts.outboxDir });
  const pending = await reopened.read(1_000);
  expect(pending.map((m) => m.headers['correlation-id'])).toEqual(Array.from({ length: count }, (_, i) => `r${i}`));
  expect(pending.every((m) => m.destination === 'bulwark.threat.detected')).toBe(true);
  await reopened.close();
}

describe('Kafka unreachable', () => {
  it('connection refused: events stay in the outbox, attempts are counted', async () => {
    await emitAndWatchFailures(options(await closedPort()), 25);
  }, 45_000);

  it('a listener that accepts then drops connections: same', async () => {
    let connections = 0;
    const { server, port } = await listen((socket) => {
      connections++;
      socket.destroy();
    });
    servers.push(server);
    await emitAndWatchFailures(options(port), 25);
    expect(connections).toBeGreaterThan(0);
  }, 45_000);

  it('a new SecurityEvents over the same directory starts with the pending events (replay after restart)', async () => {
    const opts = options(await closedPort());
    const first = await SecurityEvents.start(opts, silentLogger);
    for (let i = 0; i < 10; i++) first.emit(threatEvent(i));
    await first.close();
    const second = await SecurityEvents.start(opts, silentLogger);
    expect(second.stats().depth).toBe(10);
    expect(second.stats().oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    await second.close();
  }, 45_000);
});
