/**
 * `npm run bench:push`: policy push latency and record ingest rate of the control plane.
 *
 * Push: a control plane (PGlite in memory; a fresh PostgreSQL database when DATABASE_URL is
 * set) and N lightweight StreamPolicies clients (one gRPC connection each, ACK on receipt,
 * no policy compilation), N = 1, 10, 100. Each round writes the policy through the admin API
 * (UpdatePolicy) and measures, from just before the write:
 *   - last ACK sent: when the last of the N clients has received the new snapshot and
 *     written its ACK (the push latency the target is about);
 *   - last ACK recorded: when the fleet table shows all N ACKs (polled every 10 ms).
 * Ingest: IngestScanRecords with batches of 500 (4 calls in flight), and the sidecar's
 * RecordShipper end to end (push → batch → ingest).
 *
 * Flags: --rounds N (default 30), --sizes 1,10,100, --records N (default 50000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { create } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { PolicyAdminService } from '../gen/bulwark/v1/policy_admin_service_pb.js';
import { IngestScanRecordsRequestSchema, RecordIngestService } from '../gen/bulwark/v1/record_ingest_service_pb.js';
import { ScanRecordSchema } from '../gen/bulwark/v1/scan_record_pb.js';
import { Action, Direction } from '../gen/bulwark/v1/threat_pb.js';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { hmacSecretFrom } from '../src/control/auth/auth-config.js';
import { mintHs256Token } from '../src/control/auth/mint-token.js';
import { startControlPlane } from '../src/control/start-control-plane.js';
import { ControlPlaneChannel } from '../src/sidecar/control-plane-channel.js';
import { grpcServiceDefinition } from '../src/sidecar/grpc-service-definition.js';
import { RecordShipper } from '../src/sidecar/record-shipper.js';
import { createLogger } from '../src/telemetry/logger.js';
import { testClient } from '../test/control/grpc-test-client.js';
import { openPolicyStream, type PolicyStream } from '../test/helpers/policy-stream-client.js';
import { pgliteFactory, postgresFactory } from '../test/store/test-databases.js';
import { summarize } from './latency-stats.js';
import { loadAverageNow, machineInfo } from './machine-info.js';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, sizes: { type: 'string' }, records: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 30);
const SIZES = (values.sizes ?? '1,10,100').split(',').map(Number);
const RECORDS = Number(values.records ?? 50_000);
const SECRET = 'bench-push-secret-0123456789-0123456789';
const silent = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;

const info = machineInfo(process.argv.slice(2));
info.command = process.argv.length > 2 ? ['npm run bench:push --', ...process.argv.slice(2)].join(' ') : 'npm run bench:push';
const engine = process.env.DATABASE_URL ? 'postgres' : 'pglite';
console.log(`machine: ${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.os}, node ${info.node}, load ${info.loadAverage1m}`);
console.log(`command: ${info.command}   (storage: ${engine}; ${info.date})`);

const database = await (process.env.DATABASE_URL ? postgresFactory(process.env.DATABASE_URL) : pgliteFactory).create();
const plane = await startControlPlane({
  listen: '127.0.0.1:0',
  database: database.db,
  auth: { hmacSecret: hmacSecretFrom(SECRET), clockToleranceSeconds: 60 },
  logger: silent,
  retentionIntervalMs: 0,
});
const mint = (roles: ('admin' | 'sidecar')[]) => mintHs256Token({ secret: hmacSecretFrom(SECRET), roles, tenantId: 'acme', ttlSeconds: 3600 });
await plane.repositories.tenants.create({ tenantId: 'acme' });
const adminToken = await mint(['admin']);
const sidecarToken = await mint(['sidecar']);
const admin = testClient(PolicyAdminService, plane.address);
const policyYaml = (n: number) =>
  `apiVersion: bulwark.dev/v1\nkind: Policy\nmetadata:\n  tenant: acme\nspec:\n  customRules:\n    - id: rule-${n}\n      pattern: 'purple\\s+elephant\\s+${n}'\n      action: BLOCK\n`;
let version = (await admin.call('createPolicy', { policyId: 'default', yaml: policyYaml(0) }, adminToken)).policy!.version;

async function ackedCount(snapshotVersion: string): Promise<number> {
  const { rows } = await database.db.query<{ n: unknown }>(`SELECT count(*) AS n FROM sidecar_tenants WHERE acked_policy_version = $1`, [snapshotVersion]);
  return Number(rows[0]?.n ?? 0);
}

async function pushRounds(size: number) {
  const ackedAt = new Map<string, number[]>(); // snapshot version → ACK send times
  const clients: grpc.Client[] = [];
  const streams: PolicyStream[] = [];
  for (let i = 0; i < size; i++) {
    const client = new grpc.Client(plane.address, grpc.credentials.createInsecure());
    clients.push(client);
    streams.push(
      openPolicyStream(plane.address, {
        client,
        token: sidecarToken,
        nodeId: `bench-${size}-${i}`,
        autoAck: (s) => {
          const list = ackedAt.get(s.version) ?? [];
          list.push(performance.now());
          ackedAt.set(s.version, list);
        },
      }),
    );
  }
  const waitFor = async (v: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 30_000) => {
    const started = performance.now();
    while (!(await predicate())) {
      if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${v}`);
      await sleep(2);
    }
  };
  await waitFor('first snapshots', () => streams.every((s) => s.snapshots.length > 0));
  const sent: number[] = [];
  const recorded: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const updated = (await admin.call('updatePolicy', { policyId: 'default', yaml: policyYaml(r + 1), expectedVersion: version }, adminToken)).policy!;
    version = updated.version;
    const v = `r${updated.revision}`;
    await waitFor(v, () => (ackedAt.get(v)?.length ?? 0) >= size);
    sent.push(Math.max(...(ackedAt.get(v) ?? [])) - t0);
    for (;;) {
      if ((await ackedCount(v)) >= size) break;
      await sleep(10);
    }
    recorded.push(performance.now() - t0);
    await sleep(100); // let the round's fleet writes finish before the next write
  }
  streams.forEach((s) => s.close());
  clients.forEach((c) => c.close());
  await sleep(200);
  return { size, sent: summarize(sent, 0, 1), recorded: summarize(recorded, 0, 1) };
}

console.log(`\npolicy push: write (UpdatePolicy) → last ACK, ${ROUNDS} rounds per size, ms`);
console.log('clients  last-ACK-sent p50 / p99 / max   last-ACK-recorded p50 / p99 / max');
for (const size of SIZES) {
  const r = await pushRounds(size);
  console.log(
    `${String(size).padStart(7)}  ${[r.sent.p50, r.sent.p99, r.sent.max].map(round1).join(' / ').padEnd(29)}  ${[r.recorded.p50, r.recorded.p99, r.recorded.max].map(round1).join(' / ')}`,
  );
}

function record(i: number) {
  return create(ScanRecordSchema, {
    scanId: randomUUID(),
    tenantId: 'acme',
    time: timestampFromDate(new Date()),
    direction: Direction.INPUT,
    action: i % 10 === 0 ? Action.BLOCK : Action.ALLOW,
    requestId: `req-${i}`,
    agentId: 'bench-agent',
    sidecarId: 'bench-node',
    policyId: 'default',
    policyVersion: 'sha256:000000000000',
    contentHash: `hmac-sha256:${'0'.repeat(64)}`,
    contentLength: 1024,
    entityCounts: i % 10 === 0 ? { EMAIL_ADDRESS: 1 } : {},
    threats: i % 10 === 0 ? [{ type: 7, severity: 3, ruleId: 'rule-1', detector: 'custom', count: 1, action: Action.BLOCK }] : [],
    latencyMs: 0.8,
  });
}

async function directIngest(total: number): Promise<number> {
  const def = grpcServiceDefinition(RecordIngestService).IngestScanRecords as grpc.MethodDefinition<unknown, unknown>;
  const client = new grpc.Client(plane.address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${sidecarToken}`);
  const batches = Math.ceil(total / 500);
  const requests = Array.from({ length: batches }, (_, b) => create(IngestScanRecordsRequestSchema, { records: Array.from({ length: 500 }, (_, i) => record(b * 500 + i)) }));
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++];
      await new Promise<void>((resolve, reject) =>
        client.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, request, metadata, (err) => (err ? reject(err) : resolve())),
      );
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const seconds = (performance.now() - started) / 1000;
  client.close();
  return (batches * 500) / seconds;
}

async function shipperIngest(total: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-spool-'));
  const channel = new ControlPlaneChannel({ address: plane.address, token: sidecarToken }, silent);
  const shipper = new RecordShipper({ channel, spoolDir: dir, logger: silent, maxBuffered: total });
  shipper.start();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    shipper.push({
      scanId: randomUUID(),
      tenantId: 'acme',
      occurredAt: new Date().toISOString(),
      direction: 'INPUT',
      action: 'ALLOW',
      requestId: `req-${i}`,
      agentId: 'bench-agent',
      sidecarId: 'bench-shipper',
      policyId: 'default',
      policyVersion: 'sha256:000000000000',
      contentHash: `hmac-sha256:${'0'.repeat(64)}`,
      contentLength: 1024,
      entityCounts: {},
      threats: [],
      latencyMs: 0.8,
    });
    if (i % 1000 === 999) await sleep(0); // a sidecar's scans arrive over time, not in one tick
  }
  while (shipper.stats().shipped + shipper.stats().duplicates < total) await sleep(5);
  const seconds = (performance.now() - started) / 1000;
  await shipper.close();
  channel.close();
  rmSync(dir, { recursive: true, force: true });
  return total / seconds;
}

console.log(`\nrecord ingest (${RECORDS} records each; load ${loadAverageNow()})`);
console.log(`  IngestScanRecords, batches of 500, 4 in flight: ${Math.round(await directIngest(RECORDS))} records/s`);
console.log(`  RecordShipper end to end (push → batch → ingest): ${Math.round(await shipperIngest(RECORDS))} records/s`);

admin.close();
await plane.close(1000);
await database.dispose();
