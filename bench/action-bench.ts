/**
 * CheckAction latency and throughput:
 *   1. the engine in-process (AgentActionRuntime.checkAction, in-process state), with the
 *      built-in default policy and with the issue's example policy, optionally with the audit
 *      log on;
 *   2. the same with Redis-backed state (REDIS_URL), sequential and 64 in flight;
 *   3. over gRPC against a sidecar in this process (grpc-js client), sequential and 64 in flight.
 * Targets: in-process p99 <= 0.5 ms and >= 20,000 actions/s.
 *
 *   node dist/bench/action-bench.js [--quick] [--out FILE]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AgentActionRuntime } from '../src/actions/action-runtime.js';
import type { ActionRequestData } from '../src/actions/action-names.js';
import { RedisStateStore } from '../src/actions/state/redis-state-store.js';
import { actionRequest, createAgentActionClient, type ActionChecker } from '../src/agents/action-client.js';
import { AuditLogWriter } from '../src/audit/audit-log-writer.js';
import { defaultPolicySet, parsePolicySet } from '../src/policy/load-policy.js';
import type { PolicySet } from '../src/policy/types.js';
import { startSidecar } from '../src/sidecar/start-sidecar.js';
import { createLogger } from '../src/telemetry/logger.js';
import { summarize, type LatencySummary } from './latency-stats.js';

const EXAMPLE_POLICY = `apiVersion: bulwark.dev/v1
kind: Policy
metadata: { tenant: acme }
spec:
  agents:
    - { id: data_processor, owner: data-team@acme.example, allowedActions: [TOOL_CALL, DATABASE_QUERY] }
  actionRules:
    - { id: http-only-internal, appliesTo: [TOOL_CALL], target: http_request, hosts: { allow: [internal.acme.example] }, decision: ALLOW }
    - { id: shell-allowed, appliesTo: [TOOL_CALL], target: execute_command, decision: ALLOW }
    - { id: db-reads, appliesTo: [DATABASE_QUERY], target: '*', decision: ALLOW }
  rateLimits:
    - { agent: data_processor, actionType: DATABASE_QUERY, perSecond: 1000000 }
`;

/** A mix of typical actions: allowed internal calls, shell commands, queries, one denied host. */
function actionMix(tenantId: string): ActionRequestData[] {
  const base = { tenantId, agentId: 'data_processor', declaredGoal: 'prepare the weekly report' };
  return [
    actionRequest({ ...base, actionType: 'TOOL_CALL', target: 'http_request', parameters: { url: 'https://internal.acme.example/reports/weekly', method: 'GET' } }),
    actionRequest({ ...base, actionType: 'TOOL_CALL', target: 'execute_command', parameters: { command: 'ls -la /data/reports' } }),
    actionRequest({ ...base, actionType: 'DATABASE_QUERY', target: 'orders', parameters: { query: 'SELECT id, total FROM orders WHERE week = 42 LIMIT 100' } }),
    actionRequest({ ...base, actionType: 'TOOL_CALL', target: 'http_request', parameters: { url: 'https://api.partner.example/v1/items', method: 'GET' } }),
  ];
}

interface Row {
  name: string;
  summary: LatencySummary;
}

async function sequential(name: string, checker: ActionChecker, mix: ActionRequestData[], n: number): Promise<Row> {
  for (let i = 0; i < Math.min(2_000, n); i++) await checker.checkAction({ ...(mix[i % mix.length] as ActionRequestData), agentId: `warm-${i % 50}` });
  const samples: number[] = new Array<number>(n);
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    // 200 agents in rotation: baselines and buckets of many agents, not one hot entry.
    await checker.checkAction({ ...(mix[i % mix.length] as ActionRequestData), agentId: i % 4 === 3 ? `agent-${i % 200}` : 'data_processor' });
    samples[i] = performance.now() - t;
  }
  return { name, summary: summarize(samples, 0, performance.now() - started) };
}

async function concurrent(name: string, checker: ActionChecker, mix: ActionRequestData[], n: number, inFlight: number): Promise<Row> {
  const samples: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const t = performance.now();
      try {
        await checker.checkAction(mix[i % mix.length] as ActionRequestData);
        samples.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { name, summary: summarize(samples, errors, performance.now() - started) };
}

function format(rows: Row[]): string {
  const head = 'scenario                                              p50 ms   p99 ms   max ms   actions/s';
  const lines = rows.map(
    (r) =>
      `${r.name.padEnd(52)} ${r.summary.p50.toFixed(4).padStart(7)} ${r.summary.p99.toFixed(4).padStart(8)} ${r.summary.max.toFixed(2).padStart(8)} ${Math.round(r.summary.perSecond).toString().padStart(10)}${r.summary.errors ? `  (${r.summary.errors} errors)` : ''}`,
  );
  return [head, ...lines].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' } }, strict: true });
  const n = values.quick ? 20_000 : 100_000;
  const env = { BULWARK_HASH_SALT: 'bench-salt-0123456789' };
  const example: PolicySet = parsePolicySet(EXAMPLE_POLICY, 'example.yaml', env);
  const builtIn = defaultPolicySet(env);
  const rows: Row[] = [];

  const inProcessDefault = new AgentActionRuntime({ policySet: () => builtIn });
  rows.push(await sequential('in-process, default policy (everything denied)', inProcessDefault, actionMix('default'), n));
  const inProcess = new AgentActionRuntime({ policySet: () => example });
  rows.push(await sequential('in-process, example policy', inProcess, actionMix('acme'), n));

  const dir = mkdtempSync(join(tmpdir(), 'bulwark-action-bench-'));
  const audit = await AuditLogWriter.open({ path: join(dir, 'audit.log'), checkpointIntervalMs: 0 });
  const audited = new AgentActionRuntime({ policySet: () => example, audit });
  rows.push(await sequential('in-process, example policy, audit log on', audited, actionMix('acme'), n));
  await audited.close();
  rmSync(dir, { recursive: true, force: true });

  const exfil = actionRequest({ tenantId: 'acme', agentId: 'data_processor', actionType: 'TOOL_CALL', target: 'http_request', parameters: { url: 'https://api.partner.example/upload', data: { email: 'jane@example.com', note: 'weekly totals' } } });
  rows.push(await sequential('in-process, external POST with PII (detectors run)', inProcess, [exfil], Math.floor(n / 10)));

  const redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    const store = await RedisStateStore.connect({ url: redisUrl, keyPrefix: `bulwark-bench:${randomUUID()}:` });
    const withRedis = new AgentActionRuntime({ policySet: () => example, store });
    rows.push(await sequential('Redis state, example policy, sequential', withRedis, actionMix('acme'), Math.floor(n / 5)));
    rows.push(await concurrent('Redis state, example policy, 64 in flight', withRedis, actionMix('acme'), Math.floor(n / 2), 64));
    await withRedis.close();
  } else {
    console.error('REDIS_URL is not set: Redis-backed rows skipped');
  }

  const logger = createLogger({ level: 'silent' });
  const sidecar = await startSidecar({ listen: '127.0.0.1:0', workers: 1, policySet: example, logger });
  const client = createAgentActionClient(sidecar.address, { deadlineMs: 10_000 });
  rows.push(await sequential('gRPC (grpc-js client), sequential', client, actionMix('acme'), Math.floor(n / 10)));
  rows.push(await concurrent('gRPC (grpc-js client), 64 in flight', client, actionMix('acme'), Math.floor(n / 4), 64));
  client.close();
  await sidecar.close(1_000);

  const report = format(rows);
  console.log(report);
  if (values.out) writeFileSync(values.out, `${report}\n`);
}

await main();
