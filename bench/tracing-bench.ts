/**
 * What tracing costs: 1 KB Scans against a sidecar process with tracing off, on but sampled
 * out (OTEL_TRACES_SAMPLER=always_off: the switch is on, spans are non-recording), and on with
 * every call exported over OTLP/HTTP to a local receiver (server span + pool hop + one span per
 * detector). Then, in this process, the per-call cost of the instrumented call sites with
 * tracing off compared with calling the handler directly.
 *
 *   npm run bench:tracing [-- --quick] [--rounds N] [--workers N] [--in-process-only]
 *
 * A third part alternates off and on (every call traced into a discarding exporter) in short
 * slices against one in-process sidecar: the cost of making the spans, with load drift shared.
 *
 * Modes are measured in alternating rounds (off, unsampled, otlp, off, …) and the median of
 * the rounds is reported, so drift in the machine's load does not land on one mode.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Metadata } from '@grpc/grpc-js';
import { ScanRequestSchema, ScanResponseSchema } from '../gen/bulwark/v1/scan_service_pb.js';
import { Direction } from '../gen/bulwark/v1/threat_pb.js';
import type { ScanResult, ScanTask } from '../src/engine/types.js';
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { startSidecar } from '../src/sidecar/start-sidecar.js';
import { createLogger } from '../src/telemetry/logger.js';
import { traceScan } from '../src/telemetry/tracing/pool-hop-spans.js';
import type { CallTrace } from '../src/telemetry/tracing/rpc-server-span.js';
import { startTracing } from '../src/telemetry/tracing/start-tracing.js';
import { traceGrpcUnary } from '../src/telemetry/tracing/traced-calls.js';
import { benchContent } from './bench-content.js';
import { GrpcLoadClient, type LoadResult, type UnaryTarget } from './grpc-load.js';
import { loadAverageNow, machineInfo } from './machine-info.js';
import { startServerProcess } from './server-process.js';

interface Mode {
  name: string;
  env: (receiverUrl: string) => NodeJS.ProcessEnv;
}

const OFF_ENV = { OTEL_TRACES_EXPORTER: '', OTEL_SDK_DISABLED: '', OTEL_TRACES_SAMPLER: '' };
const MODES: Mode[] = [
  { name: 'off (default)', env: () => OFF_ENV },
  {
    name: 'on, sampled out (always_off)',
    env: (url) => ({ ...OFF_ENV, OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'always_off', OTEL_EXPORTER_OTLP_ENDPOINT: url }),
  },
  { name: 'on, every call exported (otlp)', env: (url) => ({ ...OFF_ENV, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: url }) },
];
const CONCURRENCIES = [1, 16];

/** A receiver that counts spans and discards them (counting by key, not parsing: it shares the CPU). */
async function startDiscardReceiver(): Promise<{ url: string; spans: () => number; close: () => Promise<void> }> {
  let spans = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      spans += body.split('"spanId":').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, spans: () => spans, close: () => new Promise((r) => server.close(() => r())) };
}

function scanTarget(): UnaryTarget {
  const msg = create(ScanRequestSchema, { content: benchContent(1024), direction: Direction.INPUT });
  return {
    path: '/bulwark.v1.SecurityScanService/Scan',
    request: Buffer.from(toBinary(ScanRequestSchema, msg)),
    serverLatencyMs: (response) => fromBinary(ScanResponseSchema, response).latencyMs,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Per-call cost (ns) of `fn` over `n` awaited calls. */
async function nsPerCall(n: number, fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t0) * 1e6) / n;
}

/** The call sites with tracing off (this process never starts tracing) vs. the bare handler. */
async function offPathCost(): Promise<void> {
  const call = { getPath: () => '/bulwark.v1.SecurityScanService/Scan', metadata: new Metadata() };
  const task: ScanTask = { tenantId: '', direction: 'INPUT', content: 'x', policyId: '', deadline: 0 };
  const detectors = ['normalizer', 'injection-patterns', 'pii', 'secrets', 'toxicity', 'system-prompt-leak', 'data-exfiltration', 'hijacked-answers', 'unsafe-code', 'malicious-urls'];
  const timing = { startedAtEpochMs: Date.now(), detectors: detectors.map((detector, i) => ({ detector, offsetMs: i * 0.01, durationMs: 0.01 })) };
  const result = { action: 'ALLOW', threats: [], policyId: '', policyVersion: 'sha256:0123456789ab', latencyMs: 0.1, timing } as ScanResult;
  const handler = (): Promise<ScanResult> => Promise.resolve(result);
  const ctx = {};
  const n = 2_000_000;
  const direct = handler;
  const wrapped = (): Promise<ScanResult> => traceGrpcUnary(call, ctx, () => traceScan(undefined, task, handler));
  await nsPerCall(n / 4, direct); // warm up the JIT
  await nsPerCall(n / 4, wrapped);
  const runs = { direct: [] as number[], wrapped: [] as number[] };
  for (let i = 0; i < 5; i++) {
    runs.direct.push(await nsPerCall(n, direct));
    runs.wrapped.push(await nsPerCall(n, wrapped));
  }
  const base = median(runs.direct);
  const traced = median(runs.wrapped);
  console.log('\nCall-site cost with tracing off, in this process (median of 5 runs of 2M awaited calls):');
  console.log(`  handler called directly                ${base.toFixed(1)} ns/call`);
  console.log(`  traceGrpcUnary + traceScan (off)       ${traced.toFixed(1)} ns/call  (+${(traced - base).toFixed(1)} ns)`);
  // The same call sites with tracing on: server span, pool hop, 10 detector spans, into a discarding exporter.
  const tracing = startTracing({ serviceName: 'bench', exporter: discardExporter, batchExporter: true });
  const ctxOn: { trace?: CallTrace } = {};
  const on = (): Promise<ScanResult> => traceGrpcUnary(call, ctxOn, () => traceScan(ctxOn.trace, task, handler));
  await nsPerCall(20_000, on);
  const onRuns: number[] = [];
  for (let i = 0; i < 5; i++) onRuns.push(await nsPerCall(50_000, on));
  await tracing.shutdown();
  console.log(`  the same, tracing on (12 spans/call)   ${(median(onRuns) / 1000).toFixed(1)} µs/call (batch processor, discarding exporter; median of 5 runs of 50k)`);
}

/** Accepts spans and drops them: the cost of making spans, without the cost of shipping them. */
const discardExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: () => Promise.resolve(),
};

/**
 * Off vs on (every call traced into a discarding exporter) in alternating short slices against
 * one in-process sidecar, so the machine's load drifts over both modes alike.
 */
async function inProcessAB(slices: number, sliceMs: number): Promise<void> {
  const sidecar = await startSidecar({ listen: '127.0.0.1:0', workers: 1, logger: createLogger({ level: 'silent' }) });
  const client = new GrpcLoadClient(sidecar.address, 4);
  const target = scanTarget();
  await client.run(target, { concurrency: 8, durationMs: sliceMs });
  const runs: Record<'off' | 'on', LoadResult[]> = { off: [], on: [] };
  for (let i = 0; i < slices; i++) {
    for (const mode of i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const tracing = mode === 'on' ? startTracing({ serviceName: 'bench', exporter: discardExporter, batchExporter: true }) : undefined;
      runs[mode].push(await client.run(target, { concurrency: 8, durationMs: sliceMs }));
      await tracing?.shutdown();
    }
  }
  client.close();
  await sidecar.close(1_000);
  console.log(`\nIn-process A/B, 1 KB Scan, concurrency 8, 1 worker, ${slices} alternating slices of ${sliceMs / 1000} s per mode (medians):`);
  console.log('mode                                   p50 ms   p99 ms   scans/s   server p50 ms');
  for (const mode of ['off', 'on'] as const) {
    const m = (f: (r: LoadResult) => number): number => median(runs[mode].map(f));
    const label = mode === 'off' ? 'off' : 'on, every call, batched, discarded';
    console.log(`${label.padEnd(37)} ${m((r) => r.p50).toFixed(3).padStart(8)} ${m((r) => r.p99).toFixed(3).padStart(8)} ${m((r) => r.perSecond).toFixed(0).padStart(9)} ${m((r) => r.serverP50 ?? Number.NaN).toFixed(3).padStart(15)}`);
  }
}

/** On a loaded machine tsx can take longer than the start-up timeout to compile the sidecar. */
async function startWithRetries<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts) throw err;
      console.log(`(sidecar start-up failed, retrying: ${(err as Error).message})`);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { quick: { type: 'boolean' }, rounds: { type: 'string' }, workers: { type: 'string' }, 'in-process-only': { type: 'boolean' } },
    strict: true,
  });
  const quick = values.quick ?? false;
  const rounds = Number(values.rounds ?? (quick ? 1 : 3));
  const durationMs = quick ? 3_000 : 8_000;
  const warmupMs = quick ? 1_000 : 2_000;
  const info = machineInfo(process.argv.slice(2));
  console.log(`command: npm run bench:tracing -- ${process.argv.slice(2).join(' ')}`);
  console.log(`date:    ${info.date}`);
  console.log(`machine: ${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.os}, node ${info.node}`);
  console.log(`load:    ${info.loadAverage1m} (1-min average at start)`);
  console.log(`1 KB Scan over gRPC, sidecar in its own process, ${rounds} round(s) × ${durationMs / 1000} s per cell, medians of rounds\n`);

  if (values['in-process-only']) {
    await inProcessAB(quick ? 4 : 10, quick ? 1_000 : 2_000);
    await offPathCost();
    return;
  }
  const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const receiver = await startDiscardReceiver();
  const target = scanTarget();
  const sidecarArgs = values.workers ? ['--workers', values.workers] : [];
  const results = new Map<string, LoadResult[]>();
  let exportedSpans = 0;
  let exportedScans = 0;
  for (let round = 0; round < rounds; round++) {
    for (const mode of MODES) {
      const server = await startWithRetries(() =>
        startServerProcess(cli, sidecarArgs, ['--import', 'tsx'], { ...mode.env(receiver.url), BULWARK_LOG_LEVEL: 'info', BULWARK_METRICS_LISTEN: 'off' }),
      );
      const client = new GrpcLoadClient(server.address, 4);
      const spansBefore = receiver.spans();
      for (const concurrency of CONCURRENCIES) {
        const r = await client.run(target, { concurrency, warmupMs, durationMs });
        const key = `${mode.name}|${concurrency}`;
        results.set(key, [...(results.get(key) ?? []), r]);
        if (mode.name.includes('otlp')) exportedScans += r.count;
      }
      client.close();
      await server.stop(); // SIGTERM: the sidecar flushes its spans before exiting
      if (mode.name.includes('otlp')) exportedSpans += receiver.spans() - spansBefore;
    }
  }
  await receiver.close();

  console.log('mode                              conc   p50 ms   p99 ms   scans/s   server p50 ms');
  for (const mode of MODES) {
    for (const concurrency of CONCURRENCIES) {
      const rs = results.get(`${mode.name}|${concurrency}`) ?? [];
      const m = (f: (r: LoadResult) => number): number => median(rs.map(f));
      console.log(
        `${mode.name.padEnd(33)} ${String(concurrency).padStart(4)} ${m((r) => r.p50).toFixed(3).padStart(8)} ${m((r) => r.p99).toFixed(3).padStart(8)} ${m((r) => r.perSecond).toFixed(0).padStart(9)} ${m((r) => r.serverP50 ?? Number.NaN).toFixed(3).padStart(15)}`,
      );
    }
  }
  console.log(`\notlp mode: ${exportedSpans} spans received for ${exportedScans} measured scans (warm-up scans are exported too; spans the batch processor's 2048-span queue could not hold are dropped by design)`);
  await inProcessAB(quick ? 4 : 10, quick ? 1_000 : 2_000);
  await offPathCost();
  console.log(`\nload at end: ${loadAverageNow()}`);
}

await main();
